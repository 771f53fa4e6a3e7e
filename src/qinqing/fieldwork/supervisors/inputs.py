"""The input of every supervisor action, defined once for the page and the API (see ``core.inputs``)."""

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Day, Int
from qinqing.fieldwork.models import SPOT_CHECK_ITEMS


class ClueIn(Schema):
    title: str = Field(..., max_length=100, title="标题")
    content: str = Field(..., max_length=5000, title="线索内容")
    department_id: Int | None = Field(None, title="涉及单位")
    subject: str = Field("", max_length=100, title="涉及对象")
    occurred_on: Day | None = Field(None, title="发生日期")


class ClueActionIn(Schema):
    action: str = Field(
        ...,
        max_length=20,
        description="accept 核查 / dismiss 不予核查 / transfer 移送纪检监察 / conclude 办结",
        title="操作",
    )
    note: str = Field("", max_length=2000, title="说明")
    finding: str = Field(
        "", max_length=10, description="办结时：true 属实 / partly 部分属实 / false 不属实", title="核查结论"
    )


class SpotCheckIn(Schema):
    department_id: Int = Field(..., title="被抽查单位")
    checked_on: Day = Field(..., title="抽查日期")
    items: dict[str, Int] = Field(
        ...,
        description="、".join(f"{k} {label}" for k, label in SPOT_CHECK_ITEMS) + "，各0–20分",
        title="评分",
    )
    place: str = Field("", max_length=100, title="抽查地点")
    comments: str = Field("", max_length=5000, title="意见建议")


class AppointIn(Schema):
    user_id: Int = Field(..., title="账号")
    certificate_no: str = Field(..., max_length=30, title="证书编号")
    background: str = Field(..., max_length=20, title="界别")
    term_start: Day = Field(..., title="聘期开始")
    term_end: Day = Field(..., title="聘期结束")
    organisation: str = Field("", max_length=100, title="工作单位")
