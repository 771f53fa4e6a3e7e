from django.contrib import admin

from qinqing.projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-only for the system administrator: projects are the office's, changed through the site's actions."""

    list_display = ("number", "name", "region", "stage", "approval_days")
    list_filter = ("stage",)
    search_fields = ("number", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
