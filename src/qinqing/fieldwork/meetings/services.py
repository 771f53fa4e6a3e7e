"""Writes of 政企交流 and 座谈会: series, meetings, the issues raised at them and the series' funnel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, Category
from qinqing.core.errors import InvalidInput, NotVisible, TransitionNotAllowed
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.validators import normalise_uscc
from qinqing.fieldwork import common
from qinqing.fieldwork.meetings import selectors, workflow
from qinqing.fieldwork.models import (
    MEETING_CHANNEL,
    AppealOrigin,
    Meeting,
    MeetingKind,
    MeetingSeries,
)
from qinqing.organisation.models import Department, Region, within
from qinqing.supervision.models import Notification
from qinqing.supervision.notify import notify

# ---------------------------------------------------------------- meetings


def create_series(
    *,
    by: User,
    name: str,
    kind: str = MeetingKind.THEME_DAY,
    weekday: int = 0,
    start_time: dt.time = dt.time(20),
    end_time: dt.time = dt.time(22),
    place: str = "",
) -> MeetingSeries:
    common.require_office(by)
    name, err = common.text(name, "系列名称", 60)
    errors = common.errors(name=err, kind=None if kind in MeetingKind.values else "活动类型不正确")
    if not 0 <= weekday <= 6:
        errors["weekday"] = ["星期不正确"]
    if end_time <= start_time:
        errors["end_time"] = ["结束时间必须晚于开始时间"]
    if errors:
        raise InvalidInput("活动系列信息有误", errors)
    return MeetingSeries.objects.create(
        name=name,
        kind=kind,
        region=common.region_of(by),
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        place=place.strip()[:100],
    )


def schedule_meeting(
    *,
    by: User,
    theme: str,
    starts_at: dt.datetime,
    kind: str | None = None,
    series: MeetingSeries | None = None,
    ends_at: dt.datetime | None = None,
    place: str = "",
    host: User | None = None,
    host_name: str = "",
    departments: Iterable[Department] = (),
    enterprises: Iterable[Enterprise] = (),
) -> Meeting:
    """A meeting; in a series it takes the series' kind and the next number (第N期)."""
    common.require_office(by, series.region if series else None)
    region = series.region if series else common.region_of(by)
    theme, err = common.text(theme, "活动主题", 100)
    kind = series.kind if series else (kind or "")  # no kind: not one of MeetingKind.values, refused below
    errors = common.errors(theme=err, kind=None if kind in MeetingKind.values else "请选择活动类型")
    if ends_at and ends_at <= starts_at:
        errors["ends_at"] = ["结束时间必须晚于开始时间"]
    if host is not None and (
        host.role != Role.LEADER
        or host.region is None
        or not (region.is_within(host.region) or host.region.is_within(region))
    ):
        errors["host_id"] = ["主持人须为领导账号"]
    enterprises = list(enterprises)
    if any(not e.region.is_within(region) for e in enterprises):
        errors["enterprise_ids"] = ["参会企业须在本区划内"]
    if errors:
        raise InvalidInput("活动信息有误", errors)
    for _ in range(3):
        try:
            with transaction.atomic():
                sequence = None
                if series:
                    top = Meeting.objects.filter(series=series).aggregate(n=Max("sequence"))["n"] or 0
                    sequence = top + 1
                if ends_at is None and series:
                    ends_at = timezone.make_aware(
                        dt.datetime.combine(timezone.localtime(starts_at).date(), series.end_time)
                    )
                meeting = Meeting.objects.create(
                    series=series,
                    sequence=sequence,
                    kind=kind,
                    region=region,
                    theme=theme,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    place=(place or (series.place if series else ""))[:100],
                    host=host,
                    host_name=host.display_name if host else host_name.strip()[:40],
                    created_by=by,
                )
                meeting.departments.set(departments)
                meeting.enterprises.set(enterprises)
                return meeting
        except IntegrityError:
            continue  # another dispatcher took the same number at the same moment; take the next one
    raise TransitionNotAllowed("期数分配冲突，请重试")


def _check(meeting: Meeting, by: User, action: str):
    """The meeting's step from ``workflow.MEETINGS``: NotVisible outside the user's meetings, then the table."""
    if not selectors.meetings_visible_to(by).filter(pk=meeting.pk).exists():
        raise NotVisible("未找到该记录")
    return workflow.MEETINGS.check(meeting, action, by)


