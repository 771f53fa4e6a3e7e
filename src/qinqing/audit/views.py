"""The audit administrator's security log, the lockout page and the password change (which is audited)."""

import datetime as dt
from binascii import unhexlify
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.views import PasswordChangeView
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.audit import selectors
from qinqing.audit.models import AuditRecord
from qinqing.audit.services import record

EXPORT_LIMIT = 100_000


def _log_filters(request: AuthedRequest) -> dict:
    """The security log's filters from the query string; a malformed one is dropped with a Chinese message."""
    found: dict = {"raw": {}}
    for key in ("day", "start", "end"):
        raw = request.GET.get(key, "")
        if raw:
            try:
                found[key] = dt.date.fromisoformat(raw)
                found["raw"][key] = raw
            except ValueError:
                messages.error(request, "日期格式应为 YYYY-MM-DD")
    action = request.GET.get("action", "")
    if action and action not in AuditRecord.Action.values:
        messages.error(request, "没有这种操作")
        action = ""
    found["action"] = action
    found["actor"] = request.GET.get("actor", "").strip()[:150]
    found["target"] = request.GET.get("target", "").strip()[:200]
    found["raw"].update(action=action, actor=found["actor"], target=found["target"])
    return found


def _records(request: AuthedRequest):
    if request.user.role != Role.AUDITOR:
        raise Http404("未找到页面")
    f = _log_filters(request)
    records = selectors.records_visible_to(
        request.user,
        day=f.get("day"),
        start=f.get("start"),
        end=f.get("end"),
        action=f["action"],
        actor=f["actor"],
        target=f["target"],
    )
    return records, f["raw"]


def security_log(request: AuthedRequest) -> HttpResponse:
    from qinqing.audit.display import annotate

    records, raw = _records(request)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    page.object_list = annotate(page.object_list)
    query = urlencode({k: raw.get(k, "") for k in ("day", "start", "end", "action", "actor", "target")})
    return render(
        request,
        "audit/security_log.html",
        {
            "page": page,
            **{k: raw.get(k, "") for k in ("day", "start", "end", "action", "actor", "target")},
            "actions": AuditRecord.Action.choices,
            "query": query,
        },
    )


def security_log_export(request: AuthedRequest) -> HttpResponse:
    """The filtered log as an Excel workbook (itself an audited export)."""
    from qinqing.audit.display import annotate
    from qinqing.core import excel

    records, _raw = _records(request)
    rows = (
        (
            r.at,
            r.get_action_display(),
            r.get_outcome_display(),
            r.username,
            r.role_label,
            r.ip_address or "",
            r.path,
            r.target,
            "；".join(f"{k}：{v}" for k, v in r.shown),  # type: ignore[attr-defined]
            r.user_agent,
        )
        for chunk in _chunks(records[:EXPORT_LIMIT])
        for r in annotate(chunk)
    )
    headers = ["时间", "操作", "结果", "账号", "角色", "地址", "入口", "对象", "详情", "客户端"]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return excel.response(excel.workbook([("安全审计日志", headers, rows)]), f"安全审计日志-{stamp}.xlsx")


def _chunks(qs, size: int = 2000):
    batch = []
    for r in qs.iterator(chunk_size=size):
        batch.append(r)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked account or address (429, in Chinese)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)


class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(target, {self.request.get_host()}):
            return target
        return "/"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = password_validation.password_validators_help_texts()
        context["next"] = self.request.GET.get("next", "")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        record(AuditRecord.Action.PASSWORD_CHANGED, request=self.request, user=self.request.user)
        messages.success(self.request, "密码已修改")
        return response


ENROL_SALT = "qinqing.otp.enrol"


