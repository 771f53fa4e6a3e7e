"""State changes of credit lists, requests and 信易贷 loans: one ``@transaction.atomic`` function per change, each
writing its events (``CreditEvent``) in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core import workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from qinqing.credit import workflow
from qinqing.credit.importing import Row, read_rows
from qinqing.credit.models import (
    RESTRICTIVE_KINDS,
    CreditEntry,
    CreditEvent,
    CreditList,
    CreditRequest,
    EndReason,
    FinancialProduct,
    ImportBatch,
    ListKind,
    LoanRequest,
)
from qinqing.enterprises.models import Enterprise
from qinqing.supervision.models import Notification
from qinqing.supervision.notify import notify

FIELDS = ("name", "reason", "decided_on", "display_until", "earliest_end")
CHUNK = 900  # codes per IN (): under SQLite's old 999-parameter limit

# ---------------------------------------------------------------- import


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _enterprise_ids(codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _chunks(codes):
        found.update(Enterprise.objects.filter(uscc__in=part).values_list("uscc", "id"))
    return found


def _date_text(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def _diff(entry: CreditEntry, row: Row) -> dict[str, list]:
    return {
        f: [_date_text(getattr(entry, f)), _date_text(getattr(row, f))]
        for f in FIELDS
        if getattr(entry, f) != getattr(row, f)
    }


def _apply(entry: CreditEntry, row: Row) -> None:
    for f in FIELDS:
        setattr(entry, f, getattr(row, f))


@transaction.atomic
def import_list(
    credit_list: CreditList,
    data: bytes,
    *,
    filename: str = "",
    by: User | None = None,
    source: str = ImportBatch.Source.COMMAND,
    today: dt.date | None = None,
) -> ImportBatch:
    """Apply a whole list as the authority sent it: new rows are added, rows whose content differs change the
    entry, entries of this list missing from the file are ended (removed), invalid rows are refused with their
    line and reason. Idempotent: the same file twice changes nothing the second time. A file that cannot be read
    as a list raises ``InvalidInput`` before anything is written."""
    parsed = read_rows(data, filename)  # raises before any write: nothing saved half
    credit_list = CreditList.objects.select_for_update().get(
        pk=credit_list.pk
    )  # one import per list at a time
    now = timezone.now()
    today = today or timezone.localdate()
    batch = ImportBatch.objects.create(
        credit_list=credit_list,
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=parsed.encoding,
        source=source,
        imported_by=by,
        imported_at=now,
        rows=parsed.lines,
        refused=len(parsed.refused),
        refused_rows=parsed.refused,
    )
    existing = {(e.uscc, e.decision_no): e for e in CreditEntry.objects.filter(credit_list=credit_list)}
    enterprise_ids = _enterprise_ids(sorted({r.uscc for r in parsed.rows}))
    new: list[CreditEntry] = []
    dirty: list[CreditEntry] = []
    events: list[CreditEvent] = []
    listed_enterprises: set[int] = set()
    unchanged = changed = added = 0
    for row in parsed.rows:
        entry = existing.get(row.key)
        ent_id = enterprise_ids.get(row.uscc)
        if entry is None:
            entry = CreditEntry(
                credit_list=credit_list,
                uscc=row.uscc,
                decision_no=row.decision_no,
                enterprise_id=ent_id,
                batch=batch,
            )
            _apply(entry, row)
            new.append(entry)
            added += 1
            if ent_id and entry.in_force(today):
                listed_enterprises.add(ent_id)
            continue
        diff = _diff(entry, row)
        relink = entry.enterprise_id != ent_id and ent_id is not None
        if entry.ended_at is not None and entry.ended_reason in (EndReason.REPAIRED, EndReason.OBJECTION):
            # Ended by a decision on the enterprise's request: the authority's old file does not undo it.
            unchanged += 1
            continue
        if entry.ended_at is not None and (
            entry.ended_reason == EndReason.REMOVED or row.display_until >= today
        ):
            # Back on the list (removed earlier and sent again, or its display extended past today).
            _apply(entry, row)
            entry.ended_at, entry.ended_reason, entry.enterprise_id, entry.batch = None, "", ent_id, batch
            dirty.append(entry)
            events.append(CreditEvent(entry=entry, kind=CreditEvent.Kind.RELISTED, at=now, data=diff, by=by))
            if ent_id and entry.in_force(today):
                listed_enterprises.add(ent_id)
            added += 1
            continue
        if diff:
            _apply(entry, row)
            entry.batch = batch
            if ent_id:
                entry.enterprise_id = ent_id
            dirty.append(entry)
            events.append(CreditEvent(entry=entry, kind=CreditEvent.Kind.CHANGED, at=now, data=diff, by=by))
            changed += 1
        else:
            if relink:
                entry.enterprise_id = ent_id
                dirty.append(entry)
            unchanged += 1
    seen = {r.key for r in parsed.rows} | parsed.protected
    removed_entries: list[CreditEntry] = []
    if parsed.rows or not parsed.refused:
        # A file whose every row was refused is a broken file, not an empty list: it removes nothing.
        for key, entry in existing.items():
            if entry.ended_at is None and key not in seen:
                entry.ended_at, entry.ended_reason = now, EndReason.REMOVED
                removed_entries.append(entry)
                events.append(
                    CreditEvent(
                        entry=entry,
                        kind=CreditEvent.Kind.ENDED,
                        at=now,
                        by=by,
                        note="认定部门报送的最新名单中已无此条目",
                        data={"reason": EndReason.REMOVED, "batch": batch.pk},
                    )
                )
    CreditEntry.objects.bulk_create(new, batch_size=500)
    events += [
        CreditEvent(entry=e, kind=CreditEvent.Kind.LISTED, at=now, by=by, data={"batch": batch.pk})
        for e in new
    ]
    CreditEntry.objects.bulk_update(
        dirty + removed_entries,
        [*FIELDS, "ended_at", "ended_reason", "enterprise", "batch", "updated_at"],
        batch_size=500,
    )
    CreditEvent.objects.bulk_create(events, batch_size=500)
    batch.added, batch.changed, batch.removed, batch.unchanged = (
        added,
        changed,
        len(removed_entries),
        unchanged,
    )
    batch.save(update_fields=["added", "changed", "removed", "unchanged"])
    if listed_enterprises and credit_list.restrictive:
        notify(
            User.objects.filter(role=Role.ENTERPRISE, enterprise_id__in=listed_enterprises, is_active=True),
            kind=Notification.Kind.CREDIT,
            title=f"贵企业被列入{credit_list.name}",
            body="请在“我的信用”查看列入事由；如有异议或已纠正失信行为，可提出异议或信用修复申请。",
            url=reverse("credit:status"),
        )
    return batch


def default_list(kind: str) -> CreditList:
    """The list an import by kind alone goes to: the one active list of that kind, created on first use."""
    if kind not in ListKind.values:
        raise InvalidInput(f"名单类型“{kind}”无效，应为 red、serious、abnormal 或 other 之一")
    found = list(CreditList.objects.filter(kind=kind, active=True)[:2])
    if len(found) > 1:
        raise InvalidInput(f"类型为 {kind} 的名单有多个，请用 --list 指定名单代码")
    if found:
        return found[0]
    return CreditList.objects.create(
        code=kind, kind=kind, name=ListKind(kind).label, legal_basis=DEFAULT_BASIS[kind]
    )


DEFAULT_BASIS: dict[str, str] = {
    ListKind.RED: "《国务院关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》（国发〔2016〕33号）",
    ListKind.SERIOUS: "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）",
    ListKind.ABNORMAL: "《企业信息公示暂行条例》；《企业经营异常名录管理暂行办法》（国家工商行政管理总局令第68号）",
    ListKind.OTHER: "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）",
}


# ---------------------------------------------------------------- expiry


@dataclass
class Expired:
    ended: int


@transaction.atomic
def expire_entries(today: dt.date | None = None) -> Expired:
    """End every entry whose display is over (``display_until`` before `today`). Idempotent: an ended entry is
    not touched again. Selectors filter on the date anyway, so a late sweep never shows an expired entry."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = list(
        CreditEntry.objects.select_for_update(skip_locked=True).filter(
            ended_at__isnull=True, display_until__lt=today
        )
    )
    for entry in due:
        entry.ended_at, entry.ended_reason = now, EndReason.EXPIRED
    CreditEntry.objects.bulk_update(due, ["ended_at", "ended_reason", "updated_at"], batch_size=500)
    CreditEvent.objects.bulk_create(
        [
            CreditEvent(
                entry=e,
                kind=CreditEvent.Kind.ENDED,
                at=now,
                note=f"公示期至{e.display_until:%Y-%m-%d}届满，自动移出",
                data={"reason": EndReason.EXPIRED},
            )
            for e in due
        ],
        batch_size=500,
    )
    return Expired(ended=len(due))


