"""The input of every insights action, defined once for the page and the API (see ``core.inputs``)."""

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Int, Number


class TextIn(Schema):
    text: str = Field(..., max_length=20000, description="诉求标题和内容", title="诉求内容")


class LinkIn(Schema):
    related: str = Field(..., max_length=40, description="相似诉求编号", title="相似诉求")


class ReplyDraftIn(Schema):
    measures: str = Field("", max_length=5000, title="采取的措施")
    result: str = Field("", max_length=5000, title="办理结果")


class CommonIssueIn(Schema):
    title: str = Field(..., max_length=100, title="问题概括")
    summary: str = Field("", max_length=5000, title="问题说明")
    keywords: str = Field("", max_length=200, title="关键词")
    lead: Int = Field(..., description="牵头单位 id", title="牵头单位")
    co: list[Int] = Field([], max_length=100, title="配合单位")
    appeals: list[Number] = Field(..., description="诉求编号", max_length=1000, title="涉及诉求")


class IssueAnswerIn(Schema):
    measures: str = Field(..., max_length=5000, title="采取的措施")
    result: str = Field(..., max_length=5000, title="办理结果")
