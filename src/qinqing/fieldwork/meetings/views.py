"""Pages of 政企交流 and 座谈会: series, meetings, the issues raised at them and the series' funnel."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import Category
from qinqing.core import excel
from qinqing.core.errors import DomainError, InvalidInput
from qinqing.core.numbers import percent
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.meetings import selectors, services, workflow
from qinqing.fieldwork.models import (
    Meeting,
    MeetingKind,
)
from qinqing.organisation.models import Department
from qinqing.organisation.selectors import departments_in_reach

# ---------------------------------------------------------------- meetings


def meetings(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = selectors.meetings_visible_to(user).select_related("series")
    if user.role == Role.DISPATCHER and request.method == "POST" and request.POST.get("action") == "series":
        try:
            s = services.create_series(
                by=user,
                name=request.POST.get("name", ""),
                weekday=int(request.POST.get("weekday") or 0)
                if (request.POST.get("weekday") or "0").isdigit()
                else -1,
                place=request.POST.get("place", ""),
            )
            messages.success(request, f"已创建系列：{s.name}")
        except DomainError as exc:
            common.fail(request, exc)
        return redirect("fieldwork_meetings")
    if user.role == Role.DISPATCHER and request.method == "POST":
        post = request.POST
        try:
            series = selectors.series_visible_to(user).filter(pk=post.get("series") or 0).first()
            starts = post.get("starts_at", "")
            try:
                starts_at = timezone.make_aware(dt.datetime.fromisoformat(starts))
            except ValueError as exc:
                raise InvalidInput("请填写活动时间", {"starts_at": ["请填写正确的活动时间"]}) from exc
            meeting = services.schedule_meeting(
                by=user,
                theme=post.get("theme", ""),
                starts_at=starts_at,
                kind=post.get("kind") or None,
                series=series,
                place=post.get("place", ""),
                host=User.objects.filter(pk=post.get("host") or 0, role=Role.LEADER).first(),
                departments=Department.objects.filter(pk__in=post.getlist("departments")),
                enterprises=Enterprise.objects.filter(pk__in=post.getlist("enterprises")),
            )
        except DomainError as exc:
            common.fail(request, exc)
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
            "leaders": User.objects.filter(role=Role.LEADER, region__path__startswith=user.region.path)
            if can_edit
            else [],
            "departments": departments_in_reach(user.region) if can_edit else [],
            "enterprises": Enterprise.objects.filter(region__path__startswith=user.region.path)
            if can_edit
            else [],
        },
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meetings_visible_to(user).filter(pk=pk).select_related("series", "region").first()
    if meeting is None:
        raise Http404("未找到该活动")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issues":
                made = services.add_meeting_issues(
                    meeting=meeting, by=user, text=request.POST.get("issues", "")
                )
                messages.success(request, f"已登记 {len(made)} 条问题，进入受理队列")
            elif action == "announce":
                n = services.announce_meeting(meeting=meeting, by=user)
                messages.success(request, f"已向 {n} 位企业用户发送活动通知")
            elif action == "minutes":
                services.record_minutes(meeting=meeting, by=user, minutes=request.POST.get("minutes", ""))
                messages.success(request, "会议纪要已保存")
            else:
                raise InvalidInput("操作不正确")
        except DomainError as exc:
            common.fail(request, exc)
            if action == "issues":
                return render(request, "fieldwork/meeting.html", _meeting_context(request, meeting))
        return redirect("fieldwork_meeting", pk=pk)
    return render(request, "fieldwork/meeting.html", _meeting_context(request, meeting))


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict:
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
        "issues_text": request.POST.get("issues", "") if request.method == "POST" else "",
    }


def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible_to(request.user).filter(pk=pk).first()
    if series is None:
        raise Http404("未找到该系列")
    return render(request, "fieldwork/series.html", {"r": reports.series_report(series)})


def series_export(request: HttpRequest, pk: int) -> HttpResponse:
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
