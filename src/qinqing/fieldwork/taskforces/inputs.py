"""The input of every task-force action, defined once for the page and the API (see ``core.inputs``)."""

from django.http import QueryDict
from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Flag, Int, Number


class MemberIn(Schema):
    department_id: Int = Field(..., title="成员单位")
    person: str = Field(..., max_length=30, title="责任人")
    mobile: str = Field("", max_length=11, title="联系电话")
    is_lead: Flag = Field(False, title="牵头单位")


class TaskForceIn(Schema):
    name: str = Field(..., max_length=80, title="专班名称")
    matter: str = Field(..., max_length=5000, title="事项")
    members: list[MemberIn] = Field(..., title="成员单位")
    appeal_numbers: list[Number] = Field([], max_length=1000, title="关联诉求")


class TaskForceLogIn(Schema):
    note: str = Field(..., max_length=5000, title="进展")


class CloseIn(Schema):
    note: str = Field("", max_length=5000, title="完成说明")


def task_force_form(post: QueryDict) -> dict:
    """The page's form as the schema's data: one row per chosen member department (the lead picked once for
    all rows), the related appeals as one comma-separated box."""
    lead = post.get("lead", "")
    rows = zip(post.getlist("member_department"), post.getlist("member_person"), strict=False)
    return {
        "name": post.get("name", ""),
        "matter": post.get("matter", ""),
        "members": [{"department_id": d, "person": p, "is_lead": d == lead} for d, p in rows if d],
        "appeal_numbers": [
            n.strip() for n in post.get("appeals", "").replace("，", ",").split(",") if n.strip()
        ],
    }
