"""State changes of redemption (兑现) cases: one ``@transaction.atomic`` function per step, each re-reading the case
under a row lock, checking ``workflow.CASES``, writing one ``RedemptionEvent`` and notifying whom the step concerns,
all in the same transaction.

* ``open_candidates``: the candidate list of 免申即享 items (from ``PolicyMatch``: eligible and not blocked by
  credit), one case per enterprise × item, amount by the item's rule (``amounts``) capped per enterprise;
* ``confirm`` / ``exclude`` (二次确认 by the owner department), ``accept`` / ``waive`` (the enterprise: wish + bank
  account), ``publish`` (公示, ``workflow.PUBLICITY_DAYS`` working days), ``object`` (an enterprise of the region),
  ``close_publicity`` (the sweep, when the window is over), ``dismiss`` / ``uphold`` (the office), ``pay``;
* ``apply`` (快申快享 / 依申请, materials checked and virus-scanned like appeal attachments), ``approve`` / ``refuse``;
* ``raise_appeal`` (提出诉求, one click on a refused or late case) and ``report_fee`` (举报收费), both through the
  appeals intake service;
* ``sweep``: escalates each late government step once (department heads and the office), closes ended 公示.

Budget: the item's budget minus the amounts of cases already promised (confirmed, approved, paid); a confirmation
or approval beyond it is refused with a Chinese error and saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal
from qinqing.core import workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from qinqing.enterprises import attributes as attrs
from qinqing.enterprises.models import Enterprise, EnterpriseAttribute
from qinqing.organisation.models import containing
from qinqing.policies import amounts, inputs, workflow
from qinqing.policies import redemption_selectors as rs
from qinqing.policies.models import (
    CaseEvent,
    CaseState,
    MatchStatus,
    Mode,
    PolicyItem,
    PolicyMatch,
    RedemptionAppeal,
    RedemptionCase,
    RedemptionEvent,
    RedemptionMaterial,
)
from qinqing.supervision.models import Notification
from qinqing.supervision.notices import short
from qinqing.supervision.notify import notify

FEE_CATEGORY = "policy_fee"  # 惠企政策收费举报 (created by policies migration 0003)
CASE_CATEGORY = "policy"  # 政策兑现 (appeals reference data)
S = CaseState


def case_url(case: RedemptionCase) -> str:
    return f"/policies/redemption/{case.pk}/"


# ---------------------------------------------------------------- helpers


def _record(
    case: RedemptionCase, kind: str, by: User | None, before: str, note: str = "", **data
) -> RedemptionEvent:
    return RedemptionEvent.objects.create(
        case=case,
        kind=kind,
        actor=by,
        from_state=before,
        to_state=case.state,
        note=note[:500],
        data={k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in data.items()},
    )


def _set_step(case: RedemptionCase, now: dt.datetime) -> None:
    """The deadline of the government step the case is now in (none when it is the enterprise's turn)."""
    days = case.item.limit_days if case.state == S.REVIEWING else workflow.STEP_DAYS.get(case.state)
    if days is None:
        case.deadline = case.yellow_at = None
        case.step_days = 0
    else:
        case.deadline = workcalendar.deadline_after(now, days)
        case.yellow_at = workcalendar.yellow_from(case.deadline, days)
        case.step_days = days
    case.escalated_at = None
    case.updated_at = now


def _locked(case: RedemptionCase) -> RedemptionCase:
    fresh = (
        RedemptionCase.objects.select_for_update(of=("self",))
        .select_related("item", "item__document__region", "item__department", "enterprise__region")
        .get(pk=case.pk)
    )
    return fresh


def _enterprise_users(case: RedemptionCase) -> list[User]:
    return list(User.objects.filter(enterprise_id=case.enterprise_id, role=Role.ENTERPRISE, is_active=True))


def _department_users(case: RedemptionCase, heads_only: bool = False) -> list[User]:
    dept = case.item.department
    heads = User.objects.filter(containing(dept, "department"), role=Role.DEPT_HEAD, is_active=True)
    if heads_only:
        return list(heads)
    return list(heads) + list(User.objects.filter(department=dept, role=Role.HANDLER, is_active=True))


def _office_users(case: RedemptionCase) -> list[User]:
    return list(
        User.objects.filter(
            containing(case.enterprise.region, "region"), role=Role.DISPATCHER, is_active=True
        )
    )


def _tell_enterprise(case: RedemptionCase, title: str, body: str) -> None:
    notify(
        _enterprise_users(case),
        kind=Notification.Kind.REDEMPTION,
        title=title,
        body=body + " 兑现免费，无需中介。",
        url=case_url(case),
    )


def _tell_department(case: RedemptionCase, title: str, body: str = "") -> None:
    notify(
        _department_users(case),
        kind=Notification.Kind.REDEMPTION_TASK,
        title=title,
        body=body,
        url=case_url(case),
        departments=[case.item.department],
    )


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def figures_of(enterprise: Enterprise) -> dict[str, Decimal]:
    numeric = {k for k, a in attrs.ATTRIBUTES.items() if a.kind in (attrs.INT, attrs.DECIMAL)}
    out = {}
    for key, value in EnterpriseAttribute.objects.filter(enterprise=enterprise, key__in=numeric).values_list(
        "key", "value"
    ):
        try:
            out[key] = attrs.parse_number(value)
        except ValueError:
            continue
    return out


def amount_for(item: PolicyItem, figures: dict[str, Decimal]) -> Decimal | None:
    try:
        rule = amounts.parse(item.amount_rule)
    except ValueError:
        return None
    if rule is None:
        return None
    value = rule.amount_for(figures, item.amount_cap)
    return None if value is None else value.quantize(Decimal("0.01"))


def _check_budget(item: PolicyItem, amount: Decimal, field: str = "amount") -> None:
    """Under the item's row lock, so two confirmations cannot both take the last of the budget."""
    locked = PolicyItem.objects.select_for_update().get(pk=item.pk)
    left = rs.budget_left(locked)
    if left is not None and amount > left:
        raise InvalidInput(
            "超出资金预算",
            {field: [f"本事项剩余预算{left.normalize():f}万元，不足以兑现{amount.normalize():f}万元"]},
        )


def _check_amount(item: PolicyItem, amount: Decimal | None, field: str = "amount") -> Decimal:
    if amount is None:
        raise InvalidInput(
            "请填写核定金额", {field: ["兑现标准无法算出该企业的金额（缺少数据），请填写核定金额"]}
        )
    if item.amount_cap is not None and amount > item.amount_cap:
        raise InvalidInput(
            "超出单个企业上限", {field: [f"不能超过单个企业上限{item.amount_cap.normalize():f}万元"]}
        )
    return amount


# ---------------------------------------------------------------- 免申即享


@transaction.atomic
def open_candidates(item_ids: Sequence[int] | None = None) -> int:
    """The candidate list: a case for each eligible, unblocked match of an active 免申即享 item that has none."""
    items = PolicyItem.objects.filter(active=True, mode=Mode.AUTOMATIC)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    items_by_pk = {i.pk: i for i in items}
    matches = PolicyMatch.objects.filter(
        item_id__in=items_by_pk, status=MatchStatus.ELIGIBLE, blocked_by_credit=False
    ).select_related("enterprise")
    existing = set(
        RedemptionCase.objects.filter(item_id__in=items_by_pk).values_list("item_id", "enterprise_id")
    )
    now = timezone.now()
    created = 0
    figures: dict[int, dict[str, Decimal]] = {}
    for m in matches:
        if (m.item_id, m.enterprise_id) in existing:
            continue
        item = items_by_pk[m.item_id]
        if m.enterprise_id not in figures:
            figures[m.enterprise_id] = figures_of(m.enterprise)
        case = RedemptionCase(
            item=item,
            enterprise=m.enterprise,
            mode=item.mode,
            state=S.CANDIDATE,
            amount=amount_for(item, figures[m.enterprise_id]),
            eligible_since=m.eligible_since or m.computed_at,
            created_at=now,
        )
        _set_step(case, now)
        case.save()
        _record(case, CaseEvent.CANDIDATE, None, "", amount=case.amount)
        created += 1
    return created


@transaction.atomic
def confirm(*, case: RedemptionCase, by: User, data: inputs.CaseConfirmIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "confirm", by)
    amount = _check_amount(case.item, _money(data.amount) if data.amount is not None else case.amount)
    _check_budget(case.item, amount)
    before, case.state, case.amount = case.state, S.DEPT_CONFIRMED, amount
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.CONFIRMED, by, before, data.note, amount=amount)
    _tell_enterprise(
        case,
        f"请确认政策兑现：{case.item.name}",
        f"{case.item.department}已确认贵企业可享“{case.item.name}”{amount.normalize():f}万元，"
        "请登录确认兑现意愿并填写收款账户，或选择放弃。",
    )
    return case


