"""Pages of 政企交流 and 座谈会: series, meetings, the issues raised at them and the series' funnel."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import Category
from qinqing.core import excel, pages
from qinqing.core.inputs import parse
from qinqing.core.numbers import percent
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.meetings import actions, inputs, selectors, workflow
from qinqing.fieldwork.models import (
    Meeting,
    MeetingKind,
)
from qinqing.organisation.models import within
from qinqing.organisation.selectors import departments_in_reach

# ---------------------------------------------------------------- meetings


def meetings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    qs = selectors.meetings_visible_to(user).select_related("series")
    if request.method == "POST" and request.POST.get("action") == "series":
        made = pages.perform(
            request, lambda: actions.create_series(user, parse(inputs.SeriesIn, request.POST))
        )
        if made:
            messages.success(request, f"已创建系列：{made.name}")
        return redirect("fieldwork_meetings")
    if request.method == "POST":
        meeting = pages.perform(
            request, lambda: actions.schedule(user, parse(inputs.MeetingIn, request.POST))
        )
        if meeting is None:
            return redirect("fieldwork_meetings")
        messages.success(request, f"已创建活动：{meeting.title}")
        return redirect("fieldwork_meeting", pk=meeting.pk)
    series = selectors.series_visible_to(user)
    can_edit = user.role == Role.DISPATCHER
    return render(
        request,
        "fieldwork/meetings.html",
        {
            "meetings": qs[:100],
            "series": series,
            "kinds": MeetingKind.choices,
            "can_edit": can_edit,
            "leaders": selectors.hosts_for(user).filter(within(common.region_of(user), "region"))
            if can_edit
            else [],
            "departments": departments_in_reach(common.region_of(user)) if can_edit else [],
            "enterprises": selectors.enterprises_in_reach(user) if can_edit else [],
        },
    )


def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = common.found_or_404(lambda: actions.meeting(user, pk))
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        if action == "issues":
            made = pages.perform(request, lambda: actions.add_issues(user, pk, parse(inputs.IssuesIn, post)))
            if made is None:
                return render(request, "fieldwork/meeting.html", _meeting_context(request, meeting))
            messages.success(request, f"已登记 {len(made)} 条问题，进入受理队列")
        elif action == "announce":
            n = pages.perform(request, lambda: actions.announce(user, pk))
            if n is not None:
                messages.success(request, f"已向 {n} 位企业用户发送活动通知")
        elif action == "minutes":
            pages.perform(
                request,
                lambda: actions.record_minutes(user, pk, parse(inputs.MinutesIn, post)),
                success="会议纪要已保存",
            )
        else:
            messages.error(request, "操作不正确")
        return redirect("fieldwork_meeting", pk=pk)
    return render(request, "fieldwork/meeting.html", _meeting_context(request, meeting))


def _meeting_context(request: AuthedRequest, meeting: Meeting) -> dict:
    user = request.user
    office = user.role in (Role.DISPATCHER, Role.LEADER)
    appeals = selectors.meeting_appeals([meeting.pk])
    if not office:
        appeals = appeals.filter(pk__in=appeal_selectors.appeals_visible_to(user).values("pk"))
    return {
        "meeting": meeting,
        "funnel": selectors.funnel(appeals) if office else None,
        "appeals": appeals.select_related("enterprise", "category", "lead_department"),
        "actions": {a.name for a in workflow.MEETINGS.available(meeting, user)},
        "categories": Category.objects.filter(active=True),
        "issues_text": request.POST.get("text", "") if request.method == "POST" else "",
    }


def series_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible_to(request.user).filter(pk=pk).first()
    if series is None:
        raise Http404("未找到该系列")
    return render(request, "fieldwork/series.html", {"r": reports.series_report(series)})


def series_export(request: AuthedRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible_to(request.user).filter(pk=pk).first()
    if series is None:
        raise Http404("未找到该系列")
    r = reports.series_report(series)
    rows = [
        [
            x["meeting"].sequence,
            x["meeting"].theme,
            timezone.localtime(x["meeting"].starts_at),
            x["collected"],
            x["measures"],
            x["resolved"],
            percent(x["measures"], x["collected"]),
            percent(x["resolved"], x["collected"]),
        ]
        for x in r["rows"]
    ]
    t = r["total"]
    rows.append(
        [
            "合计",
            f"{len(r['rows'])}期",
            None,
            t["collected"],
            t["measures"],
            t["resolved"],
            percent(t["measures"], t["collected"]),
            percent(t["resolved"], t["collected"]),
        ]
    )
    headers = [
        "期数",
        "主题",
        "时间",
        "收集问题",
        "落实措施",
        "解决问题",
        "措施落实率（%）",
        "问题解决率（%）",
    ]
    content = excel.workbook([(series.name, headers, rows)])
    return excel.response(content, f"{series.name}-问题办理情况.xlsx")
