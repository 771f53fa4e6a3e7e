from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from qinqing.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "region", "department", "enterprise", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        ("岗位与范围", {"fields": ["role", "full_name", "mobile", "region", "department", "enterprise"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
