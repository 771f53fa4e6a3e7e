"""Each meeting action once, for the page and the API: resolve the references through the selectors, then call
the one service."""

from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.fieldwork import common
from qinqing.fieldwork.meetings import inputs, selectors, services
from qinqing.fieldwork.models import Meeting, MeetingSeries
from qinqing.organisation.models import Department


def create_series(by: User, data: inputs.SeriesIn) -> MeetingSeries:
    return services.create_series(by=by, name=data.name, weekday=data.weekday, place=data.place)


def schedule(by: User, data: inputs.MeetingIn) -> Meeting:
    common.require_office(by)
    series = None
    if data.series_id is not None:
        series = selectors.series_visible_to(by).filter(pk=data.series_id).first()
        if series is None:
            raise InvalidInput("活动系列不存在", {"series_id": ["活动系列不存在"]})
    host = None
    if data.host_id is not None:
        host = selectors.hosts_for(by).filter(pk=data.host_id).first()
        if host is None:
            raise InvalidInput("活动信息有误", {"host_id": ["主持人须为领导账号"]})
    enterprises = list(selectors.enterprises_in_reach(by).filter(pk__in=data.enterprise_ids))
    if len(enterprises) != len(set(data.enterprise_ids)):
        raise InvalidInput("活动信息有误", {"enterprise_ids": ["参会企业须在本区划内"]})
    starts_at = data.starts_at
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    return services.schedule_meeting(
        by=by,
        theme=data.theme,
        starts_at=starts_at,
        kind=data.kind,
        series=series,
        place=data.place,
        host=host,
        departments=Department.objects.filter(pk__in=data.department_ids),
        enterprises=enterprises,
    )


def meeting(by: User, pk: int) -> Meeting:
    found = selectors.meetings_visible_to(by).filter(pk=pk).select_related("series", "region").first()
    if found is None:
        raise NotVisible("未找到该活动")
    return found


def add_issues(by: User, pk: int, data: inputs.IssuesIn):
    return services.add_meeting_issues(meeting=meeting(by, pk), by=by, text=data.text)


def announce(by: User, pk: int) -> int:
    return services.announce_meeting(meeting=meeting(by, pk), by=by)


def record_minutes(by: User, pk: int, data: inputs.MinutesIn) -> Meeting:
    return services.record_minutes(meeting=meeting(by, pk), by=by, minutes=data.minutes)
