"""The input of every policy action, defined once for the page and the API (see ``core.inputs``)."""

import datetime as dt

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Day, Int


class AttributeIn(Schema):
    key: str = Field(..., max_length=40, title="属性")
    value: str = Field(..., max_length=100, title="取值")
    as_of: dt.date = Field(..., title="数据日期")
    valid_until: dt.date | None = Field(None, title="有效期至")


class DocumentIn(Schema):
    number: str = Field(..., min_length=1, max_length=60, title="文号")
    title: str = Field(..., min_length=1, max_length=200, title="文件名称")
    issuer: str = Field(..., min_length=1, max_length=100, title="发文机关")
    level: str = Field(..., max_length=10, title="层级")
    region_code: str = Field(..., max_length=12, title="适用区划代码")
    published_on: dt.date = Field(..., title="发布日期")
    effective_from: dt.date | None = Field(None, title="施行日期")
    effective_until: dt.date | None = Field(None, title="有效期至")
    full_text: str = Field("", max_length=200_000, title="全文")
    source_url: str = Field("", max_length=300, title="原文链接")


class ItemIn(Schema):
    document_id: int = Field(..., title="政策文件")
    name: str = Field(..., min_length=1, max_length=120, title="事项名称")
    kind: str = Field(..., max_length=15, title="类别")
    mode: str = Field(..., max_length=12, title="兑现方式")
    department_id: int = Field(..., title="主管部门")
    amount_rule: str = Field("", max_length=200, title="兑现标准")
    # Numbers in JSON (万元, two decimals kept); the service stores them as Decimal.
    amount_cap: float | None = Field(None, ge=0, le=1e9, title="单个企业上限（万元）")
    budget: float | None = Field(None, ge=0, le=1e11, title="资金预算（万元）")
    opens_on: dt.date | None = Field(None, title="申报开始")
    closes_on: dt.date | None = Field(None, title="申报截止")
    beneficiaries: str = Field("", max_length=2000, title="惠及对象")
    requirements: str = Field("", max_length=5000, title="申报条件")
    payout_limit: str = Field("", max_length=100, title="兑现时限")
    address: str = Field("", max_length=200, title="受理地址")
    phone: str = Field("", max_length=40, title="咨询电话")
    active: bool = Field(True, title="上线")
    limit_days: int = Field(60, ge=1, le=365, title="审核时限（工作日）")


class ConditionIn(Schema):
    attribute: str = Field(..., max_length=40, title="属性")
    operator: str = Field(..., max_length=20, title="判断")
    value: str = Field("", max_length=300, title="取值")
    clause: str = Field(..., min_length=1, max_length=200, title="依据条款")


class GateIn(Schema):
    effect: str = Field(..., max_length=10, title="作用")
    kinds: str = Field(..., max_length=60, title="信用名单种类")
    measure: str = Field(..., min_length=1, max_length=300, title="依据的措施")


class MuteIn(Schema):
    kind: str = Field(..., max_length=15, title="类别")
    muted: bool = Field(True, title="屏蔽")


class TaskCloseIn(Schema):
    done: bool = Field(..., title="是否已宣讲")
    note: str = Field("", max_length=500, title="情况说明")


# ---------------------------------------------------------------- redemption (兑现)


class CaseConfirmIn(Schema):
    """二次确认: the amount defaults to the one the item's rule computes (capped); the department may set it."""

    amount: float | None = Field(None, gt=0, le=1e8, title="核定金额（万元）")
    note: str = Field("", max_length=500, title="说明")


class RedemptionReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, title="理由")


class AccountIn(Schema):
    """The enterprise's wish to redeem and the account to pay into."""

    bank_name: str = Field(..., min_length=2, max_length=100, title="开户银行")
    account_name: str = Field(..., min_length=2, max_length=100, title="账户名称")
    account_no: str = Field(..., min_length=6, max_length=40, title="银行账号")


class WaiveIn(Schema):
    reason: str = Field("", max_length=500, title="放弃原因")


class ObjectionIn(Schema):
    reason: str = Field(..., min_length=5, max_length=500, title="异议理由")


class ApplyIn(AccountIn):
    application: str = Field(..., min_length=1, max_length=5000, title="申请说明")


class ApproveIn(Schema):
    amount: float | None = Field(None, gt=0, le=1e8, title="核定金额（万元）")
    note: str = Field("", max_length=500, title="审核意见")


class PayIn(Schema):
    amount: float = Field(..., gt=0, le=1e8, title="拨付金额（万元）")
    paid_on: Day = Field(..., title="拨付日期")
    voucher_no: str = Field(..., min_length=1, max_length=60, title="拨付凭证号")


class FeeReportIn(Schema):
    """举报收费: someone asked the enterprise for a fee to obtain a policy."""

    content: str = Field(..., min_length=5, max_length=5000, title="举报内容")
    item_id: Int | None = Field(None, ge=1, le=2_147_483_647, title="涉及的政策事项")