@transaction.atomic
def exclude(*, case: RedemptionCase, by: User, data: inputs.RedemptionReasonIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "exclude", by)
    reason = _reason(data.reason)
    before, case.state, case.reason = case.state, S.EXCLUDED, reason
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.EXCLUDED, by, before, reason)
    _tell_enterprise(
        case, f"政策兑现未通过部门确认：{case.item.name}", f"原因：{reason}。如有异议可提出诉求。"
    )
    return case


def _reason(text: str, field: str = "reason") -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("请填写理由", {field: ["请填写理由"]})
    return text


def _account(data: inputs.AccountIn) -> tuple[str, str, str]:
    number = "".join(data.account_no.split())
    errors: dict[str, list[str]] = {}
    if not number.isdigit() or not 8 <= len(number) <= 30:
        errors["account_no"] = ["银行账号应为8至30位数字"]
    if not data.bank_name.strip():
        errors["bank_name"] = ["请填写开户银行"]
    if not data.account_name.strip():
        errors["account_name"] = ["请填写账户名称"]
    if errors:
        raise InvalidInput("收款账户信息有误", errors)
    return data.bank_name.strip(), data.account_name.strip(), number


@transaction.atomic
def accept(*, case: RedemptionCase, by: User, data: inputs.AccountIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "accept", by)
    case.bank_name, case.account_name, case.account_no = _account(data)
    before, case.state = case.state, S.ENT_CONFIRMED
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.ACCEPTED, by, before, account=rs.mask_account(case.account_no))
    _tell_department(case, f"企业已确认兑现：{case.enterprise.name} · {case.item.name}", "请发布公示。")
    return case


