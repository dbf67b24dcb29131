from django.contrib import admin

from governance.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the portal itself and never edited."""

    list_display = ["at", "kind", "actor_name", "area", "target", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["actor_name", "target"]
    date_hierarchy = "at"
    list_select_related = ["area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
