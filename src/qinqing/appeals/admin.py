from django.contrib import admin

from qinqing.appeals.models import Appeal, AppealEvent, Category, ResponsibilityCatalogue, TimeLimit


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort", "active"]
    list_editable = ["sort", "active"]


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ["step", "category", "urgency", "working_days"]
    list_filter = ["step", "urgency", "category"]


@admin.register(ResponsibilityCatalogue)
class ResponsibilityCatalogueAdmin(admin.ModelAdmin):
    list_display = ["region", "category", "lead_department"]
    list_filter = ["region", "category"]
    filter_horizontal = ["co_departments"]


class EventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor_name", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change only through the workflow, never by editing rows."""

    list_display = ["number", "title", "status", "category", "enterprise", "lead_department", "submitted_at"]
    list_filter = ["status", "channel", "category"]
    search_fields = ["number", "title"]
    list_select_related = ["category", "enterprise", "lead_department"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
