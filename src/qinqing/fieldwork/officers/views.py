"""Pages of 首席服务官, 驻点专员 and linked leaders: who serves which enterprise when, their visits and the appeals they register."""

from __future__ import annotations

import datetime as dt
import uuid

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
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.models import (
    ServiceRole,
)
from qinqing.fieldwork.officers import actions, inputs, selectors

# ---------------------------------------------------------------- officers


def officer_home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.OFFICER:
        raise Http404("未找到页面")
    if request.method == "POST":
        appeal = pages.perform(
            request, lambda: actions.register_appeal(user, parse(inputs.OfficerAppealIn, request.POST))
        )
        if appeal:
            messages.success(request, f"已代企业登记诉求 {appeal.number}，等待营商办受理")
        return redirect("fieldwork_officer")
    today = timezone.localdate()
    return render(
        request,
        "fieldwork/officer_home.html",
        {
            "rows": selectors.workspace(user, today),
            "visits": selectors.own_visits(user)[:20],
            "categories": Category.objects.filter(active=True),
            "today": today,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def visit_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    chosen = request.GET.get("enterprise")  # the page is opened, and posts, at ?enterprise=<pk>
    enterprise = selectors.served_enterprise(
        user, int(chosen) if chosen is not None and chosen.isdigit() else None
    )
    if enterprise is None:
        raise Http404("该企业不在您的包干服务名单中")
    categories = Category.objects.filter(active=True)
    context = {
        "enterprise": enterprise,
        "categories": categories,
        "slots": range(1, inputs.VISIT_ISSUE_SLOTS + 1),
    }
    if request.method == "POST":
        data = inputs.visit_form(request.POST)
        done = pages.perform(request, lambda: actions.log_visit(user, parse(inputs.VisitIn, data)))
        if done is None:
            return render(request, "fieldwork/visit_new.html", {**context, "post": request.POST})
        numbers = "、".join(a.number for a in done[1])
        messages.success(
            request, "走访已记录" + (f"，已登记诉求 {numbers}，等待营商办受理" if numbers else "")
        )
        return redirect("fieldwork_officer")
    return render(
        request,
        "fieldwork/visit_new.html",
        {**context, "post": {"visited_on": timezone.localdate().isoformat()}},
    )


def enterprise_service(request: AuthedRequest, pk: int) -> HttpResponse:
    """One enterprise's service history: who served it when, visits (with who went), appeals (with who served
    it then)."""
    user = request.user
    enterprise, history = common.found_or_404(lambda: selectors.service_record(user, pk))
    office = user.role in (Role.DISPATCHER, Role.LEADER)
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.assign(user, pk, parse(inputs.ServiceAssignIn, request.POST)),
            success="包干关系已更新，历史记录已保留",
        )
        return redirect("fieldwork_enterprise", pk=pk)
    visits = enterprise.visits.select_related("officer")
    appeals = list(
        appeal_selectors.appeals_visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("lead_department", "origin__officer")[:50]
    )

    def who_then(day: dt.date) -> str:
        names = [f"{a.get_role_display()} {a.user.display_name}" for a in history if a.covers(day)]
        return "、".join(names) or "—"

    appeal_rows = [
        {"appeal": a, "served_by": who_then(timezone.localtime(a.submitted_at).date())} for a in appeals
    ]
    return render(
        request,
        "fieldwork/enterprise.html",
        {
            "enterprise": enterprise,
            "history": history,
            "visits": visits,
            "appeal_rows": appeal_rows,
            "people": selectors.people_for(user),
            "roles": ServiceRole.choices,
            "can_assign": user.role == Role.DISPATCHER,
            "contact_points": enterprise.contact_points.all() if office else [],
            "today": timezone.localdate(),
        },
    )


def linked(request: AuthedRequest) -> HttpResponse:
    """A leader's "1+1" key enterprises, with the resident specialist and the open appeals of each."""
    user = request.user
    if user.role != Role.LEADER:
        raise Http404("未找到页面")
    today = timezone.localdate()
    lights = selectors.lights_of_served(user, today)
    empty = {"open": 0, "red": 0, "yellow": 0}
    rows = [
        {
            "assignment": a,
            "team": [s for s in a.enterprise.team if s.user_id != user.pk],  # type: ignore[attr-defined]  # prefetched to_attr (linked_enterprises)
            **lights.get(a.enterprise_id, empty),
        }
        for a in selectors.linked_enterprises(user, today)
    ]
    return render(request, "fieldwork/linked.html", {"rows": rows})


def officer_report(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER, Role.OFFICER):
        raise Http404("未找到页面")
    start, end = common.quarter(request)
    rows = reports.officer_report(request.user, start, end)
    items = reports.coordination_items(request.user, start, end)
    return render(
        request,
        "fieldwork/officer_report.html",
        {
            "rows": rows,
            "items": [(a, reports.item_result(a)) for a in items],
            "start": start,
            "end": end,
            "quarter": f"{start.year}年第{(start.month - 1) // 3 + 1}季度",
            "query": request.GET.urlencode(),
        },
    )


OFFICER_HEADERS = [
    "服务官",
    "走访次数",
    "覆盖企业数",
    "包干企业数",
    "收集诉求",
    "已办结",
    "已评价",
    "满意数",
    "满意率（%）",
]
ITEM_HEADERS = ["序号", "诉求编号", "登记日期", "服务官", "企业", "事项内容", "责任单位", "状态", "办理结果"]


def officer_report_export(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER, Role.OFFICER):
        raise Http404("未找到页面")
    start, end = common.quarter(request)
    rows = reports.officer_report(request.user, start, end)
    items = reports.coordination_items(request.user, start, end)
    sheet1 = [
        [
            r.name,
            r.visits,
            r.covered,
            r.assigned,
            r.raised,
            r.closed,
            r.rated,
            r.satisfied,
            None if r.satisfaction is None else round(r.satisfaction * 100, 1),
        ]
        for r in rows
    ]
    sheet2 = [
        [
            i,
            a.number,
            timezone.localtime(a.submitted_at).date(),
            reports.officer_of(a).display_name,
            a.enterprise.name,
            f"{a.title}：{a.content}",
            "、".join([a.lead_department.name + "（主办）"] if a.lead_department else [])
            + "".join(f"、{d.name}（协办）" for d in a.co_departments.all()),
            a.get_status_display(),
            reports.item_result(a),
        ]
        for i, a in enumerate(items, start=1)
    ]
    tag = f"{start:%Y%m%d}-{end:%Y%m%d}"
    content = excel.workbook(
        [("工作季报表", OFFICER_HEADERS, sheet1), ("协调事项明细表", ITEM_HEADERS, sheet2)]
    )
    return excel.response(content, f"首席服务官工作季报-{tag}.xlsx")
