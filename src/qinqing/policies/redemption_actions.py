"""Each redemption action once, for the page and the API: the case through the selector (invisible → NotVisible,
a 404 like a missing one), then the one service. ``INPUTS`` binds an action of ``workflow.CASES`` to its input
schema; the page's form and the API endpoint ``POST /api/policies/redemption/cases/{id}/{action}`` both use it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from ninja import Schema

from qinqing.accounts.models import User
from qinqing.appeals.models import Appeal
from qinqing.core.errors import NotPermitted, NotVisible
from qinqing.policies import inputs, selectors, workflow
from qinqing.policies import redemption_selectors as rs
from qinqing.policies import redemption_services as services
from qinqing.policies.models import PolicyItem, RedemptionCase


class NoInput(Schema):
    pass


@dataclass(frozen=True)
class CaseAction:
    name: str
    schema: type[Schema]
    call: Callable[..., Any]
    success: str


INPUTS: dict[str, CaseAction] = {
    a.name: a
    for a in [
        CaseAction(
            "confirm",
            inputs.CaseConfirmIn,
            lambda case, by, data: services.confirm(case=case, by=by, data=data),
            "已二次确认，已通知企业确认兑现",
        ),
        CaseAction(
            "exclude",
            inputs.RedemptionReasonIn,
            lambda case, by, data: services.exclude(case=case, by=by, data=data),
            "已排除，已告知企业理由",
        ),
        CaseAction(
            "accept",
            inputs.AccountIn,
            lambda case, by, data: services.accept(case=case, by=by, data=data),
            "已确认兑现，主管部门将发布公示",
        ),
        CaseAction(
            "waive",
            inputs.WaiveIn,
            lambda case, by, data: services.waive(case=case, by=by, data=data),
            "已放弃兑现",
        ),
        CaseAction(
            "publish",
            NoInput,
            lambda case, by, data: services.publish(case=case, by=by),
            "已发布公示",
        ),
        CaseAction(
            "object",
            inputs.ObjectionIn,
            lambda case, by, data: services.object_to(case=case, by=by, data=data),
            "异议已提交营商办",
        ),
        CaseAction(
            "dismiss",
            inputs.RedemptionReasonIn,
            lambda case, by, data: services.dismiss(case=case, by=by, data=data),
            "已认定异议不成立，转入待拨付",
        ),
        CaseAction(
            "uphold",
            inputs.RedemptionReasonIn,
            lambda case, by, data: services.uphold(case=case, by=by, data=data),
            "已认定异议成立",
        ),
        CaseAction(
            "approve",
            inputs.ApproveIn,
            lambda case, by, data: services.approve(case=case, by=by, data=data),
            "已审核通过",
        ),
        CaseAction(
            "refuse",
            inputs.RedemptionReasonIn,
            lambda case, by, data: services.refuse(case=case, by=by, data=data),
            "已驳回，已告知企业理由",
        ),
        CaseAction(
            "pay",
            inputs.PayIn,
            lambda case, by, data, voucher=None: services.pay(case=case, by=by, data=data, voucher=voucher),
            "已登记拨付，已通知企业",
        ),
    ]
}
assert set(INPUTS) | {"appeal", "close_publicity", "escalate"} == set(workflow.CASES_ACTIONS)  # noqa: S101


def _case_for(by: User, case_id: int) -> RedemptionCase:
    """The case as the actor sees it; a neighbour objecting during 公示 reaches it through the published list."""
    try:
        return rs.get_case(by, case_id)
    except NotVisible:
        case = rs.publicly_listed(case_id)
        if case is None:
            raise
        return case


def act(
    by: User, case_id: int, name: str, data: Schema, voucher: UploadedFile | None = None
) -> RedemptionCase:
    row = INPUTS.get(name)
    if row is None:
        raise NotVisible("未找到该操作")
    case = _case_for(by, case_id) if name == "object" else rs.get_case(by, case_id)
    if name == "pay":
        return row.call(case, by, data, voucher=voucher)
    return row.call(case, by, data)


def apply(by: User, item_id: int, data: inputs.ApplyIn, files: Sequence[UploadedFile] = ()) -> RedemptionCase:
    item = selectors.get_item(by, item_id)
    return services.apply(item=item, by=by, data=data, files=files)


def raise_appeal(by: User, case_id: int) -> Appeal:
    return services.raise_appeal(case=rs.get_case(by, case_id), by=by)


def open_candidates(by: User, item_id: int) -> int:
    """生成候选名单 for one 免申即享 item, by its department (the sweep does it for all every run)."""
    item: PolicyItem = selectors.get_item(by, item_id)
    if not selectors.can_manage(by, item):
        raise NotPermitted("只有该事项的主管部门可以生成候选名单")
    return services.open_candidates([item.pk])


def report_fee(by: User, data: inputs.FeeReportIn) -> Appeal:
    item = selectors.get_item(by, data.item_id) if data.item_id else None
    return services.report_fee(by=by, data=data, item=item)