@transaction.atomic
def waive(*, case: RedemptionCase, by: User, data: inputs.WaiveIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "waive", by)
    before, case.state, case.reason = case.state, S.WAIVED, data.reason.strip()
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.WAIVED, by, before, case.reason)
    _tell_department(case, f"企业放弃兑现：{case.enterprise.name} · {case.item.name}", case.reason)
    return case


@transaction.atomic
def publish(*, case: RedemptionCase, by: User) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "publish", by)
    now = timezone.now()
    before, case.state = case.state, S.PUBLICITY
    case.objection_until = workcalendar.add_working_days(
        workcalendar.local_date(now), workflow.PUBLICITY_DAYS
    )
    _set_step(case, now)
    case.save()
    _record(case, CaseEvent.PUBLISHED, by, before, until=case.objection_until)
    _tell_enterprise(
        case,
        f"政策兑现公示中：{case.item.name}",
        f"公示期至{case.objection_until:%Y年%m月%d日}，期满无异议后拨付。",
    )
    return case


@transaction.atomic
def object_to(*, case: RedemptionCase, by: User, data: inputs.ObjectionIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "object", by)
    reason = _reason(data.reason)
    before, case.state = case.state, S.OBJECTED
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.OBJECTED, by, before, reason)
    notify(
        _office_users(case),
        kind=Notification.Kind.REDEMPTION_OBJECTION,
        title=f"兑现公示异议：{case.item.name}",
        body=f"对{case.enterprise.name}的兑现公示收到异议：{reason}",
        url=case_url(case),
    )
    return case


