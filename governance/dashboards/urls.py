from django.urls import path

from governance.dashboards import assessment, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_root, name="root"),
    path("grid/<int:pk>/", views.grid_dashboard, name="grid"),
    path("grid/<int:pk>/export/<slug:table>/", views.grid_export, name="grid_export"),
    path("<str:code>/month/", assessment.month_assessment, name="month"),
    path("<str:code>/scheme/", assessment.scheme_edit, name="scheme"),
    path("<str:code>/month/publish/", assessment.month_publish_view, name="month_publish"),
    path("<str:code>/", views.area_dashboard, name="area"),
    path("<str:code>/export/<slug:table>/", views.area_export, name="area_export"),
]
