"""Endpoints of 企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from qinqing.fieldwork import common
from qinqing.fieldwork.models import ContactPoint
from qinqing.fieldwork.points import actions, inputs, selectors

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


def _point_out(p: ContactPoint) -> ContactPointOut:
    return ContactPointOut(
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


@router.get("/contact-points", response=list[ContactPointOut], summary="企业联系点")
def contact_points(request, kind: str | None = None):
    qs = selectors.contact_points_visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    return [_point_out(p) for p in qs]


@router.post("/contact-points", response={201: ContactPointOut}, summary="设立企业联系点")
def designate_contact_point(request, payload: inputs.DesignateIn):
    return Status(201, _point_out(actions.designate(request.auth, payload)))


@router.post(
    "/contact-points/{point_id}/appeals", response={201: common.AppealRef}, summary="登记经联系点反映的诉求"
)
def contact_appeal(request, point_id: int, payload: inputs.ContactAppealIn):
    a = actions.register_appeal(request.auth, point_id, payload)
    return Status(201, common.AppealRef(number=a.number, channel=a.channel))
