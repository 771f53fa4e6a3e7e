"""Pages of 首席服务官, 驻点专员 and linked leaders: who serves which enterprise when, their visits and the appeals they register."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import Appeal, Category
from qinqing.core import excel
from qinqing.core.errors import DomainError, InvalidInput, NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.models import (
    ServiceRole,
    Visit,
)
from qinqing.fieldwork.officers import selectors, services

# ---------------------------------------------------------------- officers


def officer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.OFFICER:
        raise Http404("未找到页面")
    today = timezone.localdate()
    assignments = selectors.assignments_of(user, today)
    rows = []
    for a in assignments:
        appeals = Appeal.objects.filter(enterprise=a.enterprise)
        rows.append({"assignment": a, **common.lights(appeals)})
    if request.method == "POST":
        served = Enterprise.objects.filter(pk__in=selectors.assigned_enterprise_ids(user))
        enterprise = served.filter(pk=request.POST.get("enterprise") or 0).first()
        try:
            if enterprise is None:
                raise InvalidInput("请选择包干企业", {"enterprise": ["请选择您包干服务的企业"]})
            appeal = services.register_for_enterprise(
                by=user,
                enterprise=enterprise,
                title=request.POST.get("title", ""),
                content=request.POST.get("content", ""),
                category=common.page_category(request.POST.get("category")),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
            messages.success(request, f"已代企业登记诉求 {appeal.number}，等待营商办受理")
        except DomainError as exc:
            common.fail(request, exc)
        return redirect("fieldwork_officer")
    visits = Visit.objects.filter(officer=user).select_related("enterprise")[:20]
    return render(
        request,
        "fieldwork/officer_home.html",
        {
            "rows": rows,
            "visits": visits,
            "categories": Category.objects.filter(active=True),
            "today": today,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def visit_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.OFFICER:
        raise Http404("未找到页面")
    enterprise = Enterprise.objects.filter(
        pk=request.GET.get("enterprise") or request.POST.get("enterprise") or 0
    )
    enterprise = enterprise.filter(pk__in=selectors.assigned_enterprise_ids(user)).first()
    if enterprise is None:
        raise Http404("该企业不在您的包干服务名单中")
    categories = Category.objects.filter(active=True)
    if request.method == "POST":
        post = request.POST
        try:
            issues = []
            for i in range(1, 4):
                content = (post.get(f"issue{i}_content") or "").strip()
                if content:
                    issues.append(
                        {
                            "title": post.get(f"issue{i}_title", ""),
                            "content": content,
                            "category": common.page_category(post.get(f"issue{i}_category")),
                        }
                    )
            visit, appeals = services.log_visit(
                by=user,
                enterprise=enterprise,
                visited_on=common.post_date(post.get("visited_on"), "走访日期"),
                people_met=post.get("people_met", ""),
                findings=post.get("findings", ""),
                policies=post.get("policies", ""),
                issues=issues,
            )
        except DomainError as exc:
            common.fail(request, exc)
            return render(
                request,
                "fieldwork/visit_new.html",
                {"enterprise": enterprise, "categories": categories, "post": post, "slots": range(1, 4)},
            )
        numbers = "、".join(a.number for a in appeals)
        messages.success(
            request, "走访已记录" + (f"，已登记诉求 {numbers}，等待营商办受理" if appeals else "")
        )
        return redirect("fieldwork_officer")
    return render(
        request,
        "fieldwork/visit_new.html",
        {
            "enterprise": enterprise,
            "categories": categories,
            "post": {"visited_on": timezone.localdate().isoformat()},
            "slots": range(1, 4),
        },
    )


def enterprise_service(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise's service history: who served it when, visits (with who went), appeals (with who served
    it then)."""
    user = request.user
    try:
        enterprise, history = selectors.service_record(user, pk)
    except NotVisible as exc:
        raise Http404("未找到该企业") from exc
    office = user.role in (Role.DISPATCHER, Role.LEADER)
    if request.method == "POST":
        try:
            target = User.objects.filter(pk=request.POST.get("user") or 0).first()
            if target is None:
                raise InvalidInput("请选择服务人员", {"user": ["请选择服务人员"]})
            services.assign_officer(
                by=user,
                enterprise=enterprise,
                user=target,
                role=request.POST.get("role", ""),
                on=common.post_date(request.POST.get("on"), "起始日期"),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "包干关系已更新，历史记录已保留")
        except DomainError as exc:
            common.fail(request, exc)
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
    people = (
        User.objects.filter(role__in=[Role.OFFICER, Role.LEADER], region__path__startswith=user.region.path)
        if office and user.role == Role.DISPATCHER
        else User.objects.none()
    )
    return render(
        request,
        "fieldwork/enterprise.html",
        {
            "enterprise": enterprise,
            "history": history,
            "visits": visits,
            "appeal_rows": appeal_rows,
            "people": people,
            "roles": ServiceRole.choices,
            "can_assign": user.role == Role.DISPATCHER,
            "contact_points": enterprise.contact_points.all() if office else [],
            "today": timezone.localdate(),
        },
    )


def linked(request: HttpRequest) -> HttpResponse:
    """A leader's "1+1" key enterprises, with the resident specialist and the open appeals of each."""
    user = request.user
    if user.role != Role.LEADER:
        raise Http404("未找到页面")
    today = timezone.localdate()
    rows = []
    for a in selectors.linked_enterprises(user):
        team = [s for s in selectors.served_by(a.enterprise, today) if s.user_id != user.pk]
        rows.append(
            {"assignment": a, "team": team, **common.lights(Appeal.objects.filter(enterprise=a.enterprise))}
        )
    return render(request, "fieldwork/linked.html", {"rows": rows})


def officer_report(request: HttpRequest) -> HttpResponse:
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


def officer_report_export(request: HttpRequest) -> HttpResponse:
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
            a.origin.officer.display_name,
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
