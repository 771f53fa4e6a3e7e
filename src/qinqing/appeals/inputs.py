"""The input of every appeal action, defined once: the API takes these as payloads and the pages read their
form posts through ``qinqing.core.inputs.parse`` with the same schemas, so both accept and refuse the same
inputs with the same messages. Rules that need the database (a department in reach, a visible target) live in
the services, the one permission path."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from qinqing.appeals.models import Channel, RevisitMethod, Satisfaction, Urgency
from qinqing.appeals.services import MAX_EXTENSION_DAYS, MAX_HANDLE_DAYS
from qinqing.core.inputs import Flag, Int

TEXT = 2000
LONG_TEXT = 5000


class SubmitIn(Schema):
    """提交诉求 (an enterprise) or 代为登记 (the office, naming the enterprise and the channel)."""

    enterprise_uscc: str | None = Field(
        None, max_length=30, title="企业", description="代为登记时的企业统一社会信用代码；企业用户不填"
    )
    channel: Channel = Field(Channel.ONLINE, title="来源渠道")
    title: str = Field(..., min_length=1, max_length=100, title="标题")
    content: str = Field(..., min_length=1, max_length=LONG_TEXT, title="诉求内容")
    category: str = Field(
        ..., min_length=1, max_length=40, title="类别", description="类别代码（见 /api/categories）"
    )
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    contact_name: str = Field("", max_length=30, title="联系人")
    contact_mobile: str = Field("", max_length=20, title="联系电话")


class AssignIn(Schema):
    lead: Int = Field(..., description="主办单位编号（见 /api/departments）", title="主办单位")
    co: list[Int] = Field([], max_length=100, description="协办单位编号", title="协办单位")
    handle_days: Int | None = Field(
        None, ge=1, le=MAX_HANDLE_DAYS, description="办理时限（工作日）", title="办理时限"
    )
    note: str = Field("", max_length=TEXT, title="说明")
    difficulty: Int | None = Field(None, ge=1, le=3, description="难度：1 普通，2 较难，3 疑难", title="难度")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=TEXT, title="理由")


class ReassignIn(Schema):
    lead: int = Field(..., description="新的主办单位编号（见 /api/departments）", title="改派至")
    reason: str = Field(..., max_length=TEXT, title="改派理由")


class ReopenIn(Schema):
    reason: str = Field(..., max_length=TEXT, title="复核意见")
    lead: int | None = Field(None, description="重办单位编号；不填则由原主办单位重办", title="重办单位")


class NoteIn(Schema):
    note: str = Field(..., max_length=TEXT, title="说明")
    # The lead department or the office may tell the enterprise; 批示 and 协办意见 stay internal whatever this says.
    public: bool = Field(False, title="告知企业")


class OptionalNoteIn(Schema):
    note: str = Field("", max_length=TEXT, title="说明")


class ExtensionIn(Schema):
    days: Int = Field(..., ge=1, le=MAX_EXTENSION_DAYS, description="延长的工作日数", title="延期天数")
    reason: str = Field(..., max_length=TEXT, title="理由")


class DecisionIn(Schema):
    approve: Flag = Field(..., title="审批结果")
    note: str = Field("", max_length=TEXT, title="说明")


class ExtensionDecisionIn(DecisionIn):
    """The page names the extension request in its form; the API names it in the path."""

    extension: Int = Field(..., title="延期申请")


class PauseIn(Schema):
    kind: Literal["enterprise", "third_party"] = Field(..., title="挂起类型")
    reason: str = Field(..., max_length=TEXT, title="理由")


class ReplyIn(Schema):
    measures: str = Field(..., max_length=LONG_TEXT, title="采取的措施")
    result: str = Field(..., max_length=LONG_TEXT, title="办理结果")


class RateIn(Schema):
    satisfaction: Satisfaction = Field(..., title="满意度")
    resolved: Flag = Field(..., title="问题是否解决")
    comment: str = Field("", max_length=TEXT, title="意见")


class MergeIn(Schema):
    into: str = Field(..., max_length=40, description="并入的诉求编号", title="并入诉求编号")
    note: str = Field("", max_length=TEXT, title="说明")


class RevisitIn(Schema):
    """回访 of a closed appeal. Reached: satisfaction and resolved are required; not reached: neither."""

    method: RevisitMethod = Field(..., title="回访方式")
    reached: bool = Field(..., title="是否联系上")
    satisfaction: Satisfaction | None = Field(None, title="满意度")
    resolved: bool | None = Field(None, title="问题是否解决")
    comments: str = Field("", max_length=TEXT, title="回访意见")


class RevisitSampleIn(Schema):
    """抽样: a share (100 = all) of the appeals closed in a period that were not yet revisited."""

    date_from: dt.date = Field(..., title="办结日期自")
    date_to: dt.date = Field(..., title="办结日期至")
    percent: int = Field(..., ge=1, le=100, title="抽样比例（%）")
