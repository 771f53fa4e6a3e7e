"""Pages of the insights app: common issues (candidates, confirmation, joint answer), flagged replies, links."""

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.accounts.scope import region_of
from qinqing.appeals import workflow as appeal_workflow
from qinqing.core import pages
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.inputs import parse
from qinqing.core.params import date_or
from qinqing.insights import actions, inputs, services
from qinqing.insights.api import reply_checks_visible_to
from qinqing.organisation.selectors import departments_in_reach


@require_POST
def link(request: AuthedRequest, number: str) -> HttpResponse:
    made = pages.perform(
        request, lambda: actions.link(request.user, number, parse(inputs.LinkIn, request.POST))
    )
    if made is not None:
        messages.success(request, f"已关联 {made.related.number}")
    return redirect("appeal_detail", number=number)


def common_issues(request: AuthedRequest) -> HttpResponse:
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
            context["departments"] = departments_in_reach(region_of(user))
    return render(request, "insights/common_issues.html", context)


@require_POST
def confirm_issue(request: AuthedRequest) -> HttpResponse:
    issue = pages.perform(
        request, lambda: actions.confirm(request.user, parse(inputs.CommonIssueIn, request.POST))
    )
    if issue is None:
        return redirect("insights_common")
    done = issue.outcome or {}
    messages.success(
        request,
        f"已确认共性问题“{issue.title}”，涉及 {issue.members.count()} 件诉求：{done.get('assigned', 0)} 件待受理的已分派给"
        f"{issue.lead_department.name}；{done.get('noted', 0)} 件在办的保留原主办单位，已在办理记录中注明；"
        f"{done.get('linked', 0)} 件已办结的仅作关联",
    )
    return redirect("insights_issue", pk=issue.pk)


def issue_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = pages.perform(request, lambda: actions.issue(request.user, pk))
    if (
        issue is None
    ):  # actions.issue refuses only with NotVisible, which perform has turned into a 404 already
        raise Http404("未找到该共性问题")
    if request.method == "POST":
        counts = pages.perform(
            request, lambda: actions.answer(request.user, pk, parse(inputs.IssueAnswerIn, request.POST))
        )
        if counts is not None:
            messages.success(
                request,
                f"已统一答复：{counts['replied']} 件诉求已答复企业，{counts['noted']} 件通知了其主办单位",
            )
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


def flagged_replies(request: AuthedRequest) -> HttpResponse:
    try:
        checks = list(
            reply_checks_visible_to(request.user)
            .filter(Q(flagged=True) | Q(score__isnull=True))
            .select_related("appeal__region")
            .prefetch_related("appeal__co_departments")[:200]
        )
    except DomainError as exc:
        raise Http404(exc.message) from exc
    # The reviewer's two actions on a held reply, straight from the list (the workflow table decides who).
    for c in checks:
        c.review_actions = {a.name for a in appeal_workflow.available_actions(c.appeal, request.user)} & {
            "release_reply",
            "send_back",
        }
    return render(request, "insights/flagged_replies.html", {"checks": checks})


# ---------------------------------------------------------------- partials fetched by htmx (docs/ui.md)


def similar_live(request: AuthedRequest) -> HttpResponse:
    """The "similar appeals" panel of the intake form, re-rendered while the enterprise types."""
    text = (request.GET.get("title", "") + request.GET.get("content", ""))[:2000]
    matches = []
    if len(text.strip()) >= 8:
        try:
            matches = actions.similar_appeals(request.user, text)
        except DomainError as exc:
            raise Http404(exc.message) from exc
    return render(request, "insights/_similar_live.html", {"matches": matches})


@require_POST
def reply_check(request: AuthedRequest, number: str) -> HttpResponse:
    """The reply form's quality check before sending; nothing is saved. A refusal is shown in the panel."""
    result, problem = None, ""
    try:
        result = actions.reply_check(request.user, number, parse(inputs.ReplyDraftIn, request.POST))
    except NotVisible as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        problem = pages.error_text(exc)
    return render(request, "insights/_reply_check_result.html", {"result": result, "problem": problem})
