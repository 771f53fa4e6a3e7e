"""Inputs of the account actions, one schema per action for every surface (``core.inputs``)."""

from typing import Literal

from ninja import Field, Schema


class GrantDecisionIn(Schema):
    action: Literal["approve", "refuse", "withdraw"] = Field(..., title="操作")
    note: str = Field("", max_length=500, title="意见")
