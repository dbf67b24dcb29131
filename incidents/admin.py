"""The matters list, read-only for now: a page for a county to edit it comes later."""

from django.contrib import admin

from incidents.models import MatterRule


@admin.register(MatterRule)
class MatterRuleAdmin(admin.ModelAdmin):
    list_display = ("county", "category", "unit_kind", "department", "working_days")
    list_filter = ("category", "unit_kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
