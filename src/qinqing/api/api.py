"""The HTTP API, assembled from each app's router. One place maps domain errors and validation errors
to the error shape {"message": ..., "errors": {field: [...]}} with Chinese messages."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from qinqing.accounts.models import ApiToken
from qinqing.core.errors import DomainError
from qinqing.core.inputs import field_errors


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        now = timezone.now()
        # Record use at most once a minute: a busy client should not turn every read into a write.
        user = ApiToken.owner(token, stale_before=now - dt.timedelta(seconds=60))
        if user is None:
            return None
        if user.token_stale:
            ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
        request.user = user
        return user


class Session(SessionAuth):
    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="亲清 API",
    version="1",
    description="企业诉求受理、分派、办理、答复、评价的全流程接口。认证：浏览器会话（需 CSRF 令牌）或 `Authorization: Bearer <令牌>`。",
    auth=[TokenAuth(), Session()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(
        request, {"message": "提交的数据有误，请检查后重试", "errors": field_errors(exc.errors)}, status=422
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, {"message": exc.message, "errors": exc.errors}, status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request, {"message": "请先登录，或提供有效的 API 令牌", "errors": {}}, status=401
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"message": "未找到该记录", "errors": {}}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, {"message": str(exc), "errors": {}}, status=exc.status_code)


def _routers():
    from qinqing.appeals.api import reference_router
    from qinqing.appeals.api import router as appeals_router
    from qinqing.credit.api import router as credit_router
    from qinqing.dashboard.api import router as dashboard_router
    from qinqing.enterprises.api import router as enterprises_router
    from qinqing.fieldwork.api import router as fieldwork_router
    from qinqing.insights.api import router as insights_router
    from qinqing.policies.api import router as policies_router
    from qinqing.supervision.api import router as supervision_router

    api.add_router("/appeals", appeals_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/insights", insights_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/fieldwork", fieldwork_router)
    api.add_router("/dashboard", dashboard_router)
    api.add_router("/policies", policies_router)
    api.add_router("/credit", credit_router)
    api.add_router("/", reference_router)


_routers()


def urls():
    """The API's URL patterns, opted out of LoginRequiredMiddleware: the API authenticates itself
    (session or token) and answers 401 in JSON rather than redirecting to a login page."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
