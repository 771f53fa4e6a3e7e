"""The input of every supervision action, defined once for the page and the API (see ``core.inputs``)."""

from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from qinqing.core.inputs import Day, Flag, Int, Number


class OrderIn(Schema):
    department: Int = Field(..., title="督办单位")
    appeals: list[Number] = Field(..., max_length=1000, description="诉求编号", title="督办事项")
    content: str = Field(..., max_length=2000, title="督办要求")
    respond_by: Day = Field(..., title="要求回复日期")


class AnswerIn(Schema):
    answer: str = Field(..., max_length=5000, title="回复内容")


class ContestIn(Schema):
    reason: str = Field(..., max_length=2000, title="申诉理由")


class DecideIn(Schema):
    uphold: Flag = Field(..., title="处理结果")
    note: str = Field(..., max_length=2000, title="处理意见")


class ReadIn(Schema):
    ids: list[Int] | None = Field(None, description="不填则全部标为已读", max_length=1000)


Choice = Annotated[str, StringConstraints(max_length=40)]


class PreferencesIn(Schema):
    enabled: list[Choice] = Field(
        default_factory=list,
        max_length=200,
        title="接收的消息",
        description="要接收的“类型:渠道”（如 signed:sms）；未列出的可退订项即退订，必须送达的消息不受影响",
    )
