from django.contrib import admin

from governance.models import Area, Membership


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """Read-only: the tree is written by `import_areas` alone, under its lock (rule 6)."""

    list_display = ["code", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only: memberships change through the People pages, which check jurisdiction."""

    list_display = ["user", "role", "area", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "area__name", "area__code"]
    list_select_related = ["user", "area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
