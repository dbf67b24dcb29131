from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance import area_picker, jsi18n, views
from governance.configuration import calendar_views
from governance.configuration import views as configuration
from governance.forms import SignInForm
from infra import health

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", jsi18n.javascript_catalogue, name="javascript_catalogue"),
    path("areas/", views.area_root, name="area_root"),
    path("areas/search/", area_picker.area_search, name="area_search"),
    path("areas/<str:code>/", views.area_detail, name="area_detail"),
    path("people/", views.people_list, name="people_list"),
    path("people/new/", views.person_create_view, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path(
        "memberships/<int:pk>/revoke/",
        views.membership_revoke_view,
        name="membership_revoke",
    ),
    path("grid/", include("grids.urls")),
    path("disputes/", include("disputes.urls")),
    path("petitions/", include("petitions.urls")),
    path("incidents/", include("incidents.urls")),
    path("desk/", include("desk.urls")),
    path("dashboard/", include("governance.dashboards.urls")),
    path("", include("cases.urls")),
    path("settings/<str:code>/", configuration.county_settings, name="county_settings"),
    path("calendar/", calendar_views.working_calendar_now, name="working_calendar_now"),
    path("calendar/<int:year>/", calendar_views.working_calendar, name="working_calendar"),
    path("calendar/<int:year>/add/", calendar_views.calendar_day_add_view, name="calendar_day_add"),
    path(
        "calendar/<int:year>/remove/",
        calendar_views.calendar_day_remove_view,
        name="calendar_day_remove",
    ),
    path("notifications/", views.notification_list, name="notifications"),
    path("audit/", include("governance.audit.urls")),
    path("api/", include("open311.urls")),
    path("admin/", admin.site.urls),
]
