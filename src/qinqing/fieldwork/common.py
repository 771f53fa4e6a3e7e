"""Helpers the fieldwork sub-domains share: who counts as the coordinating office, the small text checks of the
services, the lookups of reference data the pages and the API both do, and the appeal reference the agents'
endpoints answer with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar, overload

from django.http import Http404
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role, User
from qinqing.appeals.models import Category
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.core.params import date_or
from qinqing.core.workflow import Action
from qinqing.organisation.models import Department, Region
from qinqing.supervision.evaluation import period_bounds

T = TypeVar("T")

# ---------------------------------------------------------------- who


def is_office(user: User) -> bool:
    """A dispatcher or leader of a region: the coordinating office that oversees the region's field service."""
    return user.role in (Role.DISPATCHER, Role.LEADER) and bool(user.region_id)


def office_or_404(request: AuthedRequest) -> User:
    """The pages of the office (dispatchers and leaders of a region); what each may do there, the actions say."""
    user = request.user
    if not is_office(user):
        raise Http404("未找到页面")
    return user


def region_of(user: User) -> Region:
    """The region of a user whose role gives one (dispatcher, leader, officer, supervisor: `User.clean` requires
    it, and the callers have checked the role). Without one the user reaches nothing: not visible, never a 500."""
    if user.region is None:
        raise NotVisible("未找到该记录")
    return user.region


def department_of(user: User) -> Department:
    """The department of a handler or department head (`User.clean` requires one); without one, not visible."""
    if user.department is None:
        raise NotVisible("未找到该记录")
    return user.department


def require_office(by: User, region: Region | None = None) -> None:
    if by.role != Role.DISPATCHER or not by.region_id:
        raise NotPermitted("只有营商办调度员可以执行此操作")
    if region is not None and not region.is_within(region_of(by)):
        raise NotVisible("未找到该记录")


# ---------------------------------------------------------------- checks of the services


def target_of(step: Action) -> str:
    """The state a state-changing action leads to. Only actions whose row in the transition table names a target
    call this, so a None here is a bug in the table, not a user's input."""
    assert step.target is not None, f"action {step.name} changes no state"
    return step.target


def errors(**fields: str | None) -> dict[str, list[str]]:
    return {k: [v] for k, v in fields.items() if v}


def text(value: str | None, label: str, limit: int, *, required: bool = True) -> tuple[str, str | None]:
    value = (value or "").strip()
    if required and not value:
        return value, f"请填写{label}"
    if len(value) > limit:
        return value, f"{label}不能超过{limit}个字"
    return value, None


def title_of(content: str) -> str:
    first = content.replace("\n", " ").strip()
    return first if len(first) <= 30 else first[:29] + "…"


# ---------------------------------------------------------------- reference data


def category(pk, field: str = "category_id") -> Category:
    found = Category.objects.filter(pk=pk, active=True).first() if str(pk or "").isdigit() else None
    if found is None:
        raise InvalidInput("类别不存在", {field: ["类别不存在或已停用"]})
    return found


@overload
def department(pk: int, field: str = ...) -> Department: ...
@overload
def department(pk: int | None, field: str = ...) -> Department | None: ...
def department(pk: int | None, field: str = "department_id") -> Department | None:
    """The active department `pk` names (a required id gives a department, an optional one may give None)."""
    if pk is None:
        return None
    found = Department.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise InvalidInput("单位不存在", {field: ["单位不存在"]})
    return found


# ---------------------------------------------------------------- pages


def found_or_404(call: Callable[[], T]) -> T:
    """A page's lookup of its object: the lookup's one refusal, NotVisible, is a 404 like a missing object (what
    ``pages.perform`` does for it, without perform's None for other refusals, which a lookup never raises)."""
    try:
        return call()
    except NotVisible as exc:
        raise Http404(exc.message) from exc


def quarter(request: AuthedRequest) -> tuple[dt.date, dt.date]:
    anchor = date_or(request.GET.get("date"), timezone.localdate())
    return period_bounds("quarter", anchor)


# ---------------------------------------------------------------- API


class AgentAppealIn(Schema):
    """An appeal an officer or a supervisor registers on an enterprise's behalf."""

    enterprise_id: int = Field(..., title="企业")
    category_id: int = Field(..., title="类别")
    title: str = Field(..., max_length=100, title="标题")
    content: str = Field(..., max_length=5000, title="诉求内容")
    urgency: str = Field("normal", max_length=10, title="紧急程度")


class AppealRef(Schema):
    number: str
    channel: str
