"""Reference data of the field service for the system administrator. Clues, visits and appeals' origins are
case data and stay out of the admin (三员分立: the system administrator reads no case)."""

from django.contrib import admin

from qinqing.fieldwork.models import ContactPoint, MeetingSeries, ServiceAssignment, Supervisor


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "weekday", "start_time", "end_time", "place")


@admin.register(Supervisor)
class SupervisorAdmin(admin.ModelAdmin):
    list_display = ("certificate_no", "user", "background", "organisation", "term_start", "term_end")
    list_filter = ("background",)


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "kind", "responsible", "department", "designated_on", "active")
    list_filter = ("kind", "active")


@admin.register(ServiceAssignment)
class ServiceAssignmentAdmin(admin.ModelAdmin):
    """Read-only: assignments change through the office's page so the history is kept."""

    list_display = ("enterprise", "role", "user", "started_on", "ended_on", "end_reason")
    list_filter = ("role",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
