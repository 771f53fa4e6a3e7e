"""Endpoints of 政企交流 and 座谈会: series, meetings, the issues raised at them and the series' funnel."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.core.errors import NotVisible
from qinqing.fieldwork import reports
from qinqing.fieldwork.meetings import actions, inputs, selectors, workflow
from qinqing.fieldwork.models import Meeting

router = Router(tags=["政企活动与服务"])

# ---------------------------------------------------------------- meetings


class StageOut(Schema):
    key: str
    label: str
    value: int
    rate: float | None


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    series_id: int | None
    sequence: int | None
    theme: str
    starts_at: dt.datetime
    place: str
    host: str
    state: str
    funnel: list[StageOut] | None = None
    actions: list[str] = Field([], description="当前用户可执行的操作（announce / minutes / issues）")


def _meeting_out(m: Meeting, user, with_funnel: bool = False) -> MeetingOut:
    funnel = selectors.funnel(selectors.meeting_appeals([m.pk]))["stages"] if with_funnel else None
    return MeetingOut(
        id=m.pk,
        title=m.title,
        kind=m.kind,
        kind_label=m.get_kind_display(),
        series_id=m.series_id,
        sequence=m.sequence,
        theme=m.theme,
        starts_at=m.starts_at,
        place=m.place,
        host=m.host_name,
        state=m.state,
        funnel=funnel,
        actions=[a.name for a in workflow.MEETINGS.available(m, user)],
    )


@router.get("/meetings", response=list[MeetingOut], summary="政企活动列表")
def meetings(request, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.meetings_visible_to(request.auth).select_related("series", "region")[:limit]
    return [_meeting_out(m, request.auth) for m in qs]


@router.post("/meetings", response={201: MeetingOut}, summary="新建活动（系列活动自动编期）")
def create_meeting(request, payload: inputs.MeetingIn):
    return Status(201, _meeting_out(actions.schedule(request.auth, payload), request.auth))


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="活动详情与问题办理漏斗")
def meeting(request, meeting_id: int):
    m = actions.meeting(request.auth, meeting_id)
    return _meeting_out(m, request.auth, with_funnel=request.auth.role in (Role.DISPATCHER, Role.LEADER))


class CreatedAppeals(Schema):
    numbers: list[str]


@router.post(
    "/meetings/{meeting_id}/issues", response={201: CreatedAppeals}, summary="批量录入活动收集的问题"
)
def meeting_issues(request, meeting_id: int, payload: inputs.IssuesIn):
    made = actions.add_issues(request.auth, meeting_id, payload)
    return Status(201, CreatedAppeals(numbers=[a.number for a in made]))


class Announced(Schema):
    recipients: int


@router.post("/meetings/{meeting_id}/announce", response=Announced, summary="通知参会企业")
def announce(request, meeting_id: int):
    return Announced(recipients=actions.announce(request.auth, meeting_id))


@router.post("/meetings/{meeting_id}/minutes", response=MeetingOut, summary="记录会议纪要")
def minutes(request, meeting_id: int, payload: inputs.MinutesIn):
    return _meeting_out(actions.record_minutes(request.auth, meeting_id, payload), request.auth)


class SeriesRowOut(Schema):
    meeting_id: int
    sequence: int | None
    theme: str
    collected: int
    measures: int
    resolved: int


class SeriesOut(Schema):
    id: int
    name: str
    meetings: list[SeriesRowOut]
    funnel: list[StageOut]


@router.get("/series/{series_id}", response=SeriesOut, summary="活动系列：各期及合计的问题办理漏斗")
def series(request, series_id: int):
    s = selectors.series_visible_to(request.auth).filter(pk=series_id).first()
    if s is None:
        raise NotVisible("未找到该系列")
    r = reports.series_report(s)
    return SeriesOut(
        id=s.pk,
        name=s.name,
        funnel=r["total"]["stages"],
        meetings=[
            SeriesRowOut(
                meeting_id=x["meeting"].pk,
                sequence=x["meeting"].sequence,
                theme=x["meeting"].theme,
                collected=x["collected"],
                measures=x["measures"],
                resolved=x["resolved"],
            )
            for x in r["rows"]
        ],
    )


class SeriesCreatedOut(Schema):
    id: int
    name: str
    kind: str
    weekday: int
    place: str


@router.post("/series", response={201: SeriesCreatedOut}, summary="新建活动系列")
def create_series(request, payload: inputs.SeriesIn):
    s = actions.create_series(request.auth, payload)
    return Status(201, SeriesCreatedOut(id=s.pk, name=s.name, kind=s.kind, weekday=s.weekday, place=s.place))
