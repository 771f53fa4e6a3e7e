from django.contrib import admin

from qinqing.supervision.models import DepartmentWebhook, EvaluationWeights, NotificationDelivery


@admin.register(EvaluationWeights)
class EvaluationWeightsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "changed_at")


@admin.register(DepartmentWebhook)
class DepartmentWebhookAdmin(admin.ModelAdmin):
    list_display = ("department", "active")
    list_filter = ("active",)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    """Read-only: whether each copy left and what the gateway answered. No content (the text may quote a case, and
    the system administrator reads no case), and addresses masked."""

    list_display = ("created_at", "kind", "channel", "masked", "status", "attempts", "answer_code", "sent_at")
    list_filter = ("status", "channel", "kind")
    fields = (
        "created_at",
        "kind",
        "channel",
        "masked",
        "department",
        "template_code",
        "status",
        "attempts",
        "request_id",
        "answer_code",
        "answer",
        "last_attempt_at",
        "sent_at",
    )
    readonly_fields = fields

    @admin.display(description="发送地址")
    def masked(self, obj: NotificationDelivery) -> str:
        return obj.masked_address

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# 督办 orders and deadline alerts are case data: they change only through the supervision services (with their
# events on the appeals' timelines), never by editing rows in the admin.
