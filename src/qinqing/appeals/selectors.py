"""Reads. `appeals_visible_to(user)` is the only door to appeals: pages and API alike go through it."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import measures, workflow
from qinqing.appeals.models import OPEN_STATUSES, PUBLIC_KINDS, TIMED_STATUSES, Appeal, AppealEvent, Light
from qinqing.core.errors import NotVisible
from qinqing.core.workcalendar import end_of_day
from qinqing.organisation.models import Region, within

CoLink = Appeal.co_departments.through


def _department_scope(user: User) -> Q:
    dept = user.department
    assert dept is not None, "only called for staff with a department"
    if user.role == Role.DEPT_HEAD:
        lead = within(dept, "lead_department")
        co_ids = CoLink.objects.filter(within(dept, "department")).values("appeal_id")
    else:
        lead = Q(lead_department_id=dept.pk)
        co_ids = CoLink.objects.filter(department_id=dept.pk).values("appeal_id")
    return lead | Q(pk__in=co_ids)


# Scopes for roles defined by later apps (service officers, supervisors): role -> function(user) -> Q.
# Registered from those apps' AppConfig.ready(), so this module never imports them.
_ROLE_SCOPES: dict[str, Callable[[User], Q]] = {}


def register_scope(role: str, scope: Callable[[User], Q]) -> None:
    _ROLE_SCOPES[role] = scope


def light_q(light: str, now: dt.datetime) -> Q:
    """Appeals whose running step shows `light` at `now` (the database twin of Appeal.light())."""
    timed = Q(status__in=TIMED_STATUSES, deadline__isnull=False)
    if light == Light.RED:
        return timed & Q(deadline__lt=now)
    if light == Light.YELLOW:
        return timed & Q(deadline__gte=now, yellow_at__lte=now)
    return timed & Q(yellow_at__gt=now)


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    if not user.is_authenticated:
        return qs.none()
    role = user.role
    if role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(enterprise_id=user.enterprise_id)
    if role in (Role.DISPATCHER, Role.LEADER) and (region := user.region) is not None:
        # region_id IN (the subtree's ids) rather than a join on the path: the planner can then drive the
        # query from the status, department or date index and check the region as a cheap hash lookup.
        return qs.filter(region_id__in=Region.objects.within(region).values("id"))
    if role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        return qs.filter(_department_scope(user))
    if role in _ROLE_SCOPES:
        return qs.filter(_ROLE_SCOPES[role](user))
    # System and audit administrators read no cases (三员分立).
    return qs.none()


def get_visible_appeal(user: User, number: str) -> Appeal:
    """The appeal if `user` may see it; otherwise NotVisible, exactly as for a number that does not exist."""
    appeal = (
        appeals_visible_to(user)
        .select_related("category", "enterprise", "region", "lead_department", "submitted_by", "merged_into")
        .prefetch_related("co_departments")
        .filter(number=number)
        .first()
    )
    if appeal is None:
        raise NotVisible("未找到该诉求")
    return appeal


def audit_events(user: User) -> QuerySet[AppealEvent]:
    """Every recorded step, newest first, for the audit administrator; nothing for anyone else."""
    if user.role != Role.AUDITOR:
        return AppealEvent.objects.none()
    return AppealEvent.objects.select_related("appeal", "actor_department").order_by("-created_at", "-id")


def audit_trail_of(user: User, appeals: list[Appeal]) -> QuerySet[AppealEvent]:
    """The steps of `appeals` (already read through ``appeals_visible_to(user)``), oldest first."""
    visible = appeals_visible_to(user).filter(pk__in=[a.pk for a in appeals])
    return (
        AppealEvent.objects.filter(appeal__in=visible).select_related("appeal").order_by("created_at", "id")
    )


def get_appeal_after_action(user: User, appeal: Appeal) -> Appeal:
    """The appeal as it stands after `user`'s step. A step may take it out of their sight (a department
    returning it to the office); they still get the answer to their own step, once."""
    try:
        return get_visible_appeal(user, appeal.number)
    except NotVisible:
        last = appeal.events.order_by("-created_at", "-id").values_list("actor_id", flat=True).first()
        if last != user.pk:
            raise
        return (
            Appeal.objects.select_related(
                "category", "enterprise", "region", "lead_department", "merged_into"
            )
            .prefetch_related("co_departments")
            .get(pk=appeal.pk)
        )


def is_visible(user: User, appeal: Appeal) -> bool:
    """Whether `user` may still see `appeal` (after a step that may have moved it out of their sight)."""
    return appeals_visible_to(user).filter(pk=appeal.pk).exists()


@dataclass
class AppealFilters:
    status: str = ""
    category: int | None = None
    channel: str = ""
    department: int | None = None
    light: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    enterprise: int | None = None
    lead: int | None = None  # lead department only (dashboard drill-down)
    region: int | None = None  # a region and its sub-regions
    stage: str = ""  # "measures" (answered at least once), "resolved", "closed"
    review: str = ""  # "pending": a 不满意 rating waiting for the office's review
    # The appeals behind a figure (``appeals.measures``): the measure, its side (num/den) and its period;
    # ``lead`` then names the department the figure is of.
    measure: str = ""
    part: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def measure_period(self, now: dt.datetime | None = None) -> measures.Period | None:
        if not (measures.get(self.measure) and self.part in measures.SIDES):
            return None
        if self.period_start is None or self.period_end is None or self.period_start > self.period_end:
            return None
        return measures.Period(self.period_start, self.period_end, now or timezone.now())


def filter_appeals(
    qs: QuerySet[Appeal], f: AppealFilters, now: dt.datetime | None = None
) -> QuerySet[Appeal]:
    now = now or timezone.now()
    if f.status:
        statuses = f.status.split(",")
        qs = qs.filter(status__in=statuses) if len(statuses) > 1 else qs.filter(status=f.status)
    if f.review:
        qs = qs.filter(review=f.review)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.enterprise:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.department:
        qs = qs.filter(
            Q(lead_department_id=f.department)
            | Q(pk__in=CoLink.objects.filter(department_id=f.department).values("appeal_id"))
        )
    period = f.measure_period(now)
    if period is not None:
        measure = measures.MEASURES[f.measure]
        qs = qs.filter(measure.q(f.part, period, department=f.lead))
    elif f.lead:
        qs = qs.filter(lead_department_id=f.lead)
    if f.region:
        region = Region.objects.filter(pk=f.region).first()
        qs = qs.filter(within(region, "region")) if region else qs.none()
    if f.stage == "measures":
        qs = qs.filter(replied_at__isnull=False)
    elif f.stage == "resolved":
        qs = qs.filter(resolved=True)
    elif f.stage == "closed":
        qs = qs.filter(status="closed")
    if f.light in Light.values:
        qs = qs.filter(light_q(f.light, now))
    if f.date_from:
        qs = qs.filter(submitted_at__gte=timezone.make_aware(dt.datetime.combine(f.date_from, dt.time.min)))
    if f.date_to:
        qs = qs.filter(submitted_at__lte=end_of_day(f.date_to))
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(number=term.upper())
            | Q(title__icontains=term)
            | Q(content__icontains=term)
            | Q(enterprise__name__icontains=term)
        )
    return qs


def list_appeals(user: User, f: AppealFilters) -> QuerySet[Appeal]:
    """A visible, filtered, list-ready queryset (one query per page, whatever its size)."""
    return (
        filter_appeals(appeals_visible_to(user), f)
        .select_related("category", "enterprise", "lead_department")
        # Lists show no long text; leaving it out keeps each page's rows small.
        .defer("content", "reply_measures", "reply_result")
        .order_by("-submitted_at", "-id")
    )


def sees_internal(user, appeal: Appeal) -> bool:
    """Staff of the government see every entry of the timeline; the enterprise, and a special supervisor who
    registered the appeal for it (a member of the public), see the public ones (``AppealEvent.public``)."""
    found = workflow.parties(appeal, user)
    if workflow.OWNER in found:
        return False
    return not (found == {workflow.AGENT} and user.role == Role.SUPERVISOR)


def timeline(user, appeal: Appeal) -> QuerySet[AppealEvent]:
    events = appeal.events.select_related("actor_department").order_by("created_at", "id")
    if sees_internal(user, appeal):
        return events
    return events.filter(Q(public=True) | Q(public__isnull=True, kind__in=PUBLIC_KINDS))


# Badges and list totals stop counting here: a person reads "999+" as well as 41,372, and a count that
# stops early costs the same at a hundred appeals as at a million.
BADGE_CAP = 999
LIST_COUNT_CAP = 10_000


def capped_count(qs: QuerySet, cap: int) -> int:
    """min(count, cap + 1): COUNT over a LIMITed subquery, so the database stops after cap + 1 rows."""
    return qs.order_by()[: cap + 1].count()


def queue_counts(user: User) -> dict[str, int]:
    """Headline counts for the user's list page, each capped at BADGE_CAP + 1."""
    qs = appeals_visible_to(user)
    now = timezone.now()
    return {
        "open": capped_count(qs.filter(status__in=OPEN_STATUSES), BADGE_CAP),
        "red": capped_count(qs.filter(light_q(Light.RED, now)), BADGE_CAP),
        "yellow": capped_count(qs.filter(light_q(Light.YELLOW, now)), BADGE_CAP),
        "cap": BADGE_CAP,
    }


