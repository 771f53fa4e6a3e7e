from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from qinqing.accounts import grants
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

    def save_model(self, request, obj, form, change):
        """A change that gives case access waits for a second security administrator (QINQING_GRANT_APPROVAL):
        the account is saved with its old role and scope and a grant request is filed."""
        if settings.QINQING_GRANT_APPROVAL:
            stored = User.objects.filter(pk=obj.pk).first() if change else None
            before = grants.scope_of(stored) if stored is not None else dict(grants.BLANK)
            after = grants.scope_of(obj)
            if grants.gives_case_access(before, after):
                grants.apply_scope(obj, before)
                super().save_model(request, obj, form, change)
                grant = grants.request_grant(account=obj, by=request.user, before=before, proposed=after)
                messages.warning(
                    request,
                    f"该变更使账号可以查看诉求，需另一名安全管理员审批后生效（授权申请 #{grant.pk}，见“授权审批”）；"
                    "账号暂保持原角色与范围。",
                )
                return
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Accounts with a history are deactivated, never deleted (their audit records refer to them).
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued by their owner (/tokens/) or the command, shown once
