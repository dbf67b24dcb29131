from django.urls import path

from open311 import api, views

app_name = "open311"

# Included at /api/: the GeoReport endpoints, and the city administrator's page of tokens.
urlpatterns = [
    path("open311/v2/services.json", api.services, name="services"),
    path("open311/v2/requests.json", api.requests_collection, name="requests"),
    path("open311/v2/requests/<str:number>.json", api.request_detail, name="request_detail"),
    path("open311/v2/openapi.json", api.openapi, name="openapi"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<int:pk>/revoke/", views.source_revoke_view, name="source_revoke"),
    path("sources/<int:pk>/reissue/", views.source_reissue_view, name="source_reissue"),
]