# ---------------------------------------------------------------- objection and repair requests


def request_days(kind: str) -> int:
    if kind == CreditRequest.Kind.REPAIR:
        return settings.QINQING_CREDIT_REPAIR_DAYS
    return settings.QINQING_CREDIT_OBJECTION_DAYS


def authority_users(credit_list: CreditList, enterprise: Enterprise | None):
    """Who decides requests about entries of this list (see ``workflow.is_authority``)."""
    active = User.objects.filter(is_active=True)
    if credit_list.authority is not None:
        return active.filter(
            Q(role=Role.HANDLER, department=credit_list.authority)
            | Q(role=Role.DEPT_HEAD, department_id__in=credit_list.authority.ancestor_ids())
        )
    if enterprise is None:
        return active.none()
    return active.filter(role=Role.DISPATCHER, region_id__in=enterprise.region.ancestor_ids())


def enterprise_users(enterprise_id: int):
    return User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True)


@transaction.atomic
def submit_request(*, entry: CreditEntry, by: User, kind: str, reason: str) -> CreditRequest:
    entry = (
        CreditEntry.objects.select_for_update(of=("self",))
        .select_related("credit_list__authority")
        .get(pk=entry.pk)
    )
    enterprise = by.enterprise if by.role == Role.ENTERPRISE else None
    if enterprise is None or enterprise.uscc != entry.uscc:
        raise NotPermitted("只有名单所列企业本身可以提出异议或信用修复申请")
    today = timezone.localdate()
    if not entry.in_force(today):
        raise TransitionNotAllowed("该条目已不在公示期内，无需申请")
    if kind not in CreditRequest.Kind.values:
        raise InvalidInput("申请类型无效", {"kind": ["应为异议申请或信用修复申请"]})
    if kind == CreditRequest.Kind.REPAIR:
        if entry.credit_list.kind not in RESTRICTIVE_KINDS:
            raise TransitionNotAllowed("红名单条目无需信用修复；如信息有误请提出异议")
        if entry.earliest_end and today < entry.earliest_end:
            raise TransitionNotAllowed(
                f"最短公示期至{entry.earliest_end:%Y-%m-%d}届满，期满后方可申请信用修复；如认为列入有误，可提出异议"
            )
    if CreditRequest.objects.filter(entry=entry, kind=kind, state=CreditRequest.State.SUBMITTED).exists():
        raise TransitionNotAllowed("该条目已有一件同类申请正在办理，请等待办理结果")
    now = timezone.now()
    days = request_days(kind)
    deadline = workcalendar.deadline_after(now, days)
    request = CreditRequest.objects.create(
        entry=entry,
        enterprise=enterprise,
        kind=kind,
        reason=reason,
        submitted_by=by,
        submitted_at=now,
        deadline=deadline,
        yellow_at=workcalendar.yellow_from(deadline, days),
    )
    CreditEvent.objects.create(
        entry=entry,
        request=request,
        kind=CreditEvent.Kind.REQUESTED,
        by=by,
        at=now,
        note=reason,
        data={"kind": kind, "deadline": deadline.isoformat(), "working_days": days},
    )
    notify(
        authority_users(entry.credit_list, enterprise),
        kind=Notification.Kind.CREDIT,
        title=f"{enterprise.name}提出{request.get_kind_display()}（{entry.credit_list.name}）",
        body=f"请于{workcalendar.local_date(deadline):%Y年%m月%d日}前办理：{reason[:200]}",
        url=reverse("credit:request", args=[request.pk]),
    )
    return request


