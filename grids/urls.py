from django.urls import path

from grids import configuration, import_views, views

app_name = "grids"

urlpatterns = [
    path("", views.grids_overview, name="overview"),
    path("today/", views.worker_home, name="worker_home"),
    path("g/<int:pk>/", views.grid_detail, name="grid_detail"),
    path("g/<int:pk>/patrol/start/", views.patrol_start, name="patrol_start"),
    path("g/<int:pk>/zero-report/", views.zero_report, name="zero_report"),
    path("g/<int:pk>/handover/", views.grid_handover, name="grid_handover"),
    path("patrols/<int:pk>/end/", views.patrol_end, name="patrol_end"),
    path("findings/new/", views.finding_new, name="finding_new"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/handle/", views.finding_handle, name="finding_handle"),
    path("findings/<int:pk>/hand-up/", views.finding_hand_up, name="finding_hand_up"),
    path("photos/<int:pk>/", views.finding_photo, name="finding_photo"),
    path("village/<str:code>/", views.village_grids, name="village_grids"),
    path("village/<str:code>/new/", views.grid_create, name="grid_create"),
    path("township/<str:code>/", views.township_villages, name="township_villages"),
    path("import/", import_views.grid_import_view, name="grid_import"),
    path(
        "settings/<str:code>/patrol-target/",
        configuration.patrol_target_settings,
        name="patrol_target_settings",
    ),
]
