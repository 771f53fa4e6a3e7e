"""The HTTP API, assembled from each app's router. One place maps domain errors and validation errors
to the error shape {"message": ..., "errors": {field: [...]}} with Chinese messages (``ErrorOut``), and one place
(``Api.get_openapi_schema``) declares in the OpenAPI document the error answers every operation can give, so the
app routers declare only their success answers."""

import datetime as dt
import json

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

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


class ErrorOut(Schema):
    """Every refusal of the API, whatever its status."""

    message: str = Field(description="说明（中文，可直接展示给用户）")
    errors: dict[str, list[str]] = Field(description="按字段列出的错误；与字段无关时为空对象")


# What each error status means here, and so when an operation can give it (see ``error_statuses``).
ERRORS = {
    400: "请求有误：含控制字符（如 NUL），或违反业务规则",
    401: "未登录，或 API 令牌无效",
    403: "无权执行该操作，或管理员尚未完成动态口令验证",
    404: "记录不存在，或不在本人可见范围内（两者回答相同）",
    409: "当前状态不允许该操作，或与已有记录冲突",
    422: "提交的数据未通过校验（按字段列出）",
}
# Answered by the web server before the application sees the request, so not in the error shape.
SERVER_REFUSALS = {414: "请求行过长（如查询参数太长），由 Web 服务器在应用之前拒绝；答复不是 JSON"}


# Query parameters that name one record without the ``_id`` suffix (the dashboard's plan, an index framework code).
RECORD_PARAMETERS = frozenset({"plan", "framework"})


def error_statuses(path: str, method: str, operation: dict) -> list[int]:
    """The error statuses an operation can answer with, from what it takes:
    any request can be refused (400: the control-character check runs before every view, and business rules)
    or forbidden (403: roles, and an administrator without a second factor); 401 where it needs a login;
    422 where it takes parameters or a body; 404 where it names a record (in its path, in a query parameter
    ``…_id`` or ``plan``, or, for a write, in its body); 409 for a write (a state machine's refusal, a duplicate); 414 where it takes a query string (the web
    server's limit on the request line). No throttle: the API never answers 429."""
    codes = [400, 403]
    if operation.get("security"):
        codes.append(401)
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append(422)
    writes = method.lower() != "get"
    names_record = any(
        p.get("in") == "query" and (p.get("name", "").endswith("_id") or p.get("name") in RECORD_PARAMETERS)
        for p in operation.get("parameters", ())
    )
    if "{" in path or writes or names_record:
        codes.append(404)
    if writes:
        codes.append(409)
    if any(p.get("in") == "query" for p in operation.get("parameters", ())):
        codes.append(414)
    return sorted(codes)


class BodyRefused(ValueError):
    pass


class JsonObjectParser(Parser):
    """A JSON body must be an object. ninja's schemas read attributes from whatever they are given, so a list, a
    string or null would otherwise pass as an object with every field at its default (``[null]`` sent to
    "mark as read" marked everything read). ninja turns the refusal into a 400 (see ``on_http_error``)."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except ValueError:
            raise BodyRefused("请求体不是合法的 JSON") from None
        if not isinstance(data, dict):
            raise BodyRefused("请求体应为 JSON 对象")
        return data


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema["components"].setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template=REF_TEMPLATE)
        if schemas.setdefault("ErrorOut", error_schema) != error_schema:
            raise ValueError("another schema of the API is named ErrorOut")
        content = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation["responses"]
                for code in error_statuses(path, method, operation):
                    if code in SERVER_REFUSALS:
                        responses.setdefault(code, {"description": SERVER_REFUSALS[code]})
                    else:
                        responses.setdefault(code, {"description": ERRORS[code], "content": content})
                # An operation may declare another error in its openapi_extra: it gets the error shape too.
                for code, answer in responses.items():
                    if int(code) >= 400 and int(code) not in SERVER_REFUSALS:
                        answer.setdefault("content", content)
        return schema


api = Api(
    title="亲清 API",
    version="1",
    description="企业诉求受理、分派、办理、答复、评价的全流程接口。认证：浏览器会话（需 CSRF 令牌）或 `Authorization: Bearer <令牌>`。",
    auth=[TokenAuth(), Session()],
    parser=JsonObjectParser(),
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
    # ninja's own 400 for a body it could not read says so in English; the parser's reason is in Chinese.
    message = str(exc.__cause__) if isinstance(exc.__cause__, BodyRefused) else str(exc)
    return api.create_response(request, {"message": message, "errors": {}}, status=exc.status_code)


def _routers():
    from qinqing.appeals.api import import_router, reference_router, revisit_router
    from qinqing.appeals.api import router as appeals_router
    from qinqing.credit.api import router as credit_router
    from qinqing.dashboard.api import router as dashboard_router
    from qinqing.enterprises.api import router as enterprises_router
    from qinqing.fieldwork.api import router as fieldwork_router
    from qinqing.indices.api import router as indices_router
    from qinqing.insights.api import router as insights_router
    from qinqing.plans.api import router as plans_router
    from qinqing.policies.api import router as policies_router
    from qinqing.projects.api import router as projects_router
    from qinqing.signup.api import router as signup_router
    from qinqing.supervision.api import router as supervision_router

    api.add_router("/appeals", appeals_router)
    api.add_router("/revisits", revisit_router)
    api.add_router("/imports", import_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/insights", insights_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/fieldwork", fieldwork_router)
    api.add_router("/dashboard", dashboard_router)
    api.add_router("/policies", policies_router)
    api.add_router("/credit", credit_router)
    api.add_router("/indices", indices_router)
    api.add_router("/projects", projects_router)
    api.add_router("/signup", signup_router)
    api.add_router("/plans", plans_router)
    api.add_router("/", reference_router)


_routers()


def urls():
    """The API's URL patterns, opted out of LoginRequiredMiddleware: the API authenticates itself
    (session or token) and answers 401 in JSON rather than redirecting to a login page."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
