"""Pages: the notification centre and supervision orders (督办)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.accounts.scope import region_of
from qinqing.core import pages
from qinqing.core.errors import DomainError
from qinqing.core.inputs import parse
from qinqing.core.numbers import rate
from qinqing.core.params import date_or
from qinqing.supervision import actions, inputs, services, workflow
from qinqing.supervision import selectors as supervision_selectors
from qinqing.supervision.models import SupervisionOrder


def notifications(request: AuthedRequest) -> HttpResponse:
    qs = supervision_selectors.notifications_for(request.user, unread=bool(request.GET.get("unread")))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/notifications.html",
        {"page": page, "unread_only": bool(request.GET.get("unread"))},
    )


def notification_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One's own message and the record of its copies: when each left, or why it did not (the gateway's answer)."""
    note = supervision_selectors.notification_of(request.user, pk)
    if note is None:
        raise Http404("未找到该消息")
    return render(
        request,
        "supervision/notification_detail.html",
        {"n": note, "deliveries": list(note.deliveries.all())},
    )


def preferences(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        done = pages.perform(
            request,
            lambda: services.set_preferences(request.user, parse(inputs.PreferencesIn, request.POST).enabled),
        )
        if done is not None:
            messages.success(request, "消息设置已保存")
        return redirect("notification_preferences")
    rows = supervision_selectors.preferences_of(request.user)
    return render(request, "supervision/preferences.html", {"rows": rows})


@require_POST
def notifications_read(request: AuthedRequest) -> HttpResponse:
    def call():
        return services.mark_read(request.user, parse(inputs.ReadIn, request.POST).ids or None)

    count = pages.perform(request, call)
    if count is not None:
        messages.success(request, f"已标记 {count} 条为已读")
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "notifications")


def orders(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    qs = supervision_selectors.orders_visible_to(request.user).prefetch_related("appeals")
    state = request.GET.get("state", "open")
    if state in SupervisionOrder.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "supervision/orders.html", {"page": page, "state": state})


def order_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    order = pages.perform(request, lambda: actions.order(request.user, pk))
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.answer(request.user, pk, parse(inputs.AnswerIn, request.POST)),
            success="已回复督办",
        )
        return redirect("supervision_order", pk=pk)
    available = {a.name: a for a in workflow.ORDERS.available(order, request.user)}
    return render(
        request,
        "supervision/order_detail.html",
        {"order": order, "can_answer": "answer" in available, "actions": available},
    )


@require_POST
def issue(request: AuthedRequest, number: str) -> HttpResponse:
    # The page issues an order about the appeal it stands on; the API may name several.
    data = {**request.POST.dict(), "appeals": [number]}
    order = pages.perform(request, lambda: actions.issue(request.user, parse(inputs.OrderIn, data)))
    if order is not None:
        messages.success(request, f"已向{order.department.name}发出督办")
    return redirect("appeal_detail", number=number)


# ---------------------------------------------------------------- department evaluation

PERIODS = [("week", "周"), ("month", "月"), ("quarter", "季度"), ("year", "年"), ("custom", "自定义")]
EVAL_HEADERS = [
    "排名",
    "单位",
    "等次",
    "综合得分",
    "收件数",
    "签收及时率",
    "按期办结率",
    "解决率",
    "满意率",
    "平均办理时长（工作日）",
    "退回率",
    "延期率",
    "重办率",
    "在办",
    "超期",
    "升级通报",
]


def _period(request: AuthedRequest):
    from qinqing.supervision.evaluation import period_bounds

    kind = request.GET.get("period", "month")
    today = timezone.localdate()
    anchor = date_or(request.GET.get("date"), today)
    if kind == "custom":
        try:
            start = dt.date.fromisoformat(request.GET.get("start", ""))
            end = dt.date.fromisoformat(request.GET.get("end", ""))
        except ValueError as exc:
            raise services.InvalidInput("自定义期间请填写开始和结束日期（YYYY-MM-DD）") from exc
        if start > end:
            raise services.InvalidInput("开始日期不能晚于结束日期")
        return kind, start, end
    if kind not in dict(PERIODS):
        kind = "month"
    start, end = period_bounds(kind, anchor)
    return kind, start, end


def _evaluation(request: AuthedRequest):
    from qinqing.supervision.evaluation import evaluate

    user = request.user
    if user.role not in (Role.DISPATCHER, Role.LEADER) or not user.region_id:
        raise Http404("未找到页面")
    kind, start, end = _period(request)
    difficulty = (
        int(request.GET["difficulty"]) if request.GET.get("difficulty", "") in ("1", "2", "3") else None
    )
    return kind, start, end, evaluate(region_of(user), start, end, difficulty=difficulty), difficulty


