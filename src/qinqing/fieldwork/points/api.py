"""Endpoints of 企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from qinqing.core.errors import NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.models import ContactPoint
from qinqing.fieldwork.points import selectors, services

router = Router(tags=["政企活动与服务"])

# ---------------------------------------------------------------- contact points and task forces


class ContactPointOut(Schema):
    id: int
    kind: str
    kind_label: str
    enterprise_id: int
    enterprise: str
    responsible: str
    department: str | None
    designated_on: dt.date
    active: bool


@router.get("/contact-points", response=list[ContactPointOut], summary="企业联系点")
def contact_points(request, kind: str | None = None):
    qs = selectors.contact_points_visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    return [
        ContactPointOut(
            id=p.pk,
            kind=p.kind,
            kind_label=p.get_kind_display(),
            enterprise_id=p.enterprise_id,
            enterprise=p.enterprise.name,
            responsible=p.responsible,
            department=p.department.name if p.department else None,
            designated_on=p.designated_on,
            active=p.active,
        )
        for p in qs
    ]


class ContactAppealIn(Schema):
    category_id: int
    title: str = Field(..., max_length=100)
    content: str = Field(..., max_length=5000)


@router.post(
    "/contact-points/{point_id}/appeals", response={201: common.AppealRef}, summary="登记经联系点反映的诉求"
)
def contact_appeal(request, point_id: int, payload: ContactAppealIn):
    point: ContactPoint | None = selectors.contact_points_visible_to(request.auth).filter(pk=point_id).first()
    if point is None:
        raise NotVisible("未找到该联系点")
    a = services.register_via_contact_point(
        by=request.auth,
        point=point,
        title=payload.title,
        content=payload.content,
        category=common.category(payload.category_id),
    )
    return Status(201, common.AppealRef(number=a.number, channel=a.channel))
