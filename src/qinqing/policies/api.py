"""Endpoints of the policy app: the same inputs, actions and selectors as the pages, hence the same permissions
(an enterprise: its own file and matches; an officer: the enterprises it serves; an office: its region; a
department: its items)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.enterprises import attributes as attrs
from qinqing.policies import actions, inputs, matching, selectors
from qinqing.policies.models import MatchStatus, PolicyItem, PolicyMatch

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
        return _match_out(stored)
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
    return [_match_out(m) for m in qs.order_by("enterprise_id", "item_id")[: filters.limit]]


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


@router.get("/figures", response=list[FigureOut], summary="逐项统计：符合、推送、已读、申请、兑现")
def figures(request):
    return [
        {
            "item_id": r["item"].pk,
            "item": r["item"].name,
            **{k: r[k] for k in ("eligible", "undetermined", "notified", "read", "applied", "paid")},
        }
        for r in selectors.item_figures(request.auth)
    ]
