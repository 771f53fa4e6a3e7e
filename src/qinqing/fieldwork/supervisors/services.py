"""Writes of 特约监督员: their appointment, confidential problem clues (问题线索), spot checks and the appeals they bring."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, Category, Channel
from qinqing.core import numbering, workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    SPOT_CHECK_ITEM_MAX,
    SPOT_CHECK_ITEMS,
    AppealOrigin,
    Clue,
    ClueEvent,
    SpotCheck,
    Supervisor,
    SupervisorBackground,
)
from qinqing.fieldwork.supervisors import selectors, workflow
from qinqing.organisation.models import Department
from qinqing.organisation.selectors import ancestor_ids
from qinqing.supervision.models import Notification
from qinqing.supervision.notify import notify

# ---------------------------------------------------------------- special supervisors


def appoint_supervisor(
    *,
    by: User,
    user: User,
    certificate_no: str,
    background: str,
    term_start: dt.date,
    term_end: dt.date,
    organisation: str = "",
) -> Supervisor:
    common.require_office(by)
    certificate_no, err = common.text(certificate_no, "证书编号", 30)
    errors = common.errors(
        certificate_no=err,
        background=None if background in SupervisorBackground.values else "请选择界别",
        user=None if user.role == Role.SUPERVISOR else "须为特约监督员账号",
        term_end=None if term_end > term_start else "聘期结束须晚于开始",
    )
    if Supervisor.objects.filter(certificate_no=certificate_no).exists():
        errors["certificate_no"] = ["证书编号已存在"]
    if errors:
        raise InvalidInput("聘任信息有误", errors)
    home = common.region_of(by)
    region = user.region if user.region and user.region.is_within(home) else home
    return Supervisor.objects.create(
        user=user,
        region=region,
        certificate_no=certificate_no,
        background=background,
        organisation=organisation.strip()[:100],
        term_start=term_start,
        term_end=term_end,
    )


def active_supervisor(by: User) -> Supervisor:
    sup = getattr(by, "supervisor", None) if by.role == Role.SUPERVISOR else None
    if sup is None:
        raise NotPermitted("只有特约监督员可以执行此操作")
    if not sup.in_term(timezone.localdate()):
        raise NotPermitted("您的聘期未开始或已届满")
    return sup


def submit_clue(
    *,
    by: User,
    title: str,
    content: str,
    department: Department | None = None,
    subject: str = "",
    occurred_on: dt.date | None = None,
) -> Clue:
    sup = active_supervisor(by)
    title, e1 = common.text(title, "标题", 100)
    content, e2 = common.text(content, "线索内容", 5000)
    errors = common.errors(title=e1, content=e2)
    if department is None and not subject.strip():
        errors["subject"] = ["请选择涉及单位或填写涉及对象"]
    if occurred_on and occurred_on > timezone.localdate():
        errors["occurred_on"] = ["发生日期不能晚于今天"]
    if errors:
        raise InvalidInput("线索信息有误", errors)
    with transaction.atomic():
        now = timezone.now()
        clue = Clue.objects.create(
            number=numbering.next_number("XS", workcalendar.local_date(now)),
            supervisor=sup,
            region=sup.region,
            department=department,
            subject=subject.strip()[:100],
            title=title,
            content=content,
            occurred_on=occurred_on,
            created_at=now,
        )
        ClueEvent.objects.create(
            clue=clue, actor=by, actor_name=by.display_name, to_state=clue.state, note="提交线索"
        )
        notify(
            User.objects.filter(role=Role.DISPATCHER, region__in=ancestor_ids(sup.region)),
            kind=Notification.Kind.CLUE,
            title=f"新问题线索 {clue.number}",
            body="请及时受理（内容保密）",
            url=reverse("fieldwork_clue", args=[clue.number]),
        )
    return clue


def handle_clue(*, clue: Clue, by: User, action: str, note: str = "", finding: str = "") -> Clue:
    """One step of the clue's workflow (``supervisors.workflow.CLUES``), written as one event."""
    with transaction.atomic():
        clue = Clue.objects.select_for_update().select_related("supervisor__user", "region").get(pk=clue.pk)
        if selectors.clue_side(by, clue) is None:
            raise NotVisible("未找到该线索")
        if action not in workflow.CLUE_ACTIONS:
            raise InvalidInput("操作不正确", {"action": ["操作不正确"]})
        step = workflow.CLUES.check(clue, action, by)
        note = (note or "").strip()
        if action in workflow.NOTE_REQUIRED and not note:
            raise InvalidInput("请填写说明", {"note": ["请填写处理说明"]})
        if action == "conclude":
            if finding not in Clue.Finding.values:
                raise InvalidInput("请选择核查结论", {"finding": ["请选择核查结论"]})
            clue.finding = finding
            clue.result = note
        if action == "dismiss":
            clue.result = note
        before = clue.state
        clue.state = common.target_of(step)
        clue.save()
        ClueEvent.objects.create(
            clue=clue, actor=by, actor_name=by.display_name, from_state=before, to_state=clue.state, note=note
        )
        if action == "transfer":
            notify(
                User.objects.filter(
                    department__kind=Department.Kind.DISCIPLINE,
                    is_active=True,
                    department__region__in=ancestor_ids(clue.region),
                ),
                kind=Notification.Kind.CLUE,
                title=f"移送问题线索 {clue.number}",
                body="营商办移送，请核查",
                url=reverse("fieldwork_clue", args=[clue.number]),
            )
        notify(
            [clue.supervisor.user],
            kind=Notification.Kind.CLUE,
            title=f"您提交的线索{clue.number}：{clue.get_state_display()}",
            url=reverse("fieldwork_clue", args=[clue.number]),
        )
    return clue


