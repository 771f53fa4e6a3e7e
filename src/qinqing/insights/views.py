"""Pages of the insights app: common issues (candidates, confirmation, joint answer), flagged replies, links."""

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.models import Role
from qinqing.appeals import selectors
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.params import date_or
from qinqing.insights import services
from qinqing.insights.api import reply_checks_visible_to
from qinqing.organisation.selectors import departments_in_reach


@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    try:
        appeal = selectors.get_visible_appeal(request.user, number)
        related = selectors.get_visible_appeal(request.user, request.POST.get("related", "").strip().upper())
        services.link_appeals(appeal=appeal, related=related, by=request.user)
        messages.success(request, f"已关联 {related.number}")
    except NotVisible as exc:
        raise Http404("未找到该诉求") from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("appeal_detail", number=number)


def common_issues(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    today = timezone.localdate()
    start = date_or(request.GET.get("start"), today - dt.timedelta(days=30))
    end = date_or(request.GET.get("end"), today)
    context = {"issues": services.common_issues_visible_to(user)[:100], "start": start, "end": end}
    if user.role in (Role.DISPATCHER, Role.LEADER):
        try:
            context["groups"] = services.candidate_groups(user, start=start, end=end)
        except DomainError as exc:
            messages.error(request, exc.message)
            context["groups"] = []
        if user.role == Role.DISPATCHER:
            context["departments"] = departments_in_reach(user.region)
    return render(request, "insights/common_issues.html", context)


@require_POST
def confirm_issue(request: HttpRequest) -> HttpResponse:
    user = request.user
    post = request.POST
    try:
        departments = departments_in_reach(user.region) if user.region_id else None
        if departments is None:
            raise services.NotPermitted("只有营商办调度员可以确认共性问题")
        lead = departments.filter(pk=post.get("lead") or 0).first()
        if lead is None:
            raise services.InvalidInput("请选择牵头单位", {"lead": ["请选择牵头单位"]})
        co = list(departments.filter(pk__in=[int(x) for x in post.getlist("co") if x.isdigit()]))
        numbers = post.getlist("appeals")
        appeals = list(selectors.appeals_visible_to(user).filter(number__in=numbers))
        if len(appeals) != len(set(numbers)):
            raise NotVisible("未找到部分诉求")
        issue = services.confirm_common_issue(
            by=user,
            appeals=appeals,
            title=post.get("title", ""),
            lead=lead,
            co=co,
            summary=post.get("summary", ""),
            keywords=post.get("keywords", ""),
        )
    except DomainError as exc:
        messages.error(
            request, exc.message + ("：" + "；".join(sum(exc.errors.values(), [])) if exc.errors else "")
        )
        return redirect("insights_common")
    messages.success(request, f"已确认共性问题“{issue.title}”，涉及 {len(appeals)} 件诉求")
    return redirect("insights_issue", pk=issue.pk)


def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = services.common_issues_visible_to(request.user).filter(pk=pk).first()
    if issue is None:
        raise Http404("未找到该共性问题")
    if request.method == "POST":
        try:
            counts = services.answer_common_issue(
                issue=issue,
                by=request.user,
                measures=request.POST.get("measures", ""),
                result=request.POST.get("result", ""),
            )
            messages.success(
                request,
                f"已统一答复：{counts['replied']} 件诉求已答复企业，{counts['noted']} 件通知了其主办单位",
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("insights_issue", pk=pk)
    members = issue.members.select_related("enterprise", "lead_department").order_by("submitted_at")
    can_answer = (
        request.user.role in (Role.HANDLER, Role.DEPT_HEAD)
        and request.user.department_id == issue.lead_department_id
        and issue.status == issue.Status.OPEN
    )
    return render(
        request, "insights/issue_detail.html", {"issue": issue, "members": members, "can_answer": can_answer}
    )


def flagged_replies(request: HttpRequest) -> HttpResponse:
    try:
        checks = reply_checks_visible_to(request.user).filter(Q(flagged=True) | Q(score__isnull=True))[:200]
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return render(request, "insights/flagged_replies.html", {"checks": checks})
