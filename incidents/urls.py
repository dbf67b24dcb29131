from django.urls import path

from incidents import configuration, conversion, views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.incident_act, name="act"),
    path("<int:pk>/check/", views.incident_check_phone, name="check_phone"),
    path("photos/<int:pk>/", views.incident_photo, name="photo"),
    path("from-finding/<int:pk>/", views.incident_from_finding, name="from_finding"),
    path("from-dispute/<int:pk>/", conversion.dispute_convert, name="convert_dispute"),
    path(
        "settings/<str:code>/matters/",
        configuration.matter_rules_settings,
        name="matter_rules_settings",
    ),
]
