"""Writes of the field-service app. Every problem collected in the field goes through
``appeals.services.submit_appeal`` and becomes an ordinary appeal; ``AppealOrigin`` records the way it came."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Appeal, Category, Channel
from qinqing.core import numbering, workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.validators import normalise_uscc
from qinqing.fieldwork import selectors
from qinqing.fieldwork.models import (
    CONTACT_POINT_CHANNEL,
    MEETING_CHANNEL,
    SERVICE_CHANNEL,
    SPOT_CHECK_ITEM_MAX,
    SPOT_CHECK_ITEMS,
    AppealOrigin,
    Clue,
    ClueEvent,
    ContactPoint,
    Meeting,
    MeetingKind,
    MeetingSeries,
    ServiceAssignment,
    ServiceRole,
    SpotCheck,
    Supervisor,
    TaskForce,
    TaskForceLog,
    TaskForceMember,
    Visit,
)
from qinqing.organisation.models import Department, Region
from qinqing.organisation.selectors import ancestor_ids
from qinqing.supervision.models import Notification
from qinqing.supervision.notify import notify


def _errors(**fields: str | None) -> dict[str, list[str]]:
    return {k: [v] for k, v in fields.items() if v}


def _require_office(by: User, region: Region | None = None) -> None:
    if by.role != Role.DISPATCHER or not by.region_id:
        raise NotPermitted("只有营商办调度员可以执行此操作")
    if region is not None and not region.path.startswith(by.region.path):
        raise NotVisible("未找到该记录")


def _text(value: str | None, label: str, limit: int, *, required: bool = True) -> tuple[str, str | None]:
    value = (value or "").strip()
    if required and not value:
        return value, f"请填写{label}"
    if len(value) > limit:
        return value, f"{label}不能超过{limit}个字"
    return value, None


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
    _require_office(by)
    name, err = _text(name, "系列名称", 60)
    errors = _errors(name=err, kind=None if kind in MeetingKind.values else "活动类型不正确")
    if not 0 <= weekday <= 6:
        errors["weekday"] = ["星期不正确"]
    if end_time <= start_time:
        errors["end_time"] = ["结束时间必须晚于开始时间"]
    if errors:
        raise InvalidInput("活动系列信息有误", errors)
    return MeetingSeries.objects.create(
        name=name,
        kind=kind,
        region=by.region,
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
    region = series.region if series else by.region
    _require_office(by, region)
    theme, err = _text(theme, "活动主题", 100)
    kind = series.kind if series else kind
    errors = _errors(theme=err, kind=None if kind in MeetingKind.values else "请选择活动类型")
    if ends_at and ends_at <= starts_at:
        errors["ends_at"] = ["结束时间必须晚于开始时间"]
    if host is not None and (
        host.role != Role.LEADER
        or not (region.path.startswith(host.region.path) or host.region.path.startswith(region.path))
    ):
        errors["host"] = ["主持人须为领导账号"]
    enterprises = list(enterprises)
    if any(not e.region.path.startswith(region.path) for e in enterprises):
        errors["enterprises"] = ["参会企业须在本区划内"]
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


def announce_meeting(*, meeting: Meeting, by: User) -> int:
    """Tell the invited enterprises' users about the meeting through the notification centre."""
    _require_office(by, meeting.region)
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
    _require_office(by, meeting.region)
    minutes, err = _text(minutes, "会议纪要", 20000)
    if err:
        raise InvalidInput("会议纪要有误", {"minutes": [err]})
    meeting.minutes = minutes
    meeting.state = Meeting.State.HELD
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
        in_region = Enterprise.objects.filter(region__path__startswith=region.path)
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


def _title(content: str) -> str:
    first = content.replace("\n", " ").strip()
    return first if len(first) <= 30 else first[:29] + "…"


