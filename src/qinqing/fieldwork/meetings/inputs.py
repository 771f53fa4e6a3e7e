"""The input of every meeting action, defined once for the page and the API (see ``core.inputs``)."""

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Int, Moment


class SeriesIn(Schema):
    name: str = Field(..., max_length=60, title="系列名称")
    weekday: Int = Field(0, title="星期", description="0 星期一 … 6 星期日")
    place: str = Field("", max_length=100, title="地点")


class MeetingIn(Schema):
    theme: str = Field(..., max_length=100, title="主题")
    starts_at: Moment = Field(..., title="时间")
    kind: str | None = Field(None, max_length=20, title="类型")
    series_id: Int | None = Field(None, title="所属系列")
    place: str = Field("", max_length=100, title="地点")
    host_id: Int | None = Field(None, title="主持领导")
    department_ids: list[Int] = Field([], max_length=1000, title="参会部门")
    enterprise_ids: list[Int] = Field([], max_length=1000, title="邀请企业")


class IssuesIn(Schema):
    text: str = Field(
        ...,
        max_length=200_000,
        description="每行一条：企业名称或统一社会信用代码 | 类别 | 问题内容",
        title="问题清单",
    )


class MinutesIn(Schema):
    minutes: str = Field(..., max_length=20000, title="会议纪要")
