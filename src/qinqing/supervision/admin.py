from django.contrib import admin

from qinqing.supervision.models import DeadlineAlert, EvaluationWeights, SupervisionOrder


@admin.register(EvaluationWeights)
class EvaluationWeightsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "changed_at")


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    list_display = ("department", "respond_by", "state", "issued_at")
    list_filter = ("state",)


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(admin.ModelAdmin):
    list_display = ("appeal", "step", "rung", "deadline", "created_at")
    list_filter = ("rung", "step")
