"""Helpers the fieldwork sub-domains share: who counts as the coordinating office, the small text checks of the
services, the lookups of reference data the pages and the API both do, and the appeal reference the agents'
endpoints answer with."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import OPEN_STATUSES, Category, Light
from qinqing.core.errors import DomainError, InvalidInput, NotPermitted, NotVisible
from qinqing.core.params import date_or
from qinqing.organisation.models import Department, Region
from qinqing.supervision.evaluation import period_bounds

# ---------------------------------------------------------------- who


def is_office(user: User) -> bool:
    """A dispatcher or leader of a region: the coordinating office that oversees the region's field service."""
    return user.role in (Role.DISPATCHER, Role.LEADER) and bool(user.region_id)


def office_or_404(request: HttpRequest, *, write: bool = False) -> User:
    user = request.user
    roles = (Role.DISPATCHER,) if write else (Role.DISPATCHER, Role.LEADER)
    if user.role not in roles or not user.region_id:
        raise Http404("未找到页面")
    return user


def require_office(by: User, region: Region | None = None) -> None:
    if by.role != Role.DISPATCHER or not by.region_id:
        raise NotPermitted("只有营商办调度员可以执行此操作")
    if region is not None and not region.is_within(by.region):
        raise NotVisible("未找到该记录")


# ---------------------------------------------------------------- checks of the services


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


def department(pk: int | None, field: str = "department_id") -> Department | None:
    if pk is None:
        return None
    found = Department.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise InvalidInput("单位不存在", {field: ["单位不存在"]})
    return found


# ---------------------------------------------------------------- pages


def quarter(request: HttpRequest) -> tuple[dt.date, dt.date]:
    anchor = date_or(request.GET.get("date"), timezone.localdate())
    return period_bounds("quarter", anchor)


def lights(appeals) -> dict:
    now = timezone.now()
    return appeals.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        red=Count("pk", filter=appeal_selectors.light_q(Light.RED, now)),
        yellow=Count("pk", filter=appeal_selectors.light_q(Light.YELLOW, now)),
    )


# ---------------------------------------------------------------- API


class AgentAppealIn(Schema):
    enterprise_id: int
    category_id: int
    title: str = Field(..., max_length=100)
    content: str = Field(..., max_length=5000)
    urgency: str = "normal"


class AppealRef(Schema):
    number: str
    channel: str


# ---------------------------------------------------------------- pages (until every action has its schema)


def fail(request: HttpRequest, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs]
    messages.error(request, exc.message + ("：" + "；".join(details) if details else ""))


def post_date(value: str | None, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise InvalidInput(f"请填写正确的{label}", {label: [f"请填写正确的{label}"]}) from exc


def page_category(value) -> Category:
    found = (
        Category.objects.filter(pk=value or 0, active=True).first() if str(value or "").isdigit() else None
    )
    if found is None:
        raise InvalidInput("请选择类别", {"category": ["请选择类别"]})
    return found
