"""Pages of 信易+: an enterprise's own credit status (我的信用) with its objection and repair requests, the
entries and requests staff may see, the lists with their import (for the authority and the office), and 信易贷."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.core import pages
from qinqing.core.inputs import fields, parse
from qinqing.credit import actions, inputs, selectors, services, workflow
from qinqing.credit.models import CreditRequest, ImportBatch, LoanRequest

STAFF = (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD, Role.OFFICER)


def _page(request: AuthedRequest, qs, size: int = 30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def home(request: AuthedRequest) -> HttpResponse:
    """我的信用 for an enterprise; staff land on the entries they may see."""
    user = request.user
    if user.role != Role.ENTERPRISE:
        if user.role not in STAFF:
            raise Http404("未找到页面")
        return redirect("credit:entries")
    if user.enterprise is None:
        raise Http404("账号未关联企业")
    today = timezone.localdate()
    entries = selectors.entries_for_enterprise(user, user.enterprise)
    in_force = [e for e in entries if e.in_force(today)]
    return render(
        request,
        "credit/status.html",
        {
            "enterprise": user.enterprise,
            "in_force": in_force,
            "restricted": [e for e in in_force if e.credit_list.restrictive],
            "red": [e for e in in_force if not e.credit_list.restrictive],
            "past": [e for e in entries if not e.in_force(today)],
            "requests": selectors.requests_visible_to(user)[:20],
            "loans": selectors.loans_visible_to(user)[:10],
        },
    )


def entries(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in STAFF:
        raise Http404("未找到页面")
    qs = selectors.entries_visible_to(request.user)
    today = timezone.localdate()
    state = request.GET.get("state", "in_force")
    if state == "in_force":
        qs = qs.in_force(today)
    elif state == "ended":
        qs = qs.exclude(pk__in=qs.in_force(today).values("pk"))
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(credit_list__kind=kind)
    q = request.GET.get("q", "").strip()[:60]
    if q:
        qs = qs.filter(Q(uscc__icontains=q) | Q(name__icontains=q) | Q(decision_no__icontains=q))
    return render(
        request,
        "credit/entries.html",
        {"page": _page(request, qs), "state": state, "kind": kind, "q": q, "kinds": _kinds()},
    )


def _kinds():
    from qinqing.credit.models import ListKind

    return ListKind.choices


def entry(request: AuthedRequest, pk: int) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_entry(request.user, pk))
    assert found is not None
    user = request.user
    own = user.role == Role.ENTERPRISE and user.enterprise is not None and user.enterprise.uscc == found.uscc
    requests = [r for r in selectors.requests_visible_to(user).filter(entry=found)]
    return render(
        request,
        "credit/entry.html",
        {
            "entry": found,
            "events": found.events.select_related("by", "request").all(),
            "requests": requests,
            "can_request": own and found.in_force(),
            "request_fields": fields(
                inputs.RequestIn, textarea=("reason",), choices={"kind": CreditRequest.Kind.choices}
            ),
            "days": {
                "objection": settings.QINQING_CREDIT_OBJECTION_DAYS,
                "repair": settings.QINQING_CREDIT_REPAIR_DAYS,
            },
        },
    )


@require_POST
def entry_request(request: AuthedRequest, pk: int) -> HttpResponse:
    made = pages.perform(
        request,
        lambda: actions.file_request(request.user, pk, parse(inputs.RequestIn, request.POST)),
        success="申请已提交，认定部门将在规定时限内办理",
    )
    if made is not None:
        return redirect("credit:request", pk=made.pk)
    return redirect("credit:entry", pk=pk)


def lists(request: AuthedRequest) -> HttpResponse:
    user = request.user
    managed = list(selectors.lists_managed_by(user))
    managed_ids = {c.pk for c in managed}
    return render(
        request,
        "credit/lists.html",
        {
            "lists": selectors.lists_visible_to(user),
            "managed_ids": managed_ids,
            "batches": selectors.batches_visible_to(user)[:20] if managed_ids else [],
            "max_mb": 50,
        },
    )


@require_POST
def list_import(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = pages.perform(
        request,
        lambda: actions.import_file(request.user, pk, request.FILES.get("file"), ImportBatch.Source.PAGE),
    )
    if batch is not None:
        from django.contrib import messages

        messages.success(
            request,
            f"导入完成：新增{batch.added}，变更{batch.changed}，移出{batch.removed}，拒收{batch.refused}",
        )
        return redirect("credit:batch", pk=batch.pk)
    return redirect("credit:lists")


def batch(request: AuthedRequest, pk: int) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_batch(request.user, pk))
    return render(request, "credit/batch.html", {"batch": found})


def requests(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.ENTERPRISE, Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    qs = selectors.requests_visible_to(user)
    state = request.GET.get("state", "submitted")
    if state in CreditRequest.State.values:
        qs = qs.filter(state=state)
    now = timezone.now()
    light = request.GET.get("light", "")
    if light == "red":
        qs = qs.filter(state=CreditRequest.State.SUBMITTED, deadline__lt=now)
    elif light == "yellow":
        qs = qs.filter(state=CreditRequest.State.SUBMITTED, deadline__gte=now, yellow_at__lte=now)
    return render(
        request,
        "credit/requests.html",
        {"page": _page(request, qs), "state": state, "light": light, "states": CreditRequest.State.choices},
    )


def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_request(request.user, pk))
    assert found is not None
    available = {a.name: a for a in workflow.REQUESTS.available(found, request.user)}
    return render(
        request,
        "credit/request.html",
        {
            "req": found,
            "actions": available,
            "events": found.events.select_related("by").all(),
            "decide_fields": fields(inputs.CreditDecideIn, textarea=("outcome",)),
        },
    )


@require_POST
def request_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    def call():
        data = None if step == "withdraw" else parse(inputs.CreditDecideIn, request.POST)
        return actions.request_step(request.user, pk, step, data)

    pages.perform(request, call, success="已办理")
    return redirect("credit:request", pk=pk)


def products(request: AuthedRequest) -> HttpResponse:
    user = request.user
    items = list(selectors.products_visible_to(user))
    checks = {}
    if user.role == Role.ENTERPRISE and user.enterprise is not None:
        held = selectors.active_entries(user.enterprise.uscc)
        checks = {p.pk: services.loan_checks(p, user.enterprise, entries=held) for p in items}
    rows = [
        {
            "product": p,
            "checks": checks.get(p.pk, []),
            "blocked": any(c.met is False for c in checks.get(p.pk, [])),
        }
        for p in items
    ]
    return render(
        request,
        "credit/products.html",
        {
            "rows": rows,
            "can_apply": user.role == Role.ENTERPRISE,
            "loan_fields": fields(inputs.LoanIn, textarea=("purpose",), only=("amount", "purpose")),
        },
    )


@require_POST
def loan_apply(request: AuthedRequest) -> HttpResponse:
    loan = pages.perform(
        request,
        lambda: actions.apply_loan(request.user, parse(inputs.LoanIn, request.POST)),
        success="申请已提交，营商办将推送给银行联系人",
    )
    if loan is not None:
        return redirect("credit:loan", pk=loan.pk)
    return redirect("credit:products")


def loans(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.ENTERPRISE, Role.DISPATCHER, Role.LEADER):
        raise Http404("未找到页面")
    qs = selectors.loans_visible_to(user)
    state = request.GET.get("state", "")
    if state in LoanRequest.State.values:
        qs = qs.filter(state=state)
    return render(
        request,
        "credit/loans.html",
        {"page": _page(request, qs), "state": state, "states": LoanRequest.State.choices},
    )


def loan(request: AuthedRequest, pk: int) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_loan(request.user, pk))
    assert found is not None
    available = {a.name: a for a in workflow.LOANS.available(found, request.user)}
    return render(request, "credit/loan.html", {"loan": found, "actions": available})


@require_POST
def loan_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    pages.perform(
        request,
        lambda: actions.loan_step(request.user, pk, step, parse(inputs.LoanStepIn, request.POST)),
        success="已记录",
    )
    return redirect("credit:loan", pk=pk)
