"""The input of every project action, defined once for the page and the API (see ``core.inputs``)."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Day, Int
from qinqing.enterprises.models import Industry
from qinqing.projects.models import Stage, StepKind


class ProjectIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, title="项目名称")
    enterprise_id: Int = Field(..., ge=1, le=2_000_000_000, title="投资企业")
    amount: Int = Field(..., ge=1, le=100_000_000, title="投资额（万元）")
    industry: Industry = Field(..., title="行业门类")
    region_id: Int = Field(..., ge=1, le=2_000_000_000, title="所在区划")
    leader_id: Int | None = Field(None, ge=1, le=2_000_000_000, title="挂点领导")
    officer_id: Int | None = Field(None, ge=1, le=2_000_000_000, title="服务专员")
    task_force_id: Int | None = Field(None, ge=1, le=2_000_000_000, title="工作专班")
    baseline_id: Int | None = Field(None, ge=1, le=2_000_000_000, title="对照项目")
    since: Day | None = Field(None, title="洽谈开始日期")
    note: str = Field("", max_length=2000, title="备注")


class MoveIn(Schema):
    on: Day | None = Field(None, title="实际日期")
    note: str = Field("", max_length=500, title="说明")


class CorrectIn(Schema):
    stage: Stage = Field(..., title="更正为阶段")
    reason: str = Field(..., min_length=1, max_length=500, title="更正原因")


class StagePlanIn(Schema):
    stage: Stage = Field(..., title="阶段")
    planned_on: Day = Field(..., title="计划日期")


class StepIn(Schema):
    kind: StepKind = Field(..., title="审批事项")
    department_id: Int = Field(..., ge=1, le=2_000_000_000, title="审批部门")
    name: str = Field("", max_length=60, title="事项名称")


class StepDateIn(Schema):
    on: Day = Field(..., title="日期")


class ProblemIn(Schema):
    title: str = Field(..., min_length=1, max_length=100, title="问题标题")
    content: str = Field(..., min_length=1, max_length=5000, title="问题描述")
    category_id: Int = Field(..., ge=1, le=2_000_000_000, title="问题类别")
