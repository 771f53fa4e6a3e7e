"""The input of every plans action, defined once for the page and the API (see ``core.inputs``)."""

from typing import Literal

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Day, Flag, Int


class PlanIn(Schema):
    year: Int = Field(..., ge=2000, le=2100, title="年度")
    title: str = Field(..., min_length=1, max_length=200, title="方案名称")
    number: str = Field("", max_length=60, title="文号")
    leading_group: str = Field("", max_length=2000, title="领导小组")
    working_groups: str = Field("", max_length=2000, title="工作专班")
    cadence: Literal["half_month", "month"] = Field("half_month", title="进展报送频次")
    report_grace_days: Int = Field(3, ge=0, le=20, title="报送宽限（工作日）")


class PlanTaskIn(Schema):
    code: str = Field(..., min_length=1, max_length=20, title="编号")
    title: str = Field(..., min_length=1, max_length=200, title="任务名称")
    description: str = Field("", max_length=5000, title="任务内容")
    environment: Literal["law", "government", "market", "social"] = Field(..., title="所属环境")
    lead_department: Int = Field(..., ge=1, le=2**31 - 1, title="牵头部门")
    responsibility: Literal["statutory", "lead", "linked"] = Field("lead", title="责任类型")
    co_departments: list[Int] = Field(default_factory=list, max_length=30, title="配合部门")
    supervisor: Int | None = Field(None, ge=1, le=2**31 - 1, title="督办专员")
    weight: float = Field(1, gt=0, le=100, title="权重")
    indicators: list[Int] = Field(default_factory=list, max_length=20, title="对应指标")
    parent: Int | None = Field(None, ge=1, le=2**31 - 1, title="上级任务")


class PlanMilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, title="节点")
    due: Day = Field(..., title="完成时限")
    expected_result: str = Field(..., min_length=1, max_length=300, title="预期成果")
    evidence_required: str = Field(..., min_length=1, max_length=300, title="佐证材料要求")
    weight: float = Field(1, gt=0, le=100, title="权重")


class PlanReportIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000, title="工作进展")
    problems: str = Field("", max_length=2000, title="存在问题")
    # A form field (multipart, with the files): its number comes as text.
    milestone: int | None = Field(None, ge=1, le=2**31 - 1, title="提交审核的节点")
    link: str = Field("", max_length=300, pattern=r"^(https?://\S+)?$", title="佐证材料链接")


class PlanReviewIn(Schema):
    note: str = Field("", max_length=2000, title="审核意见")


class PlanNoteIn(Schema):
    note: str = Field("", max_length=2000, title="说明")


class PlanRescheduleIn(Schema):
    due: Day = Field(..., title="新的完成时限")
    reason: str = Field(..., min_length=1, max_length=500, title="调整原因")


class SlipAnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=5000, title="回复内容")


class PlanRankingIn(Schema):
    period: Literal["month", "quarter"] = Field("month", title="周期")
    month: Day = Field(..., title="期内任一日")
    confirm: Flag = Field(False, title="确认发布（发布后不可更改）")
