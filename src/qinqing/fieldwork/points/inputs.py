"""The input of every contact-point action, defined once for the page and the API (see ``core.inputs``)."""

from ninja import Schema
from pydantic import Field

from qinqing.core.inputs import Int


class DesignateIn(Schema):
    enterprise_id: Int = Field(..., title="企业")
    kind: str = Field(..., max_length=20, title="类型")
    responsible: str = Field(..., max_length=60, title="联系代表/责任人")
    department_id: Int | None = Field(None, title="责任部门")


class ContactAppealIn(Schema):
    category_id: Int = Field(..., title="类别")
    title: str = Field(..., max_length=100, title="标题")
    content: str = Field(..., max_length=5000, title="诉求内容")


class PointAppealIn(ContactAppealIn):
    """The page's form names the point among its fields; the API names it in the path."""

    point_id: Int = Field(..., title="联系点")
