"""Endpoints of the policy app: the same inputs, actions and selectors as the pages, hence the same permissions
(an enterprise: its own file and matches; an officer: the enterprises it serves; an office: its region; a
department: its items)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.enterprises import attributes as attrs
from qinqing.policies import actions, inputs, matching, redemption_actions, selectors, workflow
from qinqing.policies import redemption_selectors as rs
from qinqing.policies.models import CaseState, MatchStatus, PolicyItem, PolicyMatch

router = Router(tags=["惠企政策"])

NOTICE = "兑现免费，无需中介。"


class ConditionOut(Schema):
    id: int
    attribute: str
    operator: str
    value: str
    clause: str


class GateOut(Schema):
    id: int
    effect: str
    kinds: str
    measure: str


class PolicyItemOut(Schema):
    id: int
    name: str
    kind: str
    mode: str
    department: str
    document_number: str
    document_title: str
    amount_rule: str
    amount_cap: Decimal | None
    budget: Decimal | None
    opens_on: dt.date | None
    closes_on: dt.date | None
    beneficiaries: str
    requirements: str
    payout_limit: str
    address: str
    phone: str
    active: bool
    limit_days: int
    notice: str = NOTICE
    conditions: list[ConditionOut] = []
    gates: list[GateOut] = []


def _item_out(item: PolicyItem, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.pk,
        "name": item.name,
        "kind": item.kind,
        "mode": item.mode,
        "department": item.department.name,
        "document_number": item.document.number,
        "document_title": item.document.title,
        **{
            f: getattr(item, f)
            for f in (
                "amount_rule",
                "amount_cap",
                "budget",
                "opens_on",
                "closes_on",
                "beneficiaries",
                "requirements",
                "payout_limit",
                "address",
                "phone",
                "active",
                "limit_days",
            )
        },
    }
    if full:
        out["conditions"] = [
            {
                "id": c.pk,
                "attribute": c.attribute,
                "operator": c.operator,
                "value": c.value,
                "clause": c.clause,
            }
            for c in item.conditions.all()
        ]
        out["gates"] = [
            {"id": g.pk, "effect": g.effect, "kinds": g.kinds, "measure": g.measure} for g in item.gates.all()
        ]
    return out


class MatchOut(Schema):
    enterprise_id: int
    enterprise: str
    item_id: int
    item: str
    status: str
    blocked_by_credit: bool
    preferred: bool
    missing: list[str]
    details: list[dict]
    computed_at: dt.datetime | None


def _match_out(m: PolicyMatch) -> dict[str, Any]:
    return {
        "enterprise_id": m.enterprise_id,
        "enterprise": m.enterprise.name,
        "item_id": m.item_id,
        "item": m.item.name,
        "status": m.status,
        "blocked_by_credit": m.blocked_by_credit,
        "preferred": m.preferred,
        "missing": m.missing,
        "details": m.details,
        "computed_at": m.computed_at,
    }


class MatchFilter(Schema):
    status: str = Field("", max_length=12)
    enterprise_id: int | None = None
    item_id: int | None = None
    limit: int = Field(100, ge=1, le=500)


class AttributeOut(Schema):
    key: str
    label: str
    value: str
    shown: str
    source: str
    as_of: dt.date
    valid_until: dt.date | None


class FileOut(Schema):
    id: int
    uscc: str
    name: str
    region: str
    industry: str
    scale: str
    attributes: list[AttributeOut]


class TaskOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    item_id: int
    item: str
    state: str
    note: str
    created_at: dt.datetime


class FigureOut(Schema):
    item_id: int
    item: str
    eligible: int
    undetermined: int
    blocked: int = Field(..., title="信用受限", description="因信用受限不能享受的企业数")
    notified: int
    read: int
    applied: int
    paid: int


@router.get("/items", response=list[PolicyItemOut], summary="政策事项列表")
def list_items(request):
    qs = selectors.items_visible_to(request.auth).filter(active=True).order_by("pk")
    return [_item_out(i) for i in qs[:500]]


@router.get("/items/{item_id}", response=PolicyItemOut, summary="政策事项（含条件与信用规则）")
def get_item(request, item_id: int):
    return _item_out(selectors.get_item(request.auth, item_id), full=True)


@router.post("/documents", response={201: dict}, summary="登记政策文件（营商办或主管部门）")
def create_document(request, payload: inputs.DocumentIn):
    doc = actions.create_document(request.auth, payload)
    return Status(201, {"id": doc.pk, "number": doc.number})


@router.post("/items", response={201: PolicyItemOut}, summary="发布政策事项")
def create_item(request, payload: inputs.ItemIn):
    item = actions.create_item(request.auth, payload)
    return Status(201, _item_out(selectors.get_item(request.auth, item.pk), full=True))


@router.put("/items/{item_id}", response=PolicyItemOut, summary="修改政策事项")
def update_item(request, item_id: int, payload: inputs.ItemIn):
    actions.update_item(request.auth, item_id, payload)
    return _item_out(selectors.get_item(request.auth, item_id), full=True)


@router.post("/items/{item_id}/conditions", response={201: ConditionOut}, summary="添加判定条件")
def add_condition(request, item_id: int, payload: inputs.ConditionIn):
    c = actions.add_condition(request.auth, item_id, payload)
    return Status(
        201,
        {"id": c.pk, "attribute": c.attribute, "operator": c.operator, "value": c.value, "clause": c.clause},
    )


@router.delete("/items/{item_id}/conditions/{condition_id}", response={204: None}, summary="删除判定条件")
def remove_condition(request, item_id: int, condition_id: int):
    actions.remove_condition(request.auth, item_id, condition_id)
    return Status(204, None)


@router.post("/items/{item_id}/gates", response={201: GateOut}, summary="添加信用规则（限制或优先）")
def add_gate(request, item_id: int, payload: inputs.GateIn):
    g = actions.add_gate(request.auth, item_id, payload)
    return Status(201, {"id": g.pk, "effect": g.effect, "kinds": g.kinds, "measure": g.measure})


@router.get("/items/{item_id}/explain", response=MatchOut, summary="本企业对该事项的逐条判定（企业用户）")
def explain(request, item_id: int):
    user = request.auth
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        raise NotPermitted("只有企业用户可以查看本企业的判定")
    item = selectors.get_item(user, item_id)
    stored = selectors.own_matches(user).filter(item=item).first()
    if stored is not None:
        return _match_out(matching.explain_stored([stored])[0])
    enterprise = selectors.get_file(user, user.enterprise_id)
    r = matching.explain(item, enterprise)
    return {
        "enterprise_id": enterprise.pk,
        "enterprise": enterprise.name,
        "item_id": item.pk,
        "item": item.name,
        "status": r.status,
        "blocked_by_credit": r.blocked,
        "preferred": r.preferred,
        "missing": r.missing,
        "details": r.details,
        "computed_at": None,
    }


@router.get(
    "/matches", response=list[MatchOut], summary="匹配结果（本企业 / 服务企业 / 本区划 / 本部门事项）"
)
def list_matches(request, filters: Query[MatchFilter]):
    qs = selectors.matches_visible_to(request.auth)
    if filters.status:
        if filters.status not in MatchStatus.values:
            raise InvalidInput("筛选条件有误", {"status": ["应为 eligible、undetermined 或 ineligible"]})
        qs = qs.filter(status=filters.status)
    if filters.enterprise_id:
        qs = qs.filter(enterprise_id=filters.enterprise_id)
    if filters.item_id:
        qs = qs.filter(item_id=filters.item_id)
    page = list(qs.order_by("enterprise_id", "item_id")[: filters.limit])
    return [_match_out(m) for m in matching.explain_stored(page)]


def _file_out(user, enterprise_id: int) -> dict[str, Any]:
    enterprise = selectors.get_file(user, enterprise_id)
    return {
        "id": enterprise.pk,
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region": enterprise.region.name,
        "industry": enterprise.industry,
        "scale": enterprise.scale,
        "attributes": [
            {
                "key": a.key,
                "label": attrs.ATTRIBUTES[a.key].label if a.key in attrs.ATTRIBUTES else a.key,
                "value": a.value,
                "shown": attrs.display(a.key, a.value),
                "source": a.source,
                "as_of": a.as_of,
                "valid_until": a.valid_until,
            }
            for a in selectors.attributes_of(user, enterprise)
        ],
    }


@router.get("/enterprises/{enterprise_id}/file", response=FileOut, summary="企业档案（一企一档）")
def get_file(request, enterprise_id: int):
    return _file_out(request.auth, enterprise_id)


@router.post("/my/file", response=FileOut, summary="企业自报档案信息")
def declare(request, payload: inputs.AttributeIn):
    actions.declare(request.auth, payload)
    return _file_out(request.auth, request.auth.enterprise_id)


@router.post("/enterprises/{enterprise_id}/file/confirm", response=FileOut, summary="部门确认档案信息")
def confirm(request, enterprise_id: int, payload: inputs.AttributeIn):
    actions.confirm(request.auth, enterprise_id, payload)
    return _file_out(request.auth, enterprise_id)


@router.post("/my/mutes", response=dict, summary="屏蔽或恢复某类政策的推送（企业用户）")
def set_mute(request, payload: inputs.MuteIn):
    return {"kind": payload.kind, "muted": actions.set_mute(request.auth, payload)}


@router.get("/tasks", response=list[TaskOut], summary="政策宣讲任务（首席服务官 / 本区划）")
def list_tasks(request):
    return [
        {
            "id": t.pk,
            "enterprise_id": t.enterprise_id,
            "enterprise": t.enterprise.name,
            "item_id": t.item_id,
            "item": t.item.name,
            "state": t.state,
            "note": t.note,
            "created_at": t.created_at,
        }
        for t in selectors.tasks_visible_to(request.auth).order_by("state", "-created_at")[:200]
    ]


@router.post("/tasks/{task_id}/close", response=TaskOut, summary="办结政策宣讲任务")
def close_task(request, task_id: int, payload: inputs.TaskCloseIn):
    t = actions.close_task(request.auth, task_id, payload)
    return {
        "id": t.pk,
        "enterprise_id": t.enterprise_id,
        "enterprise": t.enterprise.name,
        "item_id": t.item_id,
        "item": t.item.name,
        "state": t.state,
        "note": t.note,
        "created_at": t.created_at,
    }


@router.get(
    "/figures", response=list[FigureOut], summary="逐项统计：符合、待确定、信用受限、推送、已读、申请、兑现"
)
def figures(request):
    return [
        {
            "item_id": r["item"].pk,
            "item": r["item"].name,
            **{
                k: r[k]
                for k in ("eligible", "undetermined", "blocked", "notified", "read", "applied", "paid")
            },
        }
        for r in selectors.item_figures(request.auth)
    ]


# ---------------------------------------------------------------- redemption (兑现)
# The same selectors and actions as the pages: an enterprise its own cases, a department the cases of the items it
# owns, the office those of its region; an invisible case answers 404 like a missing one.


class CaseEventOut(Schema):
    kind: str
    label: str
    actor: str
    from_state: str
    to_state: str
    note: str
    data: dict
    at: dt.datetime


class CaseOut(Schema):
    id: int
    number: str
    item_id: int
    item: str
    department: str
    enterprise_id: int
    enterprise: str
    mode: str
    state: str
    state_label: str
    amount: Decimal | None
    eligible_since: dt.datetime
    bank_name: str
    account_name: str
    account_no: str = Field(description="完整账号仅本企业和主管部门可见，其他人看到尾号")
    reason: str
    objection_until: dt.date | None
    paid_amount: Decimal | None
    paid_on: dt.date | None
    voucher_no: str
    deadline: dt.datetime | None
    light: str | None
    appeal: str | None
    actions: list[str]
    notice: str = NOTICE


class CaseDetailOut(CaseOut):
    events: list[CaseEventOut]


class CaseFilter(Schema):
    state: str = Field("", max_length=16)
    item_id: int | None = Field(None, ge=1, le=2_147_483_647)
    limit: int = Field(100, ge=1, le=500)


class PublicityOut(Schema):
    id: int
    enterprise: str
    amount: Decimal | None
    until: dt.date
    open: bool
    state: str


class RedemptionFigureOut(Schema):
    key: int
    name: str
    eligible: int
    enterprises_paid: int
    cases_paid: int
    amount_paid: Decimal
    median_days: float | None
    p90_days: float | None
    paid_share: float | None
    budget_left: Decimal | None


class FiguresFilter(Schema):
    by: str = Field("item", max_length=12, description="item、department 或 region")


class CandidatesOut(Schema):
    created: int


class AppealRaisedOut(Schema):
    number: str


def _case_out(user, case, events: bool = False) -> dict[str, Any]:
    link = getattr(case, "appeal_link", None)
    out: dict[str, Any] = {
        "id": case.pk,
        "number": case.number,
        "item_id": case.item_id,
        "item": case.item.name,
        "department": case.item.department.name,
        "enterprise_id": case.enterprise_id,
        "enterprise": case.enterprise.name,
        "mode": case.mode,
        "state": case.state,
        "state_label": case.get_state_display(),
        "amount": case.amount,
        "eligible_since": case.eligible_since,
        "bank_name": case.bank_name,
        "account_name": case.account_name,
        "account_no": rs.account_of(user, case),
        "reason": case.reason,
        "objection_until": case.objection_until,
        "paid_amount": case.paid_amount,
        "paid_on": case.paid_on,
        "voucher_no": case.voucher_no,
        "deadline": case.deadline,
        "light": case.light(),
        "appeal": link.appeal.number if link else None,
        "actions": [a.name for a in workflow.available_actions(case, user, timezone.now())],
    }
    if events:
        out["events"] = [
            {
                "kind": e.kind,
                "label": e.get_kind_display(),
                "actor": (e.actor.full_name or e.actor.username) if e.actor else "系统",
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "data": e.data,
                "at": e.at,
            }
            for e in rs.timeline(user, case)
        ]
    return out


def _case_detail(user, case_id: int) -> dict[str, Any]:
    return _case_out(user, rs.get_case(user, case_id), events=True)


@router.get("/redemption/cases", response=list[CaseOut], summary="兑现事项（本企业 / 本部门事项 / 本区划）")
def list_cases(request, filters: Query[CaseFilter]):
    if filters.state and filters.state not in CaseState.values:
        raise InvalidInput("筛选条件有误", {"state": ["未知的兑现状态"]})
    qs = rs.queue(request.auth, filters.state, filters.item_id)
    return [_case_out(request.auth, c) for c in qs[: filters.limit]]


@router.get("/redemption/cases/{case_id}", response=CaseDetailOut, summary="兑现事项（含办理过程）")
def get_case(request, case_id: int):
    return _case_detail(request.auth, case_id)


def _act(request, case_id: int, name: str, payload):
    case = redemption_actions.act(request.auth, case_id, name, payload)
    if name == "object":  # the objector sees the case as the published list shows it, not its timeline
        return {**_case_out(request.auth, case), "events": []}
    return _case_detail(request.auth, case_id)


@router.post("/redemption/cases/{case_id}/confirm", response=CaseDetailOut, summary="二次确认（主管部门）")
def confirm_case(request, case_id: int, payload: inputs.CaseConfirmIn):
    return _act(request, case_id, "confirm", payload)


@router.post(
    "/redemption/cases/{case_id}/exclude", response=CaseDetailOut, summary="排除候选（主管部门，须说明理由）"
)
def exclude_case(request, case_id: int, payload: inputs.RedemptionReasonIn):
    return _act(request, case_id, "exclude", payload)


@router.post(
    "/redemption/cases/{case_id}/accept", response=CaseDetailOut, summary="确认兑现意愿与收款账户（企业）"
)
def accept_case(request, case_id: int, payload: inputs.AccountIn):
    return _act(request, case_id, "accept", payload)


@router.post("/redemption/cases/{case_id}/waive", response=CaseDetailOut, summary="放弃兑现（企业）")
def waive_case(request, case_id: int, payload: inputs.WaiveIn):
    return _act(request, case_id, "waive", payload)


class PublishIn(Schema):
    pass


@router.post("/redemption/cases/{case_id}/publish", response=CaseDetailOut, summary="发布公示（主管部门）")
def publish_case(request, case_id: int, payload: PublishIn):
    return _act(request, case_id, "publish", payload)


@router.post(
    "/redemption/cases/{case_id}/object", response=CaseDetailOut, summary="对公示提出异议（本区划企业）"
)
def object_case(request, case_id: int, payload: inputs.ObjectionIn):
    return _act(request, case_id, "object", payload)


@router.post("/redemption/cases/{case_id}/dismiss", response=CaseDetailOut, summary="异议不成立（营商办）")
def dismiss_objection(request, case_id: int, payload: inputs.RedemptionReasonIn):
    return _act(request, case_id, "dismiss", payload)


@router.post("/redemption/cases/{case_id}/uphold", response=CaseDetailOut, summary="异议成立（营商办）")
def uphold_objection(request, case_id: int, payload: inputs.RedemptionReasonIn):
    return _act(request, case_id, "uphold", payload)


@router.post(
    "/redemption/cases/{case_id}/approve", response=CaseDetailOut, summary="审核通过（主管部门，预算内）"
)
def approve_case(request, case_id: int, payload: inputs.ApproveIn):
    return _act(request, case_id, "approve", payload)


@router.post(
    "/redemption/cases/{case_id}/refuse", response=CaseDetailOut, summary="驳回申请（主管部门，须说明理由）"
)
def refuse_case(request, case_id: int, payload: inputs.RedemptionReasonIn):
    return _act(request, case_id, "refuse", payload)


@router.post(
    "/redemption/cases/{case_id}/pay", response=CaseDetailOut, summary="登记拨付：金额、日期、凭证号"
)
def pay_case(request, case_id: int, payload: inputs.PayIn):
    return _act(request, case_id, "pay", payload)


@router.post(
    "/redemption/cases/{case_id}/appeal",
    response={201: AppealRaisedOut},
    summary="一键提出诉求（驳回或超期）",
)
def raise_appeal(request, case_id: int):
    appeal = redemption_actions.raise_appeal(request.auth, case_id)
    return Status(201, {"number": appeal.number})


@router.post(
    "/items/{item_id}/apply",
    response={201: CaseDetailOut},
    summary="申请兑现（快申快享、依申请；附申报材料）",
)
def apply(
    request,
    item_id: int,
    payload: Form[inputs.ApplyIn],
    files: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja's declaration style
):
    case = redemption_actions.apply(request.auth, item_id, payload, files or [])
    return Status(201, _case_detail(request.auth, case.pk))


@router.post(
    "/items/{item_id}/candidates", response=CandidatesOut, summary="生成免申即享候选名单（主管部门）"
)
def open_candidates(request, item_id: int):
    return {"created": redemption_actions.open_candidates(request.auth, item_id)}


@router.get(
    "/items/{item_id}/publicity", response=list[PublicityOut], summary="兑现公示名单（企业名称部分隐去）"
)
def publicity(request, item_id: int):
    rows = rs.publicity(request.auth, selectors.get_item(request.auth, item_id))
    return [
        {
            "id": r["pk"],
            "enterprise": r["name"],
            "amount": r["amount"],
            "until": r["until"],
            "open": r["open"],
            "state": r["state"],
        }
        for r in rows
    ]


@router.get("/redemption/figures", response=list[RedemptionFigureOut], summary="兑现统计：按事项、部门或区划")
def redemption_figures(request, filters: Query[FiguresFilter]):
    if filters.by not in rs.GROUPS:
        raise InvalidInput("分组有误", {"by": ["应为 item、department 或 region"]})
    user = request.auth
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise NotPermitted("只有营商办、领导和主管部门可以查看兑现统计")
    return rs.figures(user, filters.by)


@router.post(
    "/fee-reports",
    response={201: AppealRaisedOut},
    summary="举报收费行为（企业；作为“惠企政策收费举报”诉求）",
)
def report_fee(request, payload: inputs.FeeReportIn):
    appeal = redemption_actions.report_fee(request.auth, payload)
    return Status(201, {"number": appeal.number})