def _locked_request(request: CreditRequest) -> CreditRequest:
    return (
        CreditRequest.objects.select_for_update(of=("self",))
        .select_related("entry__credit_list__authority", "enterprise__region")
        .get(pk=request.pk)
    )


@transaction.atomic
def decide_request(*, request: CreditRequest, by: User, accept: bool, outcome: str) -> CreditRequest:
    """The authority supports (accept) or refuses the request, with the outcome in words. Supporting a repair
    or an objection ends the entry now (信用修复 / 异议成立), as its own event."""
    request = _locked_request(request)
    action = workflow.REQUESTS.check(request, "accept" if accept else "refuse", by)
    now = timezone.now()
    request.state = action.target or request.state
    request.decided_by, request.decided_at, request.outcome = by, now, outcome
    request.save(update_fields=["state", "decided_by", "decided_at", "outcome"])
    entry = request.entry
    CreditEvent.objects.create(
        entry=entry,
        request=request,
        kind=CreditEvent.Kind.ACCEPTED if accept else CreditEvent.Kind.REFUSED,
        by=by,
        at=now,
        note=outcome,
        data={"on_time": request.on_time},
    )
    if accept and entry.ended_at is None:
        entry = CreditEntry.objects.select_for_update().get(pk=entry.pk)
        reason = EndReason.REPAIRED if request.kind == CreditRequest.Kind.REPAIR else EndReason.OBJECTION
        entry.ended_at, entry.ended_reason = now, reason
        entry.save(update_fields=["ended_at", "ended_reason", "updated_at"])
        CreditEvent.objects.create(
            entry=entry,
            request=request,
            kind=CreditEvent.Kind.ENDED,
            by=by,
            at=now,
            note=f"{request.get_kind_display()}经认定部门支持，提前移出名单",
            data={"reason": reason},
        )
    verdict = "已支持" if accept else "不予支持"
    notify(
        enterprise_users(request.enterprise_id),
        kind=Notification.Kind.CREDIT,
        title=f"您的{request.get_kind_display()}{verdict}",
        body=outcome[:500],
        url=reverse("credit:request", args=[request.pk]),
    )
    return request


