from django.urls import path

from desk import views

app_name = "desk"

urlpatterns = [
    path("", views.intake, name="intake"),
    path("query/", views.query, name="query"),
    path("matters/", views.matter_list, name="list"),
    path("matters/<int:pk>/", views.matter_detail, name="detail"),
    path("matters/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("matters/<int:pk>/classify/", views.matter_classify_view, name="classify"),
    path("matters/<int:pk>/reply/", views.matter_reply_view, name="reply"),
    path("matters/<int:pk>/sign-in/", views.matter_sign_in_view, name="sign_in"),
    path("matters/<int:pk>/return/", views.matter_return_view, name="return"),
]
