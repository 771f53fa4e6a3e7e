"""Pages of enterprise self-service: 企业注册 and 找回密码 (public, from the login page), the page a not-yet-linked
account lands on, and the office's queue of link requests with its decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.audit.services import client_address
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.inputs import fields, parse
from qinqing.core.pages import error_text, perform
from qinqing.organisation.models import Region
from qinqing.signup import actions, inputs, selectors, workflow
from qinqing.signup.models import LinkRequest

SECRET = ("password1", "password2", "code")


def _by_name(schema, data, errors, **kw) -> dict:
    return {f["name"]: f for f in fields(schema, data=data, errors=errors, **kw)}


def _regions() -> list[tuple[str, str]]:
    return [
        (str(r.pk), "　" * max(0, r.path.count("/") - 2) + r.name) for r in Region.objects.order_by("path")
    ]


def _typed(request: HttpRequest) -> dict[str, str]:
    return {
        k: str(request.POST.get(k, ""))
        for k in request.POST
        if k not in SECRET and k != "csrfmiddlewaretoken"
    }


def _refused(request: HttpRequest, exc: DomainError, field: str) -> dict[str, list[str]]:
    messages.error(request, error_text(exc))
    return exc.errors or {field: [exc.message]}


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """企业注册: the code button posts the whole form (and sends the code); the submit button signs up."""
    data: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = _typed(request)
        ip = client_address(request)
        try:
            if request.POST.get("send") == "code":
                messages.success(
                    request,
                    actions.signup_code(parse(inputs.SignupCodeIn, {"mobile": data.get("mobile", "")}), ip),
                )
            else:
                actions.signup(parse(inputs.SignupIn, request.POST), ip)
                messages.success(request, "注册成功。请登录；营商办审核通过企业关联后即可办理业务。")
                return redirect("login")
        except DomainError as exc:
            errors = _refused(request, exc, "mobile")
    return render(
        request,
        "signup/signup.html",
        {"f": _by_name(inputs.SignupIn, data, errors, choices={"region": _regions()})},
    )


@login_not_required
def reset(request: HttpRequest) -> HttpResponse:
    """找回密码: step one asks for the username or mobile and sends a code; step two sets the new password."""
    data: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    step = "set" if request.POST.get("step") == "set" else "ask"
    if request.method == "POST":
        data = _typed(request)
        try:
            if request.POST.get("send") == "code":
                text = actions.reset_code(parse(inputs.ResetCodeIn, request.POST), client_address(request))
                messages.success(request, text)
                step = "set"
            else:
                actions.reset(parse(inputs.ResetIn, request.POST))
                messages.success(
                    request,
                    "密码已重置，其他设备上的登录已退出。若账号因多次登录失败被锁定，请待锁定期满后登录或联系安全管理员解除。",
                )
                return redirect("login")
        except DomainError as exc:
            errors = _refused(request, exc, "code" if step == "set" else "login")
    template = "signup/reset_set.html" if step == "set" else "signup/reset.html"
    return render(request, template, {"f": _by_name(inputs.ResetIn, data, errors)})


def pending(request: AuthedRequest) -> HttpResponse:
    """Where an enterprise account without an enterprise lands: its request and what happens next."""
    user = request.user
    if user.role != Role.ENTERPRISE:
        raise Http404("未找到页面")
    if user.enterprise_id:
        return redirect("home")
    link = selectors.latest_of(user)
    data: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = _typed(request)
        try:
            actions.reapply(user, parse(inputs.ReapplyIn, request.POST))
        except DomainError as exc:
            if isinstance(exc, NotVisible):
                raise Http404(exc.message) from exc
            errors = _refused(request, exc, "uscc")
        else:
            messages.success(request, "已重新提交，请等待营商办审核")
            return redirect("signup_pending")
    elif link is not None:
        data = {
            "uscc": link.uscc,
            "enterprise_name": link.enterprise_name,
            "industry": link.industry,
            "scale": link.scale,
            "region": str(link.region_id),
            "contact_name": link.contact_name,
        }
    return render(
        request,
        "signup/pending.html",
        {
            "link": link,
            "f": _by_name(inputs.ReapplyIn, data, errors, choices={"region": _regions()}),
        },
    )


def _office(request: AuthedRequest) -> None:
    if request.user.role != Role.DISPATCHER:
        raise Http404("未找到页面")


def queue(request: AuthedRequest) -> HttpResponse:
    _office(request)
    state = request.GET.get("state", LinkRequest.State.PENDING)
    if state not in LinkRequest.State.values:
        state = LinkRequest.State.PENDING
    qs = selectors.requests_visible_to(request.user).filter(state=state)
    return render(
        request,
        "signup/queue.html",
        {"links": qs[:200], "state": state, "states": LinkRequest.State.choices},
    )


def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _office(request)
    link = perform(request, lambda: selectors.get_request(request.user, pk))
    assert link is not None
    match = selectors.registry_match(request.user, link)
    return render(
        request,
        "signup/detail.html",
        {
            "link": link,
            "match": match,
            "existing": selectors.users_of(request.user, match),
            "actions": {a.name: a for a in workflow.LINKS.available(link, request.user)},
            "reject_fields": fields(inputs.RejectIn, textarea=("reason",)),
        },
    )


@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    done = perform(request, lambda: actions.approve(request.user, pk), success="已通过，账号已关联企业")
    return redirect("signup_request", pk=pk) if done is None else redirect("signup_queue")


@require_POST
def reject(request: AuthedRequest, pk: int) -> HttpResponse:
    done = perform(
        request,
        lambda: actions.reject(request.user, pk, parse(inputs.RejectIn, request.POST)),
        success="已驳回，已通知申请人",
    )
    return redirect("signup_request", pk=pk) if done is None else redirect("signup_queue")
