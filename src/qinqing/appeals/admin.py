from django.contrib import admin

from qinqing.appeals.models import Category, ResponsibilityCatalogue, TimeLimit


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


# Appeals and their events are case data: they change only through the workflow services and are read in the
# product's own pages, scoped by role. The admin (the system administrator's tool) shows no case content (三员分立).
