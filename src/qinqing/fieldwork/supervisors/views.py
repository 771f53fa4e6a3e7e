"""Pages of 特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they bring."""

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
from qinqing.core.params import date_or
from qinqing.fieldwork import common, reports
from qinqing.fieldwork.models import (
    SPOT_CHECK_ITEM_MAX,
    SPOT_CHECK_ITEMS,
    Clue,
    SupervisorBackground,
)
from qinqing.fieldwork.supervisors import actions, inputs, selectors, workflow
from qinqing.organisation.selectors import departments_in_reach

# ---------------------------------------------------------------- supervisors and clues


def supervisor_home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.SUPERVISOR:
        raise Http404("未找到页面")
    sup = selectors.own_supervisor(user)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        if action == "clue":
            clue = pages.perform(request, lambda: actions.submit_clue(user, parse(inputs.ClueIn, post)))
            if clue:
                messages.success(request, f"线索已提交，编号 {clue.number}，内容仅营商办和纪检监察机关可见")
        elif action == "spot_check":
            data = {
                **post.dict(),
                "items": {k: post[k] for k, _ in SPOT_CHECK_ITEMS if post.get(k, "") != ""},
            }
            check = pages.perform(request, lambda: actions.spot_check(user, parse(inputs.SpotCheckIn, data)))
            if check:
                messages.success(request, f"抽查记录已保存，得分 {check.score}")
        elif action == "appeal":
            appeal = pages.perform(
                request, lambda: actions.register_appeal(user, parse(common.AgentAppealIn, post))
            )
            if appeal:
                messages.success(request, f"已代企业登记诉求 {appeal.number}")
        else:
            messages.error(request, "操作不正确")
        return redirect("fieldwork_supervisor")
    return render(
        request,
        "fieldwork/supervisor_home.html",
        {
            "sup": sup,
            "clues": selectors.clues_visible_to(user)[:50],
            "checks": selectors.spot_checks_visible_to(user)[:50],
            "appeals": appeal_selectors.appeals_visible_to(user).select_related("enterprise")[:50],
            "departments": departments_in_reach(sup.region) if sup else [],
            "enterprises": selectors.enterprises_in_reach(user)[:500],
            "categories": Category.objects.filter(active=True),
            "items": SPOT_CHECK_ITEMS,
            "item_max": SPOT_CHECK_ITEM_MAX,
            "today": timezone.localdate(),
        },
    )


def clues(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not selectors.may_see_clues(user):
        raise Http404("未找到页面")
    qs = selectors.clues_visible_to(user)
    state = request.GET.get("state", "")
    if state in Clue.State.values:
        qs = qs.filter(state=state)
    return render(
        request, "fieldwork/clues.html", {"clues": qs[:200], "states": Clue.State.choices, "state": state}
    )


def clue_detail(request: AuthedRequest, number: str) -> HttpResponse:
    clue = common.found_or_404(lambda: actions.clue(request.user, number))
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.handle_clue(request.user, number, parse(inputs.ClueActionIn, request.POST)),
            success="已处理",
        )
        return redirect("fieldwork_clue", number=number)
    actions.record_read(request.user, [clue])
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


def supervisors(request: AuthedRequest) -> HttpResponse:
    user = common.office_or_404(request)
    start = date_or(request.GET.get("start"), timezone.localdate().replace(month=1, day=1))
    end = date_or(request.GET.get("end"), timezone.localdate())
    if request.method == "POST":
        pages.perform(
            request, lambda: actions.appoint(user, parse(inputs.AppointIn, request.POST)), success="已聘任"
        )
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
    candidates = selectors.candidates(user)
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