def register_as_supervisor(
    *,
    by: User,
    enterprise: Enterprise,
    title: str,
    content: str,
    category: Category,
    urgency: str = "normal",
) -> Appeal:
    """An ordinary appeal a supervisor brings on an enterprise's behalf (channel 特约监督员)."""
    sup = active_supervisor(by)
    if not enterprise.region.is_within(sup.region):
        raise InvalidInput("该企业不在您的监督区划内", {"enterprise": ["该企业不在您的监督区划内"]})
    with transaction.atomic():
        appeal, _ = appeal_services.submit_appeal(
            by=by,
            enterprise=enterprise,
            title=title,
            content=content,
            category=category,
            urgency=urgency,
            channel=Channel.SUPERVISOR,
            agent_checked=True,
        )
        AppealOrigin.objects.create(appeal=appeal, supervisor=sup)
    return appeal


def record_spot_check(
    *,
    by: User,
    department: Department,
    checked_on: dt.date,
    items: dict[str, int],
    place: str = "",
    comments: str = "",
) -> SpotCheck:
    sup = active_supervisor(by)
    errors = {}
    scores = {}
    for key, label in SPOT_CHECK_ITEMS:
        try:
            value = int(items[key])
        except (KeyError, TypeError, ValueError):
            errors[key] = [f"请为“{label}”打分（0–{SPOT_CHECK_ITEM_MAX}）"]
            continue
        if not 0 <= value <= SPOT_CHECK_ITEM_MAX:
            errors[key] = [f"“{label}”的得分须在0–{SPOT_CHECK_ITEM_MAX}之间"]
        scores[key] = value
    if not department.region.is_within(sup.region) and not sup.region.is_within(department.region):
        errors["department_id"] = ["该单位不在您的监督区划内"]
    if checked_on > timezone.localdate():
        errors["checked_on"] = ["抽查日期不能晚于今天"]
    if errors:
        raise InvalidInput("抽查记录有误", errors)
    return SpotCheck.objects.create(
        supervisor=sup,
        department=department,
        place=place.strip()[:100],
        checked_on=checked_on,
        items=scores,
        score=sum(scores.values()),
        comments=comments.strip()[:5000],
    )