def _pct(v):
    return None if v is None else round(v * 100, 1)


# The columns of the evaluation that are measures (appeals.measures), in order.
EVAL_MEASURES = [
    "sign",
    "on_time",
    "resolution",
    "satisfaction",
    "handle_days",
    "return",
    "extension",
    "reopen",
]


def _cells(counts: dict, start, end, *, lead=None, avg=None, drill=True) -> list[dict]:
    from qinqing.appeals import measures

    cells = []
    for key in EVAL_MEASURES:
        num, den = counts.get(key, [0, 0])
        if key == "handle_days":
            cell = {"key": key, "display": "—" if avg is None else str(avg), "num": num, "den": den}
        else:
            cell = measures.figure(key, num, den)
        if drill:
            cell["num_url"] = measures.drill_url(key, measures.NUM, start, end, lead=lead)
            cell["den_url"] = measures.drill_url(key, measures.DEN, start, end, lead=lead)
        cells.append(cell)
    return cells


def evaluation(request: AuthedRequest) -> HttpResponse:
    from qinqing.supervision.evaluation import DEFINITIONS, EXTRA_COLUMNS, current_weights, totals

    try:
        kind, start, end, rows, difficulty = _evaluation(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision_evaluation")
    # Drill-downs list the appeals behind a figure; with a difficulty filter the list (all difficulties)
    # would not match, so the figures link only without it.
    drill = difficulty is None
    table = [
        (r, _cells(r.counts, start, end, lead=r.department.pk, avg=r.avg_handle_days, drill=drill))
        for r in rows
    ]
    total = totals(region_of(request.user), start, end, difficulty=difficulty)
    return render(
        request,
        "supervision/evaluation.html",
        {
            "rows": rows,
            "table": table,
            "total": _cells(total, start, end, drill=drill),
            "received_total": total["extension"][1],
            "kind": kind,
            "start": start,
            "end": end,
            "finished": end < timezone.localdate(),
            "periods": PERIODS,
            "definitions": DEFINITIONS,
            "weights": current_weights(),
            "extra_columns": EXTRA_COLUMNS,
            "difficulty": str(difficulty or ""),
            "query": request.GET.urlencode(),
        },
    )


def evaluation_export(request: AuthedRequest) -> HttpResponse:
    from qinqing.core import excel
    from qinqing.supervision.evaluation import EXTRA_COLUMNS, totals

    try:
        kind, start, end, rows, difficulty = _evaluation(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision_evaluation")
    data = [
        [
            r.rank if r.rank is not None else (r.unranked_reason or "—"),
            r.department.name,
            r.grade,
            r.score,
            r.received,
            _pct(r.rates["sign"]),
            _pct(r.rates["on_time"]),
            _pct(r.rates["resolution"]),
            _pct(r.rates["satisfaction"]),
            r.avg_handle_days,
            _pct(r.rates["return"]),
            _pct(r.rates["extension"]),
            _pct(r.rates["reopen"]),
            r.open,
            r.overdue,
            r.escalations,
            *r.extra_values,
        ]
        for r in rows
    ]
    total = totals(region_of(request.user), start, end, difficulty=difficulty)

    def pct(key):
        num, den = total[key]
        return _pct(rate(num, den))

    data.append(
        [
            "合计",
            region_of(request.user).name,
            "",
            None,
            total["extension"][1],
            pct("sign"),
            pct("on_time"),
            pct("resolution"),
            pct("satisfaction"),
            None,
            pct("return"),
            pct("extension"),
            pct("reopen"),
            sum(r.open for r in rows),
            sum(r.overdue for r in rows),
            sum(r.escalations for r in rows),
            *[None for _ in EXTRA_COLUMNS],
        ]
    )
    headers = [h + ("（%）" if h.endswith("率") else "") for h in EVAL_HEADERS]
    headers += [c.label for c in EXTRA_COLUMNS]
    content = excel.workbook([(f"部门考评 {start:%Y%m%d}-{end:%Y%m%d}", headers, data)])
    return excel.response(content, f"部门考评-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


# ---------------------------------------------------------------- weekly report and 红黑榜


def _office(request: AuthedRequest) -> None:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER) or not request.user.region_id:
        raise Http404("未找到页面")


def _day(value: str | None) -> dt.date:
    if value and len(value) == 7:  # <input type="month"> sends YYYY-MM
        value += "-01"
    return date_or(value, timezone.localdate())


def weekly(request: AuthedRequest) -> HttpResponse:
    from qinqing.supervision.weekly import report

    _office(request)
    data = report(request.user.region, _day(request.GET.get("week")))
    return render(request, "supervision/weekly.html", {"r": data, "query": request.GET.urlencode()})


def weekly_export(request: AuthedRequest) -> HttpResponse:
    from qinqing.core import excel
    from qinqing.supervision.weekly import report

    _office(request)
    r = report(request.user.region, _day(request.GET.get("week")))
    sheets = [
        (
            "概况",
            ["周起", "周止", "统计时点", "新收", "办结", *(f"{f['label']}（%）" for f in r["figures"])],
            [
                [
                    r["start"],
                    r["end"],
                    r["as_of"],
                    r["new"],
                    r["closed"],
                    *(_pct(f["rate"]) for f in r["figures"]),
                ]
            ],
        ),
        (
            "在办分布",
            ["单位", "绿灯", "黄灯", "红灯", "合计"],
            [[name, c["green"], c["yellow"], c["red"], c["total"]] for name, c in r["departments"]],
        ),
        (
            "超期事项",
            ["编号", "标题", "企业", "单位", "环节时限", "超期工作日"],
            [
                [
                    o["appeal"].number,
                    o["appeal"].title,
                    o["appeal"].enterprise.name,
                    o["department"],
                    o["appeal"].deadline,
                    o["days_overdue"],
                ]
                for o in r["overdue"]
            ],
        ),
        (
            "督办",
            ["督办单位", "督办要求", "要求回复", "状态", "诉求"],
            [
                [
                    o.department.name,
                    o.content,
                    o.respond_by,
                    o.get_state_display(),
                    "、".join(a.number for a in o.appeals.all()),
                ]
                for o in r["orders"]
            ],
        ),
    ]
    return excel.response(excel.workbook(sheets), f"每周督办-{r['start']:%Y%m%d}.xlsx")


def honours(request: AuthedRequest) -> HttpResponse:
    """红黑榜: the preview of a month; publishing takes a second step (``?confirm=1``) that shows exactly what
    will be published, and its form asks once more."""
    from qinqing.supervision import honours as lists

    _office(request)
    month = _day(request.GET.get("month") or request.POST.get("month")).replace(day=1)
    if request.method == "POST":
        if request.POST.get("confirmed") != "1":
            messages.error(request, "请先核对将要发布的榜单，再确认发布")
            return redirect(f"{reverse('supervision_honours')}?month={month:%Y-%m}&confirm=1")
        published = pages.perform(request, lambda: lists.publish(by=request.user, month=month))
        if published is not None:
            messages.success(request, f"已发布 {published.month:%Y年%m月} 红黑榜")
            return redirect("public_honour", pk=published.pk)
    existing = (
        supervision_selectors.honour_lists_of(request.user)
        .filter(region=request.user.region, month=month)
        .first()
    )
    preview = lists.preview(request.user.region, month)
    can_publish = (
        request.user.role == Role.DISPATCHER
        and existing is None
        and preview["finished"]
        and bool(preview["red"] or preview["black"])
    )
    return render(
        request,
        "supervision/honours.html",
        {
            "month": month,
            "preview": preview,
            "existing": existing,
            "published": supervision_selectors.honour_lists_of(request.user)[:24],
            "can_publish": can_publish,
            "confirming": can_publish and request.GET.get("confirm") == "1",
        },
    )


@login_not_required
def public_honours(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/public_honours.html",
        {"lists": supervision_selectors.published_honour_lists()[:60]},
    )


@login_not_required
def public_honour(request: HttpRequest, pk: int) -> HttpResponse:
    item = supervision_selectors.published_honour_lists().filter(pk=pk).first()
    if item is None:
        raise Http404("未找到该红黑榜")
    return render(request, "supervision/public_honour.html", {"item": item})


@require_POST
def contest(request: AuthedRequest, number: str) -> HttpResponse:
    pages.perform(
        request,
        lambda: actions.contest(request.user, number, parse(inputs.ContestIn, request.POST)),
        success="已提交评价申诉，等待营商办审核",
    )
    return redirect("appeal_detail", number=number)


@require_POST
def decide_contest(request: AuthedRequest, number: str) -> HttpResponse:
    pages.perform(
        request,
        lambda: actions.decide(request.user, number, parse(inputs.DecideIn, request.POST)),
        success="已处理评价申诉",
    )
    return redirect("appeal_detail", number=number)
