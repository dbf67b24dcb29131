from django.urls import path

from disputes import configuration, views, workbench

app_name = "disputes"

urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    path("list/", workbench.dispute_list, name="list"),
    path("export.xlsx", workbench.dispute_export, name="export"),
    path("new/", views.dispute_register, name="register"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.dispute_act, name="act"),
    path("<int:pk>/agreement/", views.dispute_agreement, name="agreement"),
    path("<int:pk>/attachments/", views.dispute_attachment_add, name="attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.dispute_attachment,
        name="attachment",
    ),
    path(
        "settings/<str:code>/deadlines/",
        configuration.deadline_settings,
        name="deadline_settings",
    ),
    path(
        "settings/<str:code>/revisits/",
        configuration.revisit_settings,
        name="revisit_settings",
    ),
]
