from django.contrib import admin

from qinqing.organisation.models import Department, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "parent", "active"]
    list_filter = ["kind", "active", "region"]
    search_fields = ["name", "short_name"]
