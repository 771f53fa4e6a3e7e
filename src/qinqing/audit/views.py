"""The audit administrator's security log, the lockout page and the password change (which is audited)."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.views import PasswordChangeView
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from qinqing.accounts.models import Role
from qinqing.audit import selectors
from qinqing.audit.models import AuditRecord
from qinqing.audit.services import record


def security_log(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.AUDITOR:
        raise Http404("未找到页面")
    day = None
    raw_day = request.GET.get("day", "")
    if raw_day:
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD")
    action = request.GET.get("action", "")
    if action and action not in AuditRecord.Action.values:
        messages.error(request, "没有这种操作")
        action = ""
    actor = request.GET.get("actor", "").strip()[:150]
    records = selectors.records_visible_to(request.user, day=day, action=action, actor=actor)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = urlencode({"day": raw_day if day else "", "action": action, "actor": actor})
    return render(
        request,
        "audit/security_log.html",
        {
            "page": page,
            "day": raw_day if day else "",
            "action": action,
            "actor": actor,
            "actions": AuditRecord.Action.choices,
            "query": query,
        },
    )


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
