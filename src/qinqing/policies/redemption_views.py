"""Pages of redemption (兑现): the enterprise's 我的兑现 (cards at 390 px), the department's and office's 兑现办理
queue (oldest deadline first), a case with its timeline and the forms the machine offers, an item's 公示 list,
the figures (per item, department, region; drill-down to the cases; Excel, audited as every export) and the
fee report (举报收费). Every POST goes through ``core.pages.perform`` and the one action of ``redemption_actions``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.core import excel, pages
from qinqing.core.errors import NotVisible
from qinqing.core.inputs import parse
from qinqing.policies import inputs, selectors, workflow
from qinqing.policies import redemption_actions as actions
from qinqing.policies import redemption_selectors as rs
from qinqing.policies.models import CaseState, Mode, RedemptionCase

STAFF = (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD)


def _or_404(call):
    try:
        return call()
    except NotVisible as exc:
        raise Http404(exc.message) from exc


def _row(user, case: RedemptionCase, now) -> dict:
    return {
        "case": case,
        "light": case.light(now),
        "account": rs.account_of(user, case),
        "actions": workflow.available_actions(case, user, now),
    }


def mine(request: AuthedRequest) -> HttpResponse:
    """我的兑现: the enterprise's own cases, newest first, as cards."""
    user = request.user
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        raise Http404("未找到页面")
    now = timezone.now()
    cases = list(rs.cases_visible_to(user).order_by("-created_at", "-pk")[:200])
    return render(request, "policies/redemption_mine.html", {"rows": [_row(user, c, now) for c in cases]})


def queue(request: AuthedRequest) -> HttpResponse:
    """兑现办理: the cases of the department's items (the office: of its region), oldest deadline first."""
    user = request.user
    if user.role not in STAFF:
        raise Http404("未找到页面")
    if request.method == "POST":
        item_id = int(request.POST.get("item_id") or 0)
        found = pages.perform(request, lambda: actions.open_candidates(user, item_id))
        if found is not None:
            messages.success(request, f"已生成候选名单：新增{found}家企业")
        return redirect("redemption_queue")
    state = request.GET.get("state", "")
    if state and state not in CaseState.values:
        state = ""
    item_text = request.GET.get("item", "")
    qs = rs.queue(user, state, int(item_text) if item_text.isdigit() else None)
    by, key = request.GET.get("by", ""), request.GET.get("key", "")
    if by in rs.GROUPS and key.isdigit():
        qs = qs.filter(rs.drill_filter(by, int(key)))
    now = timezone.now()
    cases = list(qs[:300])
    automatic = (
        list(selectors.items_managed_by(user).filter(mode=Mode.AUTOMATIC, active=True).order_by("name"))
        if user.role in (Role.HANDLER, Role.DEPT_HEAD)
        else []
    )
    return render(
        request,
        "policies/redemption_queue.html",
        {
            "rows": [_row(user, c, now) for c in cases],
            "state": state,
            "states": CaseState.choices,
            "automatic": automatic,
        },
    )


def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        do = request.POST.get("do", "")
        if do == "appeal":
            appeal = pages.perform(request, lambda: actions.raise_appeal(user, pk))
            if appeal is not None:
                return redirect("appeal_detail", number=appeal.number)
            return redirect("redemption_case", pk=pk)
        row = actions.INPUTS.get(do)
        if row is None:
            raise Http404("未找到该操作")
        pages.perform(
            request,
            lambda: actions.act(
                user, pk, do, parse(row.schema, request.POST), voucher=request.FILES.get("voucher")
            ),
            success=row.success,
        )
        if do == "object":
            return redirect("redemption_publicity", pk=int(request.POST.get("item_id") or 0))
        return redirect("redemption_case", pk=pk)
    case = _or_404(lambda: rs.get_case(user, pk))
    now = timezone.now()
    return render(
        request,
        "policies/redemption_case.html",
        {
            **_row(user, case, now),
            "events": rs.timeline(user, case),
            "materials": list(case.materials.all()),
            "budget_left": rs.budget_left(case.item) if user.role in STAFF else None,
            "today": timezone.localdate(),
        },
    )


def publicity(request: AuthedRequest, pk: int) -> HttpResponse:
    """公示: an item's confirmed cases, names masked; an enterprise of the region may object while it runs."""
    user = request.user
    item = _or_404(lambda: selectors.get_item(user, pk))
    rows = rs.publicity(user, item)
    may_object = (
        user.role == Role.ENTERPRISE
        and user.enterprise is not None
        and user.enterprise.region.is_within(item.document.region)
    )
    return render(
        request,
        "policies/redemption_publicity.html",
        {"item": item, "rows": rows, "may_object": may_object, "mine": user.enterprise_id},
    )


def figures(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role not in STAFF:
        raise Http404("未找到页面")
    by = request.GET.get("by", "item")
    if by not in rs.GROUPS:
        by = "item"
    rows = rs.figures(user, by)
    if request.GET.get("export") == "xlsx":
        headers = [
            "名称",
            "符合条件企业",
            "已拨付企业",
            "拨付金额（万元）",
            "中位用时（工作日）",
            "P90用时（工作日）",
        ]
        headers += ["兑现率", "剩余预算（万元）"]
        content = excel.workbook(
            [
                (
                    f"政策兑现{rs.GROUPS[by]}",
                    headers,
                    [
                        [
                            r["name"],
                            r["eligible"],
                            r["enterprises_paid"],
                            float(r["amount_paid"]),
                            r["median_days"],
                            r["p90_days"],
                            r["paid_share"],
                            float(r["budget_left"]) if r["budget_left"] is not None else None,
                        ]
                        for r in rows
                    ],
                )
            ]
        )
        return excel.response(content, f"政策兑现统计-{rs.GROUPS[by]}-{timezone.localdate():%Y%m%d}.xlsx")
    return render(
        request,
        "policies/redemption_figures.html",
        {"rows": rows, "by": by, "groups": rs.GROUPS.items()},
    )


def report_fee(request: AuthedRequest) -> HttpResponse:
    """举报收费: an enterprise reports anyone who asked a fee for a policy; an appeal of its own category."""
    user = request.user
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        raise Http404("未找到页面")
    if request.method == "POST":
        appeal = pages.perform(
            request,
            lambda: actions.report_fee(user, parse(inputs.FeeReportIn, request.POST)),
            success="举报已提交，营商办将依规处理并为您保密",
        )
        if appeal is not None:
            return redirect("appeal_detail", number=appeal.number)
    item_id = request.GET.get("item", "") or request.POST.get("item_id", "")
    item = selectors.items_visible_to(user).filter(pk=int(item_id)).first() if item_id.isdigit() else None
    return render(
        request,
        "policies/report_fee.html",
        {"item": item, "content": request.POST.get("content", "")},
    )
