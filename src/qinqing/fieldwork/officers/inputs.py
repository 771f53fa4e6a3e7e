"""The input of every service-officer action, defined once for the page and the API (see ``core.inputs``)."""

from collections.abc import Mapping

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Day, Int
from qinqing.fieldwork import common

# The visit page offers this many issue rows.
VISIT_ISSUE_SLOTS = 3


class OfficerAppealIn(common.AgentAppealIn):
    idempotency_key: str | None = Field(None, max_length=64, title="防重复提交标识")


class IssueIn(Schema):
    category_id: Int = Field(..., title="类别")
    content: str = Field(..., max_length=5000, title="问题内容")
    title: str = Field("", max_length=100, title="标题")
    urgency: str = Field("normal", max_length=10, title="紧急程度")


class VisitIn(Schema):
    enterprise_id: Int = Field(..., title="企业")
    visited_on: Day = Field(..., title="走访日期")
    people_met: str = Field(..., max_length=200, title="接待人员")
    findings: str = Field(..., max_length=5000, title="走访情况")
    policies: str = Field("", max_length=5000, title="宣讲政策")
    issues: list[IssueIn] = Field([], max_length=100, title="登记诉求")


class ServiceAssignIn(Schema):
    user_id: Int = Field(..., title="人员")
    role: str = Field(..., max_length=20, title="角色")
    on: Day | None = Field(None, title="起始日期")
    reason: str = Field("", max_length=100, title="变更原因")


def visit_form(post: Mapping) -> dict:
    """The visit page as the schema's data: its numbered issue rows (``issue1_content`` …) become the list of
    issues; a row without content is an unused row."""
    data = {k: post.get(k) for k in ("enterprise_id", "visited_on", "people_met", "findings", "policies")}
    data = {k: v for k, v in data.items() if v is not None}
    issues = []
    for i in range(1, VISIT_ISSUE_SLOTS + 1):
        content = (post.get(f"issue{i}_content") or "").strip()
        if content:
            row = {"content": content, "title": post.get(f"issue{i}_title", "")}
            if post.get(f"issue{i}_category"):
                row["category_id"] = post.get(f"issue{i}_category")
            issues.append(row)
    data["issues"] = issues
    return data
