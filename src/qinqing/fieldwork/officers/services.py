"""Writes of 首席服务官, 驻点专员 and linked leaders: who serves which enterprise when, their visits and the appeals they register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, Category
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    SERVICE_CHANNEL,
    AppealOrigin,
    ServiceAssignment,
    ServiceRole,
    Visit,
)
from qinqing.fieldwork.officers import selectors

# ---------------------------------------------------------------- service officers


def assign_officer(
    *, by: User, enterprise: Enterprise, user: User, role: str, on: dt.date | None = None, reason: str = ""
) -> ServiceAssignment:
    """Start `user` serving `enterprise` in `role` from `on`; the current holder of the role (if any) ends the day
    before. Earlier visits and appeals keep the people they had."""
    common.require_office(by, enterprise.region)
    on = on or timezone.localdate()
    errors = {}
    if role not in ServiceRole.values:
        errors["role"] = ["服务角色不正确"]
    elif role == ServiceRole.LINKED_LEADER and user.role != Role.LEADER:
        errors["user_id"] = ["挂钩领导须为领导账号"]
    elif role != ServiceRole.LINKED_LEADER and user.role != Role.OFFICER:
        errors["user_id"] = ["首席服务官和驻点专员须为服务官账号"]
    if user.region is not None and not enterprise.region.is_within(user.region):
        errors.setdefault("user_id", []).append("该人员的服务区划不包含此企业")
    if errors:
        raise InvalidInput("包干关系有误", errors)
    with transaction.atomic():
        current = (
            ServiceAssignment.objects.select_for_update()
            .filter(enterprise=enterprise, role=role, ended_on__isnull=True)
            .first()
        )
        if current:
            if current.user_id == user.pk:
                return current
            if on <= current.started_on:
                raise InvalidInput(
                    "变更日期须晚于当前服务人员的起始日期", {"on": ["变更日期须晚于当前起始日期"]}
                )
            current.ended_on = on - dt.timedelta(days=1)
            current.end_reason = reason.strip()[:100] or "调整包干"
            current.save(update_fields=["ended_on", "end_reason"])
        return ServiceAssignment.objects.create(
            enterprise=enterprise, user=user, role=role, started_on=on, assigned_by=by
        )


def end_assignment(*, by: User, assignment: ServiceAssignment, on: dt.date, reason: str) -> ServiceAssignment:
    common.require_office(by, assignment.enterprise.region)
    if assignment.ended_on:
        raise TransitionNotAllowed("该包干关系已结束")
    if on < assignment.started_on:
        raise InvalidInput("结束日期不能早于起始日期", {"on": ["结束日期不能早于起始日期"]})
    assignment.ended_on = on
    assignment.end_reason = reason.strip()[:100] or "结束包干"
    assignment.save(update_fields=["ended_on", "end_reason"])
    return assignment


def _serving_role(officer: User, enterprise: Enterprise, day: dt.date) -> str:
    if officer.role != Role.OFFICER:
        raise NotPermitted("只有首席服务官或驻点专员可以执行此操作")
    row = selectors.serving(officer, enterprise, day)
    if row is None:
        raise NotVisible("该企业不在您的包干服务名单中")
    return row.role


def register_for_enterprise(
    *,
    by: User,
    enterprise: Enterprise,
    title: str,
    content: str,
    category: Category,
    urgency: str = "normal",
    visit: Visit | None = None,
    idempotency_key: str | None = None,
) -> Appeal:
    """An officer registers an appeal for an enterprise they serve; channel 首席服务官 or 驻点专员."""
    role = _serving_role(by, enterprise, timezone.localdate())
    with transaction.atomic():
        appeal, created = appeal_services.submit_appeal(
            by=by,
            enterprise=enterprise,
            title=title,
            content=content,
            category=category,
            urgency=urgency,
            channel=SERVICE_CHANNEL[role],
            idempotency_key=idempotency_key,
            agent_checked=True,
        )
        if created:
            AppealOrigin.objects.create(appeal=appeal, visit=visit, officer=by)
    return appeal


def log_visit(
    *,
    by: User,
    enterprise: Enterprise,
    visited_on: dt.date,
    people_met: str,
    findings: str,
    policies: str = "",
    issues: Sequence[dict] = (),
) -> tuple[Visit, list[Appeal]]:
    """走访 record; each issue (title, content, category[, urgency]) becomes an appeal raised from the visit."""
    role = _serving_role(by, enterprise, visited_on)
    people_met, e1 = common.text(people_met, "接待人员", 200)
    findings, e2 = common.text(findings, "走访情况", 5000)
    errors = common.errors(people_met=e1, findings=e2)
    if visited_on > timezone.localdate():
        errors["visited_on"] = ["走访日期不能晚于今天"]
    if errors:
        raise InvalidInput("走访记录有误", errors)
    with transaction.atomic():
        visit = Visit.objects.create(
            officer=by,
            role=role,
            enterprise=enterprise,
            visited_on=visited_on,
            people_met=people_met,
            findings=findings,
            policies=(policies or "").strip()[:5000],
        )
        appeals = [
            register_for_enterprise(
                by=by,
                enterprise=enterprise,
                title=i.get("title") or common.title_of(i.get("content") or ""),
                content=i.get("content") or "",
                category=i["category"],
                urgency=i.get("urgency") or "normal",
                visit=visit,
            )
            for i in issues
        ]
    return visit, appeals