@transaction.atomic
def withdraw_request(*, request: CreditRequest, by: User) -> CreditRequest:
    request = _locked_request(request)
    action = workflow.REQUESTS.check(request, "withdraw", by)
    request.state = action.target or request.state
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_at"])
    CreditEvent.objects.create(
        entry=request.entry, request=request, kind=CreditEvent.Kind.WITHDRAWN, by=by, at=request.decided_at
    )
    return request


@transaction.atomic
def remind_overdue_requests(now: dt.datetime | None = None) -> int:
    """Tell the authority, once per request, that a request has passed its deadline undecided. Idempotent."""
    now = now or timezone.now()
    due = list(
        CreditRequest.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("entry__credit_list__authority", "enterprise__region")
        .filter(state=CreditRequest.State.SUBMITTED, deadline__lt=now, overdue_notified_at__isnull=True)
    )
    for request in due:
        notify(
            authority_users(request.entry.credit_list, request.enterprise),
            kind=Notification.Kind.OVERDUE,
            title=f"{request.enterprise.name}的{request.get_kind_display()}已超过办理时限",
            body=f"办理时限为{workcalendar.local_date(request.deadline):%Y年%m月%d日}，请尽快办理。",
            url=reverse("credit:request", args=[request.pk]),
        )
        request.overdue_notified_at = now
    CreditRequest.objects.bulk_update(due, ["overdue_notified_at"])
    return len(due)


# ---------------------------------------------------------------- 信易贷

# The enterprise's tax credit grade (纳税信用等级) lives in the enterprise file, a higher layer: it registers a
# reader here (enterprise -> "A".."D" or None when unknown).
_tax_grade_reader: Callable[[Enterprise, dt.date], str | None] | None = None


def register_tax_grade_reader(reader: Callable[[Enterprise, dt.date], str | None]) -> None:
    global _tax_grade_reader
    _tax_grade_reader = reader


GRADE_ORDER = ["A", "B", "M", "C", "D"]


@dataclass(frozen=True)
class Check:
    label: str
    met: bool | None  # None: unknown
    detail: str


def loan_checks(
    product: FinancialProduct,
    enterprise: Enterprise,
    on: dt.date | None = None,
    entries: list[CreditEntry] | None = None,
) -> list[Check]:
    """The product's platform-checked conditions for this enterprise, each met, not met or unknown, with why.
    `entries`: the enterprise's entries in force (``selectors.active_entries``), when checking many products."""
    from qinqing.credit.selectors import active_entries

    on = on or timezone.localdate()
    if entries is None:
        entries = active_entries(enterprise.uscc, on)
    checks: list[Check] = []
    if product.region_id and product.region is not None:
        inside = enterprise.region.is_within(product.region)
        checks.append(
            Check("适用区划", inside, f"产品限{product.region.name}，企业在{enterprise.region.name}")
        )
    if product.exclude_restricted:
        blocking = [e for e in entries if e.credit_list.restrictive]
        checks.append(
            Check(
                "未被列入严重失信主体名单、经营异常名录等限制名单",
                not blocking,
                "；".join(
                    f"{e.credit_list.name}（{e.decision_no or '无文号'}，公示至{e.display_until:%Y-%m-%d}）"
                    for e in blocking
                )
                or "未查到在公示期内的限制名单条目",
            )
        )
    if product.red_list_only:
        red = [e for e in entries if e.credit_list.kind == ListKind.RED]
        checks.append(
            Check(
                "列入守信激励对象名单（红名单）",
                bool(red),
                red[0].credit_list.name if red else "未列入红名单",
            )
        )
    if product.min_tax_grade:
        grade = _tax_grade_reader(enterprise, on) if _tax_grade_reader else None
        if grade is None:
            checks.append(Check(f"纳税信用等级不低于{product.min_tax_grade}级", None, "缺少：纳税信用等级"))
        else:
            ok = grade in GRADE_ORDER and GRADE_ORDER.index(grade) <= GRADE_ORDER.index(product.min_tax_grade)
            checks.append(
                Check(f"纳税信用等级不低于{product.min_tax_grade}级", ok, f"纳税信用等级为{grade}级")
            )
    return checks


