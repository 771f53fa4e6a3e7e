"""An enterprise account not yet linked to its enterprise (sign-up awaiting the office) reaches only the page
that says so, its messages, password change and logout; the API answers 403 to its session. Selectors already
show such an account nothing (they need ``user.enterprise_id``); this keeps it from a wall of empty pages."""

from django.http import JsonResponse
from django.shortcuts import redirect

from qinqing.accounts.models import Role

OPEN = ("/signup/", "/logout/", "/static/", "/password/", "/password-reset/", "/supervision/notifications/")


class PendingLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role == Role.ENTERPRISE
            and not user.enterprise_id
            and not request.path.startswith(OPEN)
        ):
            if request.path.startswith("/api/"):
                if request.path.startswith(("/api/signup/", "/api/supervision/notifications")):
                    return self.get_response(request)
                return JsonResponse(
                    {"message": "企业关联尚待营商办审核，暂不能办理业务", "errors": {}}, status=403
                )
            return redirect("signup_pending")
        return self.get_response(request)