@transaction.atomic
def close_publicity(*, case: RedemptionCase, today: dt.date | None = None) -> RedemptionCase | None:
    """The sweep: a window past its last day with no objection → 待拨付. None when it is not (yet) over."""
    case = _locked(case)
    today = today or timezone.localdate()
    if case.state != S.PUBLICITY or case.objection_until is None or case.objection_until >= today:
        return None
    workflow.CASES.check(case, "close_publicity", None)
    before, case.state = case.state, S.TO_PAY
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.PUBLICITY_ENDED, None, before)
    _tell_department(case, f"公示期满待拨付：{case.enterprise.name} · {case.item.name}")
    return case


@transaction.atomic
def dismiss(*, case: RedemptionCase, by: User, data: inputs.RedemptionReasonIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "dismiss", by)
    reason = _reason(data.reason)
    before, case.state = case.state, S.TO_PAY
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.DISMISSED, by, before, reason)
    _tell_department(case, f"公示异议不成立，待拨付：{case.enterprise.name} · {case.item.name}", reason)
    return case


@transaction.atomic
def uphold(*, case: RedemptionCase, by: User, data: inputs.RedemptionReasonIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "uphold", by)
    reason = _reason(data.reason)
    before, case.state, case.reason = case.state, S.REVOKED, reason
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.UPHELD, by, before, reason)
    _tell_enterprise(case, f"兑现公示异议成立：{case.item.name}", f"原因：{reason}。如有异议可提出诉求。")
    return case


# ---------------------------------------------------------------- 快申快享 / 依申请


def _validate_materials(files: Sequence[UploadedFile]) -> None:
    if not files:
        raise InvalidInput("请上传申报材料", {"attachments": ["请至少上传一份申报材料"]})
    appeal_services.validate_attachments(files)


@transaction.atomic
def apply(
    *, item: PolicyItem, by: User, data: inputs.ApplyIn, files: Sequence[UploadedFile] = ()
) -> RedemptionCase:
    if by.role != Role.ENTERPRISE or by.enterprise_id is None:
        raise NotPermitted("只有企业用户可以申请政策兑现")
    if item.mode == Mode.AUTOMATIC:
        raise TransitionNotAllowed("该事项为免申即享，无需申请，符合条件的企业由主管部门确认后直接兑现")
    today = timezone.localdate()
    if not item.active:
        raise TransitionNotAllowed("该事项已下线，不能申请")
    if item.opens_on and today < item.opens_on:
        raise TransitionNotAllowed(f"该事项{item.opens_on:%Y年%m月%d日}起接受申请")
    if item.closes_on and today > item.closes_on:
        raise TransitionNotAllowed(f"该事项已于{item.closes_on:%Y年%m月%d日}截止申请")
    match = PolicyMatch.objects.filter(item=item, enterprise_id=by.enterprise_id).first()
    if match is not None and match.blocked_by_credit:
        raise TransitionNotAllowed("贵企业因信用受限不能申请该事项，原因见可享政策")
    if RedemptionCase.objects.filter(item=item, enterprise_id=by.enterprise_id).exists():
        raise TransitionNotAllowed("贵企业已申请过该事项，请在“我的兑现”查看进度")
    bank_name, account_name, account_no = _account(data)
    _validate_materials(files)
    enterprise = Enterprise.objects.select_related("region").get(pk=by.enterprise_id)
    now = timezone.now()
    case = RedemptionCase(
        item=item,
        enterprise=enterprise,
        mode=item.mode,
        state=S.REVIEWING,
        amount=amount_for(item, figures_of(enterprise)),
        eligible_since=(match.eligible_since if match and match.status == MatchStatus.ELIGIBLE else None)
        or now,
        bank_name=bank_name,
        account_name=account_name,
        account_no=account_no,
        application=data.application.strip(),
        created_at=now,
    )
    _set_step(case, now)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise TransitionNotAllowed("贵企业已申请过该事项，请在“我的兑现”查看进度") from None
    for upload in files:
        RedemptionMaterial.objects.create(
            case=case,
            file=upload,
            original_name=(upload.name or "")[:200],
            size=upload.size or 0,
            uploaded_by=by,
        )
    assert case.deadline is not None
    _record(case, CaseEvent.APPLIED, by, "", materials=len(files), deadline=case.deadline.isoformat())
    _tell_department(
        case,
        f"新的政策兑现申请：{enterprise.name} · {item.name}",
        f"请于{workcalendar.local_date(case.deadline):%Y年%m月%d日}前审核。",
    )
    return case