def office_users(enterprise: Enterprise):
    return User.objects.filter(
        is_active=True, role=Role.DISPATCHER, region_id__in=enterprise.region.ancestor_ids()
    )


@transaction.atomic
def submit_loan(*, product: FinancialProduct, by: User, amount: int, purpose: str) -> LoanRequest:
    enterprise = by.enterprise if by.role == Role.ENTERPRISE else None
    if enterprise is None:
        raise NotPermitted("只有企业用户可以申请信易贷产品")
    if not product.active:
        raise TransitionNotAllowed("该产品已下架")
    if not product.amount_min <= amount <= product.amount_max:
        raise InvalidInput(
            "申请金额超出产品额度",
            {"amount": [f"该产品额度为{product.amount_min}至{product.amount_max}万元"]},
        )
    failed = [c for c in loan_checks(product, enterprise) if c.met is False]
    if failed:
        raise TransitionNotAllowed(
            "不符合该产品的申请条件：" + "；".join(f"{c.label}（{c.detail}）" for c in failed)
        )
    if LoanRequest.objects.filter(
        product=product,
        enterprise=enterprise,
        state__in=[LoanRequest.State.SUBMITTED, LoanRequest.State.PASSED],
    ).exists():
        raise TransitionNotAllowed("贵企业已有一件该产品的申请正在办理")
    loan = LoanRequest.objects.create(
        product=product, enterprise=enterprise, amount=amount, purpose=purpose, submitted_by=by
    )
    notify(
        office_users(enterprise),
        kind=Notification.Kind.CREDIT,
        title=f"{enterprise.name}申请信易贷：{product}",
        body=f"申请{amount}万元，用途：{purpose[:200]}。请推送银行联系人{product.contact_name}（{product.contact_phone}）。",
        url=reverse("credit:loan", args=[loan.pk]),
    )
    return loan


def _locked_loan(loan: LoanRequest) -> LoanRequest:
    return (
        LoanRequest.objects.select_for_update(of=("self",))
        .select_related("product", "enterprise__region")
        .get(pk=loan.pk)
    )


@transaction.atomic
def act_on_loan(
    *, loan: LoanRequest, by: User, action: str, note: str = "", granted_amount: int | None = None
) -> LoanRequest:
    """pass (推送银行) / grant (记录放款) / decline (记录未获批) by the office; withdraw by the enterprise."""
    loan = _locked_loan(loan)
    step = workflow.LOANS.check(loan, action, by)
    now = timezone.now()
    loan.state = step.target or loan.state
    if action == "pass":
        loan.passed_by, loan.passed_at = by, now
        if note:
            loan.outcome = note
    elif action in ("grant", "decline", "withdraw"):
        if action == "grant":
            if not granted_amount or granted_amount <= 0:
                raise InvalidInput("请填写放款金额", {"granted_amount": ["请填写放款金额（万元）"]})
            loan.granted_amount = granted_amount
        loan.decided_by, loan.decided_at = by, now
        loan.outcome = note
    loan.save()
    if action != "withdraw":
        text = {
            "pass": f"已推送至{loan.product.bank}，联系人{loan.product.contact_name}（{loan.product.contact_phone}）将与您联系",
            "grant": f"{loan.product.bank}已放款{loan.granted_amount}万元",
            "decline": f"{loan.product.bank}未批准：{note}",
        }[action]
        notify(
            enterprise_users(loan.enterprise_id),
            kind=Notification.Kind.CREDIT,
            title=f"信易贷申请{loan.get_state_display()}：{loan.product.name}",
            body=text,
            url=reverse("credit:loan", args=[loan.pk]),
        )
    return loan
