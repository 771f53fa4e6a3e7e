"""信易+ endpoints: credit status, list entries, list imports, objection and repair requests, 信易贷. The same
selectors, inputs and actions as the pages; an object the caller may not see answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qinqing.accounts.models import Role
from qinqing.core.errors import NotPermitted
from qinqing.credit import actions, inputs, selectors, services, workflow
from qinqing.credit.models import CreditEntry, CreditRequest, ImportBatch, LoanRequest

router = Router(tags=["信用信息（信易+）"])


class ListOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    legal_basis: str
    authority: str
    restrictive: bool


class EntryOut(Schema):
    id: int
    list: ListOut
    uscc: str
    name: str
    enterprise_id: int | None
    reason: str
    decision_no: str
    decided_on: dt.date
    earliest_end: dt.date | None
    display_until: dt.date
    in_force: bool
    status: str
    ended_at: dt.datetime | None
    ended_reason: str


def _list(c) -> ListOut:
    return ListOut(
        id=c.pk,
        code=c.code,
        kind=c.kind,
        kind_label=c.get_kind_display(),
        name=c.name,
        legal_basis=c.legal_basis,
        authority=c.authority_label,
        restrictive=c.restrictive,
    )


def _entry(e: CreditEntry, today: dt.date) -> EntryOut:
    return EntryOut(
        id=e.pk,
        list=_list(e.credit_list),
        uscc=e.uscc,
        name=e.name,
        enterprise_id=e.enterprise_id,
        reason=e.reason,
        decision_no=e.decision_no,
        decided_on=e.decided_on,
        earliest_end=e.earliest_end,
        display_until=e.display_until,
        in_force=e.in_force(today),
        status=e.status_label,
        ended_at=e.ended_at,
        ended_reason=e.ended_reason,
    )


class StatusOut(Schema):
    uscc: str
    restricted: bool
    red_listed: bool
    entries: list[EntryOut]


@router.get("/status", response=StatusOut, summary="我的信用（企业用户）：本企业名单条目及原因")
def status(request):
    user = request.auth
    if user.role != Role.ENTERPRISE or user.enterprise is None:
        raise NotPermitted("仅企业用户可查看本企业信用状况")
    today = timezone.localdate()
    entries = selectors.entries_for_enterprise(user, user.enterprise)
    force = [e for e in entries if e.in_force(today)]
    return StatusOut(
        uscc=user.enterprise.uscc,
        restricted=any(e.credit_list.restrictive for e in force),
        red_listed=any(not e.credit_list.restrictive for e in force),
        entries=[_entry(e, today) for e in entries],
    )


@router.get("/lists", response=list[ListOut], summary="信用名单（名称、类型、设列依据、认定部门）")
def lists(request):
    return [_list(c) for c in selectors.lists_visible_to(request.auth)]


@router.get("/entries", response=list[EntryOut], summary="名单条目（本人可见范围）")
def entries(
    request,
    state: str = Query("in_force", max_length=10, description="in_force | all"),
    kind: str | None = Query(None, max_length=10),
    uscc: str | None = Query(None, max_length=40),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
):
    today = timezone.localdate()
    qs = selectors.entries_visible_to(request.auth)
    if state == "in_force":
        qs = qs.in_force(today)
    if kind:
        qs = qs.filter(credit_list__kind=kind)
    if uscc:
        from qinqing.credit.codes import normalise_code

        qs = qs.filter(uscc=normalise_code(uscc))
    return [_entry(e, today) for e in qs[offset : offset + limit]]


@router.get("/entries/{entry_id}", response=EntryOut, summary="名单条目")
def entry(request, entry_id: int):
    return _entry(selectors.get_entry(request.auth, entry_id), timezone.localdate())


class BatchOut(Schema):
    id: int
    list_id: int
    filename: str
    encoding: str
    source: str
    imported_at: dt.datetime
    rows: int
    added: int
    changed: int
    removed: int
    unchanged: int
    refused: int
    refused_rows: list[dict]
    summary: str


def _batch(b: ImportBatch) -> BatchOut:
    return BatchOut(
        id=b.pk,
        list_id=b.credit_list_id,
        filename=b.filename,
        encoding=b.encoding,
        source=b.source,
        imported_at=b.imported_at,
        rows=b.rows,
        added=b.added,
        changed=b.changed,
        removed=b.removed,
        unchanged=b.unchanged,
        refused=b.refused,
        refused_rows=b.refused_rows,
        summary=b.summary,
    )


@router.post(
    "/lists/{list_id}/import",
    response={201: BatchOut},
    summary="导入整份名单（CSV/XLSX；文件中没有的条目将移出）",
)
def import_list(request, list_id: int, file: UploadedFile | None = File(None)):  # noqa: B008 - ninja's declaration style
    batch = actions.import_file(request.auth, list_id, file, ImportBatch.Source.API)
    return Status(201, _batch(batch))


@router.get("/batches", response=list[BatchOut], summary="导入批次（认定部门、营商办）")
def batches(request, limit: int = Query(50, ge=1, le=500)):
    return [_batch(b) for b in selectors.batches_visible_to(request.auth)[:limit]]


@router.get("/batches/{batch_id}", response=BatchOut, summary="导入批次")
def batch(request, batch_id: int):
    return _batch(selectors.get_batch(request.auth, batch_id))


class RequestOut(Schema):
    id: int
    entry_id: int
    enterprise: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    reason: str
    submitted_at: dt.datetime
    deadline: dt.datetime
    light: str | None
    decided_at: dt.datetime | None
    outcome: str
    actions: list[str]


def _request(r: CreditRequest, user) -> RequestOut:
    return RequestOut(
        id=r.pk,
        entry_id=r.entry_id,
        enterprise=r.enterprise.name,
        kind=r.kind,
        kind_label=r.get_kind_display(),
        state=r.state,
        state_label=r.get_state_display(),
        reason=r.reason,
        submitted_at=r.submitted_at,
        deadline=r.deadline,
        light=r.light(),
        decided_at=r.decided_at,
        outcome=r.outcome,
        actions=[a.name for a in workflow.REQUESTS.available(r, user)],
    )


@router.post(
    "/entries/{entry_id}/requests", response={201: RequestOut}, summary="提出异议或信用修复申请（企业用户）"
)
def file_request(request, entry_id: int, payload: inputs.RequestIn):
    made = actions.file_request(request.auth, entry_id, payload)
    return Status(201, _request(made, request.auth))


@router.get("/requests", response=list[RequestOut], summary="异议与信用修复申请（本人可见范围）")
def requests(
    request,
    state: str | None = Query(None, max_length=10),
    limit: int = Query(100, ge=1, le=1000),
):
    qs = selectors.requests_visible_to(request.auth)
    if state:
        qs = qs.filter(state=state)
    return [_request(r, request.auth) for r in qs[:limit]]


@router.get("/requests/{request_id}", response=RequestOut, summary="异议或信用修复申请")
def request_detail(request, request_id: int):
    return _request(selectors.get_request(request.auth, request_id), request.auth)


@router.post(
    "/requests/{request_id}/accept", response=RequestOut, summary="支持申请（认定部门）：条目提前移出"
)
def accept(request, request_id: int, payload: inputs.CreditDecideIn):
    return _request(actions.request_step(request.auth, request_id, "accept", payload), request.auth)


@router.post("/requests/{request_id}/refuse", response=RequestOut, summary="不予支持（认定部门）")
def refuse(request, request_id: int, payload: inputs.CreditDecideIn):
    return _request(actions.request_step(request.auth, request_id, "refuse", payload), request.auth)


@router.post("/requests/{request_id}/withdraw", response=RequestOut, summary="撤回申请（企业用户）")
def withdraw(request, request_id: int):
    return _request(actions.request_step(request.auth, request_id, "withdraw", None), request.auth)


class CheckOut(Schema):
    label: str
    met: bool | None
    detail: str


class ProductOut(Schema):
    id: int
    bank: str
    name: str
    region: str | None
    amount_min: int
    amount_max: int
    rate: str
    term_months: int
    conditions: str
    contact_name: str
    contact_phone: str
    checks: list[CheckOut]
    eligible: bool | None


@router.get("/products", response=list[ProductOut], summary="信易贷产品（企业用户附本企业条件核验）")
def products(request):
    user = request.auth
    out = []
    enterprise = user.enterprise if user.role == Role.ENTERPRISE else None
    held = selectors.active_entries(enterprise.uscc) if enterprise is not None else []
    for p in selectors.products_visible_to(user):
        checks = services.loan_checks(p, enterprise, entries=held) if enterprise is not None else []
        eligible = None
        if checks:
            eligible = (
                False
                if any(c.met is False for c in checks)
                else (True if all(c.met for c in checks) else None)
            )
        out.append(
            ProductOut(
                id=p.pk,
                bank=p.bank,
                name=p.name,
                region=p.region.name if p.region else None,
                amount_min=p.amount_min,
                amount_max=p.amount_max,
                rate=p.rate,
                term_months=p.term_months,
                conditions=p.conditions,
                contact_name=p.contact_name,
                contact_phone=p.contact_phone,
                checks=[CheckOut(label=c.label, met=c.met, detail=c.detail) for c in checks],
                eligible=eligible,
            )
        )
    return out


class LoanOut(Schema):
    id: int
    product_id: int
    product: str
    enterprise: str
    amount: int
    purpose: str
    state: str
    state_label: str
    submitted_at: dt.datetime
    passed_at: dt.datetime | None
    granted_amount: int | None
    outcome: str
    actions: list[str]


def _loan(loan: LoanRequest, user) -> LoanOut:
    return LoanOut(
        id=loan.pk,
        product_id=loan.product_id,
        product=str(loan.product),
        enterprise=loan.enterprise.name,
        amount=loan.amount,
        purpose=loan.purpose,
        state=loan.state,
        state_label=loan.get_state_display(),
        submitted_at=loan.submitted_at,
        passed_at=loan.passed_at,
        granted_amount=loan.granted_amount,
        outcome=loan.outcome,
        actions=[a.name for a in workflow.LOANS.available(loan, user)],
    )


@router.post("/loans", response={201: LoanOut}, summary="申请信易贷（企业用户）")
def apply_loan(request, payload: inputs.LoanIn):
    return Status(201, _loan(actions.apply_loan(request.auth, payload), request.auth))


@router.get("/loans", response=list[LoanOut], summary="信易贷申请（本人可见范围）")
def loans(request, limit: int = Query(100, ge=1, le=1000)):
    return [_loan(x, request.auth) for x in selectors.loans_visible_to(request.auth)[:limit]]


@router.get("/loans/{loan_id}", response=LoanOut, summary="信易贷申请")
def loan(request, loan_id: int):
    return _loan(selectors.get_loan(request.auth, loan_id), request.auth)


@router.post(
    "/loans/{loan_id}/{step}",
    response=LoanOut,
    summary="推送银行 pass / 记录放款 grant / 记录未获批 decline / 撤回 withdraw",
)
def loan_step(
    request, loan_id: int, step: Literal["pass", "grant", "decline", "withdraw"], payload: inputs.LoanStepIn
):
    return _loan(actions.loan_step(request.auth, loan_id, step, payload), request.auth)