def _next(request: AuthedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


def second_factor(request: AuthedRequest) -> HttpResponse:
    """动态口令: verify the code of the bound authenticator, or bind one first (the secret travels signed in the
    form until a first correct code proves the app has it, so a GET writes nothing)."""
    from io import BytesIO

    from qinqing.accounts.security import is_verified, needs_second_factor

    user = request.user
    if not needs_second_factor(user) or is_verified(user):
        return redirect(_next(request))
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()
        if device is not None:
            ok = code.isdigit() and device.verify_token(code)
            action = AuditRecord.Action.OTP_VERIFIED
        else:
            try:
                key = signing.loads(request.POST.get("enrol", ""), salt=ENROL_SALT, max_age=900)
            except signing.BadSignature:
                key = None
            candidate = TOTPDevice(user=user, name="动态口令", key=key or "", confirmed=True)
            totp = (
                TOTP(unhexlify(key.encode()), candidate.step, candidate.t0, candidate.digits) if key else None
            )
            ok = bool(totp and code.isdigit() and totp.verify(int(code), tolerance=candidate.tolerance))
            if ok and totp is not None:  # ok implies totp; the check narrows it for mypy
                candidate.last_t = totp.t()
                candidate.save()
                device = candidate
            action = AuditRecord.Action.OTP_ENROLLED
        if ok:
            otp_login(request, device)
            record(action, request=request, user=user)
            return redirect(_next(request))
        record(AuditRecord.Action.OTP_FAILED, request=request, user=user, outcome=AuditRecord.Outcome.FAILURE)
        error = "动态口令不正确或已过期，请重新输入"
    context: dict = {"error": error, "next": _next(request), "enrolling": device is None}
    if device is None:
        from django_otp.util import random_hex

        key = request.POST.get("enrol") and _signed_key(request.POST["enrol"]) or random_hex(20)
        shown = TOTPDevice(user=user, name="动态口令", key=key)
        svg = BytesIO()
        write_qrcode_image(shown.config_url, svg)
        context.update(
            enrol=signing.dumps(key, salt=ENROL_SALT),
            secret=shown.config_url.split("secret=")[1].split("&")[0],
            qr=svg.getvalue().decode(),
        )
    return render(request, "accounts/second_factor.html", context, status=400 if error else 200)


def _signed_key(value: str) -> str | None:
    try:
        return signing.loads(value, salt=ENROL_SALT, max_age=900)
    except signing.BadSignature:
        return None


# ---------------------------------------------------------------- API tokens (self-service, audited)


def tokens(request: AuthedRequest) -> HttpResponse:
    """我的 API 令牌: name, prefix, created, last used, expiry; issue (shown once) and revoke."""
    from qinqing.accounts.models import ApiToken
    from qinqing.accounts.selectors import tokens_of

    user = request.user
    shown = ""
    if request.method == "POST":
        if "revoke" in request.POST:
            wanted = request.POST["revoke"]
            token = tokens_of(user).filter(pk=wanted).first() if wanted.isdigit() else None
            if token is None:
                raise Http404("未找到该令牌")
            if not token.revoked:
                token.revoked = True
                token.save(update_fields=["revoked"])
                record(AuditRecord.Action.TOKEN_REVOKED, request=request, user=user, token=token.prefix)
                messages.success(request, f"已吊销令牌 {token.prefix}…")
            return redirect("api_tokens")
        name = request.POST.get("name", "").strip()
        days_raw = request.POST.get("days", "").strip()
        if not name or len(name) > 60:
            messages.error(request, "请填写用途（不超过 60 字）")
        elif not days_raw.isdigit() or not 1 <= int(days_raw) <= 365:
            messages.error(request, "有效天数应在 1 到 365 之间")
        else:
            token, shown = ApiToken.issue(user=user, name=name, days=int(days_raw))
            record(
                AuditRecord.Action.TOKEN_ISSUED,
                request=request,
                user=user,
                token=token.prefix,
                days=int(days_raw),
            )
    listed = tokens_of(user)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": listed, "shown": shown, "default_days": settings.QINQING_API_TOKEN_DAYS},
    )


# ---------------------------------------------------------------- 授权审批: a second security administrator


def grants_page(request: AuthedRequest) -> HttpResponse:
    """Waiting grants first, then the last decided ones, each with its change in Chinese and the actions the
    machine offers this administrator (another's grant: approve, refuse; one's own: withdraw)."""
    from qinqing.accounts import grants
    from qinqing.accounts.models import GrantRequest, User
    from qinqing.accounts.selectors import grant_requests_visible_to
    from qinqing.audit.display import changes_text, names_for

    if request.user.role != Role.SECADMIN:
        raise Http404("未找到页面")
    visible = grant_requests_visible_to(request.user)
    pending = list(visible.filter(state=GrantRequest.State.PENDING).order_by("requested_at", "id"))
    decided = list(visible.exclude(state=GrantRequest.State.PENDING).order_by("-decided_at", "-id")[:50])

    def diff(g: GrantRequest) -> dict:
        return {f: [g.before.get(f, ""), v] for f, v in g.proposed.items() if g.before.get(f, "") != v}

    names = names_for((User, diff(g)) for g in pending + decided)
    for g in pending + decided:
        g.change_text = changes_text(User, diff(g), names)  # type: ignore[attr-defined]
        g.offered = grants.GRANTS.available(g, request.user)  # type: ignore[attr-defined]
    return render(
        request,
        "audit/grants.html",
        {"pending": pending, "decided": decided, "approval_on": settings.QINQING_GRANT_APPROVAL},
    )


def grant_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    from qinqing.accounts import grants, inputs
    from qinqing.accounts.selectors import grant_requests_visible_to
    from qinqing.core.inputs import parse
    from qinqing.core.pages import perform

    if request.method != "POST":
        return redirect("grants")
    grant = grant_requests_visible_to(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404("未找到该授权申请")

    def run():
        data = parse(inputs.GrantDecisionIn, request.POST)
        return grants.decide(grant=grant, by=request.user, action=data.action, note=data.note)

    done = perform(request, run)
    if done is not None:
        messages.success(request, f"授权申请 #{done.pk}：{done.get_state_display()}")
    return redirect("grants")