# ---------------------------------------------------------------- 回访 and 台账导入 (the office's own records)


def _office_region(user: User) -> Region | None:
    if user.is_authenticated and user.role in (Role.DISPATCHER, Role.LEADER):
        return user.region
    return None


def revisits_visible_to(user: User):
    """回访 records of the appeals of the office's (or the leader's) region; nobody else's business."""
    from qinqing.appeals.models import Revisit

    region = _office_region(user)
    qs = Revisit.objects.select_related("appeal", "appeal__enterprise", "appeal__lead_department", "done_by")
    if region is None:
        return qs.none()
    return qs.filter(appeal__region_id__in=Region.objects.within(region).values("id"))


def revisit_candidates(user: User) -> QuerySet[Appeal]:
    """Closed appeals of the office's region never revisited nor planned: what a 抽样 draws from."""
    from qinqing.appeals.models import Revisit, Status

    if _office_region(user) is None:
        return Appeal.objects.none()
    return (
        appeals_visible_to(user)
        .filter(status=Status.CLOSED)
        .exclude(pk__in=Revisit.objects.values("appeal_id"))
        .select_related("enterprise", "lead_department", "category")
        .defer("content", "reply_measures", "reply_result")
        .order_by("-closed_at", "-id")
    )


def revisit_samples_visible_to(user: User):
    from qinqing.appeals.models import RevisitSample

    region = _office_region(user)
    if region is None:
        return RevisitSample.objects.none()
    return RevisitSample.objects.filter(
        region_id__in=Region.objects.within(region).values("id")
    ).select_related("drawn_by")


def imports_visible_to(user: User):
    from qinqing.appeals.models import AppealImport

    region = _office_region(user)
    if region is None:
        return AppealImport.objects.none()
    return AppealImport.objects.filter(
        region_id__in=Region.objects.within(region).values("id")
    ).select_related("imported_by")
