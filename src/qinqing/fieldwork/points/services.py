"""Writes of 企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, Category
from qinqing.core.errors import InvalidInput, TransitionNotAllowed
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    CONTACT_POINT_CHANNEL,
    AppealOrigin,
    ContactPoint,
)
from qinqing.organisation.models import Department

# ---------------------------------------------------------------- contact points and task forces


def designate_contact_point(
    *,
    by: User,
    enterprise: Enterprise,
    kind: str,
    responsible: str,
    department: Department | None = None,
    on: dt.date | None = None,
) -> ContactPoint:
    common.require_office(by, enterprise.region)
    responsible, err = common.text(responsible, "联系代表/责任人", 60)
    errors = common.errors(
        responsible=err, kind=None if kind in CONTACT_POINT_CHANNEL else "联系点类型不正确"
    )
    if ContactPoint.objects.filter(enterprise=enterprise, kind=kind).exists():
        errors["enterprise_id"] = ["该企业已是此类联系点"]
    if errors:
        raise InvalidInput("联系点信息有误", errors)
    return ContactPoint.objects.create(
        enterprise=enterprise,
        kind=kind,
        responsible=responsible,
        department=department,
        designated_on=on or timezone.localdate(),
    )


def register_via_contact_point(
    *,
    by: User,
    point: ContactPoint,
    title: str,
    content: str,
    category: Category,
    urgency: str = "normal",
) -> Appeal:
    """An appeal collected through a contact point: registered by the office, carrying the point's channel."""
    common.require_office(by, point.enterprise.region)
    if not point.active:
        raise TransitionNotAllowed("该联系点已撤销")
    with transaction.atomic():
        appeal, _ = appeal_services.submit_appeal(
            by=by,
            enterprise=point.enterprise,
            title=title,
            content=content,
            category=category,
            urgency=urgency,
            channel=CONTACT_POINT_CHANNEL[point.kind],
        )
        AppealOrigin.objects.create(appeal=appeal, contact_point=point)
    return appeal