@transaction.atomic
def approve(*, case: RedemptionCase, by: User, data: inputs.ApproveIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "approve", by)
    amount = _check_amount(case.item, _money(data.amount) if data.amount is not None else case.amount)
    _check_budget(case.item, amount)
    before, case.state, case.amount = case.state, S.APPROVED, amount
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.APPROVED, by, before, data.note, amount=amount)
    _tell_enterprise(
        case, f"政策兑现申请已通过：{case.item.name}", f"核定金额{amount.normalize():f}万元，待拨付。"
    )
    return case


@transaction.atomic
def refuse(*, case: RedemptionCase, by: User, data: inputs.RedemptionReasonIn) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "refuse", by)
    reason = _reason(data.reason)
    before, case.state, case.reason = case.state, S.REFUSED, reason
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.REFUSED, by, before, reason)
    _tell_enterprise(
        case, f"政策兑现申请被驳回：{case.item.name}", f"原因：{reason}。如有异议可一键提出诉求。"
    )
    return case


# ---------------------------------------------------------------- payment


@transaction.atomic
def pay(
    *, case: RedemptionCase, by: User, data: inputs.PayIn, voucher: UploadedFile | None = None
) -> RedemptionCase:
    case = _locked(case)
    workflow.CASES.check(case, "pay", by)
    amount = _money(data.amount)
    assert amount is not None
    errors: dict[str, list[str]] = {}
    if case.amount is not None and amount > case.amount:
        errors["amount"] = [f"不能超过核定金额{case.amount.normalize():f}万元"]
    today = timezone.localdate()
    if data.paid_on > today:
        errors["paid_on"] = ["拨付日期不能晚于今天"]
    elif data.paid_on < workcalendar.local_date(case.created_at):
        errors["paid_on"] = ["拨付日期不能早于兑现事项的开始日期"]
    if errors:
        raise InvalidInput("拨付信息有误", errors)
    if voucher is not None:
        appeal_services.validate_attachments([voucher])
        case.voucher = voucher
    before, case.state = case.state, S.PAID
    case.paid_amount, case.paid_on, case.voucher_no = amount, data.paid_on, data.voucher_no.strip()
    _set_step(case, timezone.now())
    case.save()
    _record(case, CaseEvent.PAID, by, before, amount=amount, paid_on=data.paid_on, voucher_no=case.voucher_no)
    _, mobile = case.enterprise.primary_contact()
    notify(
        _enterprise_users(case),
        kind=Notification.Kind.REDEMPTION_PAID,
        title=f"政策资金已拨付：{case.item.name}",
        body=f"{amount.normalize():f}万元已于{data.paid_on:%Y年%m月%d日}拨付至尾号{case.account_no[-4:]}的账户"
        f"（凭证号{case.voucher_no}）。兑现免费，无需中介；如有人索要费用请举报。",
        url=case_url(case),
        params={
            "item": short(case.item.name),
            "amount": f"{amount.normalize():f}",
            "date": f"{data.paid_on:%m月%d日}",
        },
        sms_to=mobile or None,
    )
    return case


# ---------------------------------------------------------------- appeals