def add_meeting_issues(*, meeting: Meeting, by: User, text: str) -> list[Appeal]:
    """Batch entry of the issues raised at a meeting; all become appeals (channel = the meeting's kind) or none."""
    _require_office(by, meeting.region)
    lines = parse_issue_lines(text, meeting.region)
    created = []
    with transaction.atomic():
        for line in lines:
            appeal, _ = appeal_services.submit_appeal(
                by=by,
                enterprise=line.enterprise,
                title=_title(line.content),
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


# ---------------------------------------------------------------- service officers


def assign_officer(
    *, by: User, enterprise: Enterprise, user: User, role: str, on: dt.date | None = None, reason: str = ""
) -> ServiceAssignment:
    """Start `user` serving `enterprise` in `role` from `on`; the current holder of the role (if any) ends the day
    before. Earlier visits and appeals keep the people they had."""
    _require_office(by, enterprise.region)
    on = on or timezone.localdate()
    errors = {}
    if role not in ServiceRole.values:
        errors["role"] = ["服务角色不正确"]
    elif role == ServiceRole.LINKED_LEADER and user.role != Role.LEADER:
        errors["user"] = ["挂钩领导须为领导账号"]
    elif role != ServiceRole.LINKED_LEADER and user.role != Role.OFFICER:
        errors["user"] = ["首席服务官和驻点专员须为服务官账号"]
    if user.region_id and not enterprise.region.path.startswith(user.region.path):
        errors.setdefault("user", []).append("该人员的服务区划不包含此企业")
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
    _require_office(by, assignment.enterprise.region)
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
    people_met, e1 = _text(people_met, "接待人员", 200)
    findings, e2 = _text(findings, "走访情况", 5000)
    errors = _errors(people_met=e1, findings=e2)
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
                title=i.get("title") or _title(i.get("content") or ""),
                content=i.get("content") or "",
                category=i["category"],
                urgency=i.get("urgency") or "normal",
                visit=visit,
            )
            for i in issues
        ]
    return visit, appeals


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
    _require_office(by)
    certificate_no, err = _text(certificate_no, "证书编号", 30)
    errors = _errors(
        certificate_no=err,
        background=None
        if background in dict(Supervisor._meta.get_field("background").choices)
        else "请选择界别",
        user=None if user.role == Role.SUPERVISOR else "须为特约监督员账号",
        term_end=None if term_end > term_start else "聘期结束须晚于开始",
    )
    if Supervisor.objects.filter(certificate_no=certificate_no).exists():
        errors["certificate_no"] = ["证书编号已存在"]
    if errors:
        raise InvalidInput("聘任信息有误", errors)
    region = user.region if user.region and user.region.path.startswith(by.region.path) else by.region
    return Supervisor.objects.create(
        user=user,
        region=region,
        certificate_no=certificate_no,
        background=background,
        organisation=organisation.strip()[:100],
        term_start=term_start,
        term_end=term_end,
    )


def _active_supervisor(by: User) -> Supervisor:
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
    sup = _active_supervisor(by)
    title, e1 = _text(title, "标题", 100)
    content, e2 = _text(content, "线索内容", 5000)
    errors = _errors(title=e1, content=e2)
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


# state -> {action: (target, who)}: "office" is the coordinating office, "discipline" the inspection department
CLUE_ACTIONS = {
    "accept": ("核查", Clue.State.RECEIVED, Clue.State.VERIFYING, {"office", "discipline"}),
    "dismiss": ("不予核查", Clue.State.RECEIVED, Clue.State.DISMISSED, {"office", "discipline"}),
    "transfer": ("移送纪检监察", Clue.State.VERIFYING, Clue.State.TRANSFERRED, {"office"}),
    "conclude": ("办结", None, Clue.State.CONCLUDED, {"office", "discipline"}),
}


def clue_actions(clue: Clue, user: User) -> list[tuple[str, str]]:
    side = selectors.clue_side(user, clue)
    out = []
    for name, (label, source, _target, who) in CLUE_ACTIONS.items():
        if side not in who:
            continue
        if name == "conclude":
            if clue.state not in (Clue.State.VERIFYING, Clue.State.TRANSFERRED):
                continue
            if clue.state == Clue.State.TRANSFERRED and side != "discipline":
                continue
        elif clue.state != source:
            continue
        out.append((name, label))
    return out


