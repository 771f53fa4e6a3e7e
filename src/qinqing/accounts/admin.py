from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from qinqing.accounts.models import ApiToken, Role, User
from qinqing.accounts.security import SCOPE_FIELDS


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts are the security administrator's (三员分立): the system administrator reads them without their
    mobile numbers and changes nothing; only a superuser (break-glass) can make another."""

    list_display = ["username", "full_name", "role", "region", "department", "enterprise", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        ("岗位与范围", {"fields": ["role", "full_name", "mobile", "region", "department", "enterprise"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser or request.user.role == Role.SECADMIN:
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "mobile"]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions", "groups"]
            if request.user.role != Role.SECADMIN:
                readonly += [f for f in SCOPE_FIELDS if f not in readonly]
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Accounts with a history are deactivated, never deleted (their audit records refer to them).
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued by their owner (/tokens/) or the command, shown once
