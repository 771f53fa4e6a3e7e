"""The input of every credit action, defined once for the page and the API (see ``core.inputs``)."""

from typing import Literal

from ninja import Schema
from pydantic import Field


class RequestIn(Schema):
    kind: Literal["objection", "repair"] = Field(..., title="申请类型")
    reason: str = Field(..., min_length=1, max_length=2000, title="申请理由")


class CreditDecideIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=2000, title="办理结果")


class LoanIn(Schema):
    product: int = Field(..., title="信贷产品")
    amount: int = Field(..., ge=1, le=1_000_000, title="申请金额（万元）")
    purpose: str = Field(..., min_length=1, max_length=1000, title="资金用途")


class LoanStepIn(Schema):
    note: str = Field("", max_length=1000, title="说明")
    granted_amount: int | None = Field(None, ge=1, le=1_000_000, title="放款金额（万元）")