def announce_meeting(*, meeting: Meeting, by: User) -> int:
    """Tell the invited enterprises' users about the meeting through the notification centre."""
    _check(meeting, by, "announce")
    users = User.objects.filter(
        enterprise__in=meeting.enterprises.all(), role=Role.ENTERPRISE, is_active=True
    )
    local = timezone.localtime(meeting.starts_at)
    sent = notify(
        users,
        kind=Notification.Kind.ANNOUNCEMENT,
        title=f"活动通知：{meeting.title}",
        body=f"时间：{local:%Y年%m月%d日 %H:%M}；地点：{meeting.place or '另行通知'}。欢迎贵企业参加并反映问题和建议。",
        url=reverse("fieldwork_meeting", args=[meeting.pk]),
    )
    meeting.announced_at = timezone.now()
    meeting.save(update_fields=["announced_at"])
    return len(sent)


def record_minutes(*, meeting: Meeting, by: User, minutes: str) -> Meeting:
    step = _check(meeting, by, "minutes")
    minutes, err = common.text(minutes, "会议纪要", 20000)
    if err:
        raise InvalidInput("会议纪要有误", {"minutes": [err]})
    meeting.minutes = minutes
    meeting.state = step.target
    meeting.save(update_fields=["minutes", "state"])
    return meeting


@dataclass
class IssueLine:
    enterprise: Enterprise
    category: Category
    content: str


def parse_issue_lines(text: str, region: Region) -> list[IssueLine]:
    """One issue per line: ``企业名称或统一社会信用代码 | 类别 | 问题`` (｜, tab or comma also separate).
    All lines are checked before anything is saved; the errors name the line."""
    categories = {c.name: c for c in Category.objects.filter(active=True)}
    lines, problems = [], []
    for no, raw in enumerate((text or "").splitlines(), start=1):
        raw = raw.strip()
        if not raw:
            continue
        for sep in ("|", "｜", "\t", "，", ","):
            if sep in raw:
                parts = [p.strip() for p in raw.split(sep, 2)]
                break
        else:
            parts = [raw]
        if len(parts) < 3 or not all(parts):
            problems.append(f"第{no}行：格式应为“企业 | 类别 | 问题内容”")
            continue
        who, cat_name, content = parts
        in_region = Enterprise.objects.filter(within(region, "region"))
        enterprise = in_region.filter(uscc=normalise_uscc(who)).first() or in_region.filter(name=who).first()
        if enterprise is None:
            problems.append(f"第{no}行：本区划内未找到企业“{who}”")
        category = categories.get(cat_name)
        if category is None:
            problems.append(f"第{no}行：类别“{cat_name}”不存在，可选：{'、'.join(categories)}")
        if len(content) > 5000:
            problems.append(f"第{no}行：问题内容不能超过5000个字")
        if enterprise and category and len(content) <= 5000:
            lines.append(IssueLine(enterprise, category, content))
    if problems:
        raise InvalidInput("问题清单有误，未保存任何一条", {"issues": problems})
    if not lines:
        raise InvalidInput("请至少录入一条问题", {"issues": ["请至少录入一条问题"]})
    return lines


def add_meeting_issues(*, meeting: Meeting, by: User, text: str) -> list[Appeal]:
    """Batch entry of the issues raised at a meeting; all become appeals (channel = the meeting's kind) or none."""
    _check(meeting, by, "issues")
    lines = parse_issue_lines(text, meeting.region)
    created = []
    with transaction.atomic():
        for line in lines:
            appeal, _ = appeal_services.submit_appeal(
                by=by,
                enterprise=line.enterprise,
                title=common.title_of(line.content),
                content=line.content,
                category=line.category,
                channel=MEETING_CHANNEL[meeting.kind],
            )
            AppealOrigin.objects.create(appeal=appeal, meeting=meeting)
            created.append(appeal)
        if meeting.state == Meeting.State.PLANNED and meeting.starts_at <= timezone.now():
            meeting.state = Meeting.State.HELD
            meeting.save(update_fields=["state"])
    return created