@transaction.atomic
def raise_appeal(*, case: RedemptionCase, by: User) -> Appeal:
    """提出诉求: one click on a refused (excluded, revoked) case or one past its deadline; once per case."""
    case = _locked(case)
    workflow.CASES.check(case, "appeal", by)
    if RedemptionAppeal.objects.filter(case=case).exists():
        raise TransitionNotAllowed("已就该兑现事项提出过诉求，请在“我的诉求”查看")
    if case.state not in (S.REFUSED, S.EXCLUDED, S.REVOKED) and not case.late():
        raise TransitionNotAllowed("兑现事项未超期，暂不能提出诉求")
    category = appeal_services.category_by_code(CASE_CATEGORY)
    if category is None:
        raise TransitionNotAllowed("诉求类别“政策兑现”未配置，请联系营商办")
    item = case.item
    if case.state in (S.REFUSED, S.EXCLUDED, S.REVOKED):
        what = f"{case.get_state_display()}，理由：{case.reason}"
    else:
        assert case.deadline is not None  # late: it has one
        what = f"{case.get_state_display()}环节已于{workcalendar.local_date(case.deadline):%Y年%m月%d日}超期"
    appeal, _ = appeal_services.submit_appeal(
        by=by,
        title=f"政策兑现：{item.name}"[:100],
        content=(
            f"政策事项：{item.name}（{item.document.number}），主管部门：{item.department}。\n"
            f"兑现编号：{case.number}，当前状态：{what}。请协调处理。"
        ),
        category=category,
    )
    RedemptionAppeal.objects.create(case=case, appeal=appeal)
    _record(case, CaseEvent.APPEALED, by, case.state, appeal=appeal.number)
    return appeal


@transaction.atomic
def report_fee(*, by: User, data: inputs.FeeReportIn, item: PolicyItem | None = None) -> Appeal:
    """举报收费: an appeal of its own category, so the office sees every report in one list."""
    if by.role != Role.ENTERPRISE or by.enterprise_id is None:
        raise NotPermitted("只有企业用户可以举报收费行为")
    category = appeal_services.category_by_code(FEE_CATEGORY)
    if category is None:
        raise TransitionNotAllowed("诉求类别“惠企政策收费举报”未配置，请联系营商办")
    content = data.content.strip()
    if len(content) < 5:
        raise InvalidInput("请说明情况", {"content": ["请说明何人、何时、以何名义索要费用（至少5个字）"]})
    about = f"涉及政策事项：{item.name}（{item.document.number}）。\n" if item is not None else ""
    appeal, _ = appeal_services.submit_appeal(
        by=by, title="惠企政策收费举报", content=about + content, category=category
    )
    return appeal


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    candidates: int = 0
    publicity_closed: int = 0
    escalated: int = 0


def escalate(*, case: RedemptionCase, now: dt.datetime) -> bool:
    """One late government step, once: department heads and the office are told, an event is written."""
    with transaction.atomic():
        case = _locked(case)
        if case.escalated_at is not None or case.deadline is None or not case.late(now):
            return False
        workflow.CASES.check(case, "escalate", None)
        case.escalated_at = now
        case.save(update_fields=["escalated_at"])
        step = case.get_state_display()
        _record(case, CaseEvent.ESCALATED, None, case.state, step=step, deadline=case.deadline.isoformat())
        notify(
            _department_users(case, heads_only=True) + _office_users(case),
            kind=Notification.Kind.REDEMPTION_LATE,
            title=f"政策兑现超期：{case.enterprise.name} · {case.item.name}",
            body=f"{case.number}“{step}”环节已于{workcalendar.local_date(case.deadline):%Y年%m月%d日}超期，请督促办理。",
            url=case_url(case),
            params={"number": case.number, "item": short(case.item.name), "step": step},
            departments=[case.item.department],
        )
        return True


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Idempotent: candidates already open are not reopened, a step escalated is not escalated again."""
    now = now or timezone.now()
    result = SweepResult(candidates=open_candidates())
    today = workcalendar.local_date(now)
    for case in RedemptionCase.objects.filter(state=S.PUBLICITY, objection_until__lt=today):
        if close_publicity(case=case, today=today) is not None:
            result.publicity_closed += 1
    late = RedemptionCase.objects.filter(
        state__in=[*workflow.STEP_DAYS, S.REVIEWING], deadline__lt=now, escalated_at__isnull=True
    )
    for case in late:
        if escalate(case=case, now=now):
            result.escalated += 1
    return result
