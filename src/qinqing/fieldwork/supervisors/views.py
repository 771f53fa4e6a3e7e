"""Pages of 特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they bring."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import Category
from qinqing.core import excel
from qinqing.core.errors import DomainError, InvalidInput
from qinqing.core.params import date_or
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.models import (
    SPOT_CHECK_ITEM_MAX,
    SPOT_CHECK_ITEMS,
    Clue,
    SupervisorBackground,
)
from qinqing.fieldwork.supervisors import selectors, services, workflow
from qinqing.organisation.models import Department
from qinqing.organisation.selectors import departments_in_reach

# ---------------------------------------------------------------- supervisors and clues


def supervisor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.SUPERVISOR:
        raise Http404("未找到页面")
    sup = getattr(user, "supervisor", None)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        try:
            department = Department.objects.filter(pk=post.get("department") or 0).first()
            if action == "clue":
                clue = services.submit_clue(
                    by=user,
                    title=post.get("title", ""),
                    content=post.get("content", ""),
                    department=department,
                    subject=post.get("subject", ""),
                    occurred_on=common.post_date(post["occurred_on"], "发生日期")
                    if post.get("occurred_on")
                    else None,
                )
                messages.success(request, f"线索已提交，编号 {clue.number}，内容仅营商办和纪检监察机关可见")
            elif action == "spot_check":
                if department is None:
                    raise InvalidInput("请选择被抽查单位", {"department": ["请选择被抽查单位"]})
                check = services.record_spot_check(
                    by=user,
                    department=department,
                    checked_on=common.post_date(post.get("checked_on"), "抽查日期"),
                    items={k: post.get(k) for k, _ in SPOT_CHECK_ITEMS},
                    place=post.get("place", ""),
                    comments=post.get("comments", ""),
                )
                messages.success(request, f"抽查记录已保存，得分 {check.score}")
            elif action == "appeal":
                enterprise = Enterprise.objects.filter(pk=post.get("enterprise") or 0).first()
                if enterprise is None:
                    raise InvalidInput("请选择企业", {"enterprise": ["请选择企业"]})
                appeal = services.register_as_supervisor(
                    by=user,
                    enterprise=enterprise,
                    title=post.get("title", ""),
                    content=post.get("content", ""),
                    category=common.page_category(post.get("category")),
                )
                messages.success(request, f"已代企业登记诉求 {appeal.number}")
            else:
                raise InvalidInput("操作不正确")
        except DomainError as exc:
            common.fail(request, exc)
        return redirect("fieldwork_supervisor")
    region_path = sup.region.path if sup else "/-/"
    return render(
        request,
        "fieldwork/supervisor_home.html",
        {
            "sup": sup,
            "clues": selectors.clues_visible_to(user)[:50],
            "checks": selectors.spot_checks_visible_to(user)[:50],
            "appeals": appeal_selectors.appeals_visible_to(user).select_related("enterprise")[:50],
            "departments": departments_in_reach(sup.region) if sup else [],
            "enterprises": Enterprise.objects.filter(region__path__startswith=region_path)[:500],
            "categories": Category.objects.filter(active=True),
            "items": SPOT_CHECK_ITEMS,
            "item_max": SPOT_CHECK_ITEM_MAX,
            "today": timezone.localdate(),
        },
    )


def clues(request: HttpRequest) -> HttpResponse:
    user = request.user
    discipline = (
        user.role in (Role.HANDLER, Role.DEPT_HEAD)
        and user.department_id
        and user.department.kind == Department.Kind.DISCIPLINE
    )
    if user.role not in (Role.DISPATCHER, Role.SUPERVISOR) and not discipline:
        raise Http404("未找到页面")
    qs = selectors.clues_visible_to(user)
    state = request.GET.get("state", "")
    if state in Clue.State.values:
        qs = qs.filter(state=state)
    return render(
        request, "fieldwork/clues.html", {"clues": qs[:200], "states": Clue.State.choices, "state": state}
    )


def clue_detail(request: HttpRequest, number: str) -> HttpResponse:
    clue = selectors.clues_visible_to(request.user).filter(number=number).first()
    if clue is None:
        raise Http404("未找到该线索")
    if request.method == "POST":
        try:
            services.handle_clue(
                clue=clue,
                by=request.user,
                action=request.POST.get("action", ""),
                note=request.POST.get("note", ""),
                finding=request.POST.get("finding", ""),
            )
            messages.success(request, "已处理")
        except DomainError as exc:
            common.fail(request, exc)
        return redirect("fieldwork_clue", number=number)
    return render(
        request,
        "fieldwork/clue.html",
        {
            "clue": clue,
            "events": clue.events.all(),
            "actions": workflow.CLUES.available(clue, request.user),
            "findings": Clue.Finding.choices,
        },
    )


def supervisors(request: HttpRequest) -> HttpResponse:
    user = common.office_or_404(request)
    start = date_or(request.GET.get("start"), timezone.localdate().replace(month=1, day=1))
    end = date_or(request.GET.get("end"), timezone.localdate())
    if request.method == "POST":
        post = request.POST
        try:
            common.office_or_404(request, write=True)
            target = User.objects.filter(pk=post.get("user") or 0).first()
            if target is None:
                raise InvalidInput("请选择账号", {"user": ["请选择特约监督员账号"]})
            services.appoint_supervisor(
                by=user,
                user=target,
                certificate_no=post.get("certificate_no", ""),
                background=post.get("background", ""),
                term_start=common.post_date(post.get("term_start"), "聘期开始"),
                term_end=common.post_date(post.get("term_end"), "聘期结束"),
                organisation=post.get("organisation", ""),
            )
            messages.success(request, "已聘任")
        except DomainError as exc:
            common.fail(request, exc)
        return redirect("fieldwork_supervisors")
    rows = reports.supervisor_report(user, start, end)
    if request.GET.get("export"):
        data = [
            [
                r["supervisor"].certificate_no,
                r["supervisor"].user.display_name,
                r["supervisor"].get_background_display(),
                r["supervisor"].organisation,
                r["supervisor"].term_start,
                r["supervisor"].term_end,
                r["clues"],
                r["appeals"],
                r["checks"],
                r["avg_score"],
            ]
            for r in rows
        ]
        headers = [
            "证书编号",
            "姓名",
            "界别",
            "工作单位",
            "聘期开始",
            "聘期结束",
            "提交线索",
            "代办诉求",
            "抽查次数",
            "抽查平均分",
        ]
        return excel.response(
            excel.workbook([("特约监督员履职情况", headers, data)]),
            f"特约监督员履职-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        )
    appointed = {s.user_id for s in selectors.supervisors_visible_to(user)}
    candidates = User.objects.filter(role=Role.SUPERVISOR, region__path__startswith=user.region.path).exclude(
        pk__in=appointed
    )
    checks = selectors.spot_checks_visible_to(user).filter(checked_on__gte=start, checked_on__lte=end)
    return render(
        request,
        "fieldwork/supervisors.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "checks": checks[:100],
            "candidates": candidates,
            "backgrounds": SupervisorBackground.choices,
            "can_edit": user.role == Role.DISPATCHER,
            "query": request.GET.urlencode(),
        },
    )
