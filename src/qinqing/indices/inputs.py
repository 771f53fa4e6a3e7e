"""The input of every index action, defined once for the page and the API (see ``core.inputs``)."""

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Int

LIMIT = 1e10


class ObservationIn(Schema):
    indicator_id: Int = Field(..., ge=1, le=2**31, title="指标")
    region_id: Int = Field(..., ge=1, le=2**31, title="区划")
    period: str = Field(..., min_length=1, max_length=8, title="期间")
    value: float = Field(..., gt=-LIMIT, lt=LIMIT, title="数值")
    note: str = Field("", max_length=500, title="说明")
    evidence_link: str = Field("", max_length=300, title="证明材料链接")


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300, title="退回原因")


class BenchmarkIn(Schema):
    indicator_id: Int = Field(..., ge=1, le=2**31, title="指标")
    comparator: str = Field(..., min_length=1, max_length=30, title="对标对象")
    period: str = Field(..., min_length=1, max_length=8, title="期间")
    value: float = Field(..., gt=-LIMIT, lt=LIMIT, title="数值")
    source: str = Field(..., min_length=1, max_length=300, title="来源")


class TargetIn(Schema):
    indicator_id: Int = Field(..., ge=1, le=2**31, title="指标")
    region_id: Int = Field(..., ge=1, le=2**31, title="区划")
    period: str = Field(..., min_length=1, max_length=8, title="期间")
    value: float = Field(..., gt=-LIMIT, lt=LIMIT, title="目标值")


class SettingIn(Schema):
    region_id: Int = Field(..., ge=1, le=2**31, title="区划")
    grouping_id: Int | None = Field(None, ge=1, le=2**31, title="分组")
    comparator: str = Field("", max_length=30, title="默认对标")
