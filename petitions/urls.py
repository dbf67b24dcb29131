from django.urls import path

from petitions import configuration, views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_register, name="register"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.petition_act, name="act"),
    path("<int:pk>/link-dispute/", views.petition_link_dispute, name="link_dispute"),
    path("<int:pk>/notice/", views.petition_notice, name="notice"),
    path("<int:pk>/referral-notice/", views.petition_referral_notice, name="referral_notice"),
    path("<int:pk>/reply-letter/", views.petition_reply_letter, name="reply_letter"),
    path("settings/<str:code>/clocks/", configuration.clock_settings, name="clock_settings"),
]
