from django.contrib import admin

from qinqing.supervision.models import EvaluationWeights


@admin.register(EvaluationWeights)
class EvaluationWeightsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "changed_at")


# 督办 orders and deadline alerts are case data: they change only through the supervision services (with their
# events on the appeals' timelines), never by editing rows in the admin.