def handle_clue(*, clue: Clue, by: User, action: str, note: str = "", finding: str = "") -> Clue:
    with transaction.atomic():
        clue = Clue.objects.select_for_update().get(pk=clue.pk)
        if selectors.clue_side(by, clue) is None:
            raise NotVisible("未找到该线索")
        allowed = dict(clue_actions(clue, by))
        if action not in CLUE_ACTIONS:
            raise InvalidInput("操作不正确", {"action": ["操作不正确"]})
        if action not in allowed:
            raise TransitionNotAllowed(
                f"线索当前状态为“{clue.get_state_display()}”，您不能{CLUE_ACTIONS[action][0]}"
            )
        note = (note or "").strip()
        if action in ("dismiss", "conclude", "transfer") and not note:
            raise InvalidInput("请填写说明", {"note": ["请填写处理说明"]})
        if action == "conclude":
            if finding not in Clue.Finding.values:
                raise InvalidInput("请选择核查结论", {"finding": ["请选择核查结论"]})
            clue.finding = finding
            clue.result = note
        if action == "dismiss":
            clue.result = note
        before = clue.state
        clue.state = CLUE_ACTIONS[action][2]
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
    sup = _active_supervisor(by)
    if not enterprise.region.path.startswith(sup.region.path):
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
    sup = _active_supervisor(by)
    errors = {}
    scores = {}
    for key, label in SPOT_CHECK_ITEMS:
        value = items.get(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[key] = [f"请为“{label}”打分（0–{SPOT_CHECK_ITEM_MAX}）"]
            continue
        if not 0 <= value <= SPOT_CHECK_ITEM_MAX:
            errors[key] = [f"“{label}”的得分须在0–{SPOT_CHECK_ITEM_MAX}之间"]
        scores[key] = value
    if not department.region.path.startswith(sup.region.path) and not sup.region.path.startswith(
        department.region.path
    ):
        errors["department"] = ["该单位不在您的监督区划内"]
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
    _require_office(by, enterprise.region)
    responsible, err = _text(responsible, "联系代表/责任人", 60)
    errors = _errors(responsible=err, kind=None if kind in CONTACT_POINT_CHANNEL else "联系点类型不正确")
    if ContactPoint.objects.filter(enterprise=enterprise, kind=kind).exists():
        errors["enterprise"] = ["该企业已是此类联系点"]
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
    _require_office(by, point.enterprise.region)
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


def create_task_force(
    *,
    by: User,
    name: str,
    matter: str,
    members: Sequence[dict],
    enterprise: Enterprise | None = None,
    appeals: Sequence[Appeal] = (),
) -> TaskForce:
    """members: [{department, person, mobile?, is_lead?}], exactly one lead."""
    _require_office(by)
    name, e1 = _text(name, "专班名称", 80)
    matter, e2 = _text(matter, "事项", 5000)
    errors = _errors(name=e1, matter=e2)
    leads = [m for m in members if m.get("is_lead")]
    if len(members) < 2:
        errors["members"] = ["专班至少需要两个成员单位"]
    elif len(leads) != 1:
        errors["members"] = ["须指定且只能指定一个牵头单位"]
    depts = [m["department"].pk for m in members]
    if len(set(depts)) != len(depts):
        errors.setdefault("members", []).append("成员单位不能重复")
    if any(not (m.get("person") or "").strip() for m in members):
        errors.setdefault("members", []).append("请为每个成员单位填写责任人")
    visible = set(
        a.pk
        for a in Appeal.objects.filter(
            pk__in=[a.pk for a in appeals], region__path__startswith=by.region.path
        )
    )
    if any(a.pk not in visible for a in appeals):
        errors["appeals"] = ["关联诉求须在本区划内"]
    if errors:
        raise InvalidInput("专班信息有误", errors)
    with transaction.atomic():
        tf = TaskForce.objects.create(
            name=name, region=by.region, matter=matter, enterprise=enterprise, created_by=by
        )
        TaskForceMember.objects.bulk_create(
            [
                TaskForceMember(
                    task_force=tf,
                    department=m["department"],
                    person=m["person"].strip()[:30],
                    mobile=(m.get("mobile") or "")[:11],
                    is_lead=bool(m.get("is_lead")),
                )
                for m in members
            ]
        )
        tf.appeals.set(appeals)
        for a in appeals:
            appeal_services.record_event(a, "note", by, note=f"成立工作专班“{tf.name}”协调办理")
    return tf


def log_task_force(*, task_force: TaskForce, by: User, note: str) -> TaskForceLog:
    if not selectors.task_forces_visible_to(by).filter(pk=task_force.pk).exists():
        raise NotVisible("未找到该专班")
    if by.role not in (Role.DISPATCHER, Role.HANDLER, Role.DEPT_HEAD):
        raise NotPermitted("只有营商办和成员单位可以记录专班进展")
    if task_force.state != TaskForce.State.ACTIVE:
        raise TransitionNotAllowed("专班已完成，不能再记录进展")
    note, err = _text(note, "进展", 5000)
    if err:
        raise InvalidInput("进展有误", {"note": [err]})
    name = by.display_name + (f"（{by.department}）" if by.department_id else "")
    return TaskForceLog.objects.create(task_force=task_force, author=by, author_name=name[:60], note=note)


def close_task_force(*, task_force: TaskForce, by: User, note: str) -> TaskForce:
    _require_office(by, task_force.region)
    if task_force.state != TaskForce.State.ACTIVE:
        raise TransitionNotAllowed("专班已完成")
    log_task_force(task_force=task_force, by=by, note=note or "专班工作完成")
    task_force.state = TaskForce.State.DONE
    task_force.save(update_fields=["state"])
    return task_force
