"""Reads of plans, tasks, reports, evidence and 督办单, always through the user.

Who sees what:

- the office (营商办 dispatchers) and the leaders of a region: every plan of their region and of the regions below
  it, with everything in it (a district office sees only its districts);
- a department (its handlers; a head also for the units under it): the tasks it leads, with their reports,
  evidence and slips, and the tasks it co-operates on (配合), without their internal reports and slips; only once
  the plan is approved (a draft is the office's);
- a 督办专员: the tasks they supervise, with everything in them.

Anything else answers ``NotVisible`` (404), exactly like a missing row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotVisible
from qinqing.indices.models import Indicator
from qinqing.organisation.models import Department, containing, within
from qinqing.plans.models import Evidence, Light, Milestone, Plan, ProgressReport, Ranking, Slip, Task
from qinqing.plans.workflow import is_office

NOT_DRAFT = Q(plan__state__in=(Plan.State.APPROVED, Plan.State.ENDED))


def _office_scope(user: User, via: str) -> Q | None:
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return within(user.region, f"{via}region")
    return None


def _internal_scope(user: User, via: str = "") -> Q:
    """The tasks whose insides (reports, evidence, slips) ``user`` sees; ``via`` leads from the model to the task."""
    scope = Q(**{f"{via}supervisor": user}) & Q(
        **{f"{via}plan__state__in": (Plan.State.APPROVED, Plan.State.ENDED)}
    )
    office = _office_scope(user, f"{via}plan__")
    if office is not None:
        scope |= office
    if user.role == Role.HANDLER and user.department_id:
        scope |= Q(**{f"{via}lead_department_id": user.department_id}) & Q(
            **{f"{via}plan__state__in": (Plan.State.APPROVED, Plan.State.ENDED)}
        )
    elif user.role == Role.DEPT_HEAD and user.department is not None:
        scope |= within(user.department, f"{via}lead_department") & Q(
            **{f"{via}plan__state__in": (Plan.State.APPROVED, Plan.State.ENDED)}
        )
    return scope


def _co_scope(user: User) -> Q | None:
    if user.role == Role.HANDLER and user.department_id:
        inner = Task.co_departments.through.objects.filter(department_id=user.department_id)
    elif user.role == Role.DEPT_HEAD and user.department is not None:
        inner = Task.co_departments.through.objects.filter(within(user.department, "department"))
    else:
        return None
    return Q(pk__in=inner.values("task_id")) & NOT_DRAFT


def plans_visible_to(user: User) -> QuerySet[Plan]:
    qs = Plan.objects.select_related("region")
    if not user.is_authenticated:
        return qs.none()
    office = _office_scope(user, "")
    if office is not None:
        return qs.filter(office)
    tasks = tasks_visible_to(user)
    return qs.filter(pk__in=tasks.values("plan_id"))


def get_plan(user: User, pk: int) -> Plan:
    plan = plans_visible_to(user).filter(pk=pk).first()
    if plan is None:
        raise NotVisible("未找到该行动方案")
    return plan


def with_figures(qs: QuerySet[Task], today: dt.date | None = None) -> QuerySet[Task]:
    """Each task with its light (from its open milestones' due dates), and the weights of its done and all
    milestones (its progress: never a self-reported percentage)."""
    today = today or timezone.localdate()
    open_ms = Milestone.objects.filter(task=OuterRef("pk")).exclude(state=Milestone.State.DONE).order_by()
    money = DecimalField(max_digits=12, decimal_places=2)

    def weight_sum(ms):
        return Coalesce(
            Subquery(ms.values("task_id").annotate(s=Sum("weight")).values("s")[:1], output_field=money),
            Value(Decimal("0")),
            output_field=money,
        )

    all_ms = Milestone.objects.filter(task=OuterRef("pk")).order_by()
    return qs.annotate(
        light=Case(
            When(state=Task.State.CLOSED, then=Value(Light.DONE)),
            When(Exists(open_ms.filter(due__lt=today)), then=Value(Light.RED)),
            When(Exists(open_ms.filter(yellow_on__lte=today)), then=Value(Light.YELLOW)),
            default=Value(Light.GREEN),
            output_field=CharField(),
        ),
        done_weight=weight_sum(all_ms.filter(state=Milestone.State.DONE)),
        total_weight=weight_sum(all_ms),
    )


def progress(task) -> float | None:
    total = getattr(task, "total_weight", None)
    if not total:
        return None
    return round(float(task.done_weight) / float(total) * 100, 1)


def tasks_visible_to(user: User) -> QuerySet[Task]:
    qs = Task.objects.select_related("plan__region", "lead_department", "supervisor")
    if not user.is_authenticated:
        return qs.none()
    scope = _internal_scope(user)
    co = _co_scope(user)
    if co is not None:
        scope |= co
    return qs.filter(scope)


def get_task(user: User, pk: int) -> Task:
    task = with_figures(tasks_visible_to(user)).filter(pk=pk).first()
    if task is None:
        raise NotVisible("未找到该任务")
    return task


def sees_internals(user: User, task: Task) -> bool:
    return Task.objects.filter(_internal_scope(user), pk=task.pk).exists()


def reports_of(user: User, task: Task) -> QuerySet[ProgressReport]:
    """A task's progress reports: for its lead department, the office, leaders and its 督办专员 only; a
    co-operating department sees the task, not these (404)."""
    if not sees_internals(user, task):
        raise NotVisible("未找到该任务的进展报告")
    return ProgressReport.objects.filter(task=task).select_related("filed_by", "milestone")


def milestones_of(user: User, task: Task) -> QuerySet[Milestone]:
    # The milestones themselves (the 路线图 and 时间表) are part of the task every party to it sees.
    return Milestone.objects.filter(task=task).select_related("reviewed_by")


def get_milestone(user: User, pk: int) -> Milestone:
    m = (
        Milestone.objects.filter(task__in=tasks_visible_to(user).values("pk"), pk=pk)
        .select_related("task__plan__region", "task__lead_department")
        .first()
    )
    if m is None:
        raise NotVisible("未找到该节点")
    return m


def evidence_for_task(user: User, task: Task) -> QuerySet[Evidence]:
    qs = Evidence.objects.filter(milestone__task=task).select_related("uploaded_by")
    return qs if sees_internals(user, task) else qs.none()


def get_evidence(user: User, pk: int) -> Evidence:
    found = (
        Evidence.objects.filter(_internal_scope(user, "milestone__task__"), pk=pk)
        .select_related("milestone__task")
        .first()
    )
    if found is None:
        raise NotVisible("未找到该材料")
    return found


def slips_visible_to(user: User) -> QuerySet[Slip]:
    qs = Slip.objects.select_related(
        "task__plan__region", "task__lead_department", "task__supervisor", "milestone"
    )
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(_internal_scope(user, "task__"))


def get_slip(user: User, pk: int) -> Slip:
    slip = slips_visible_to(user).filter(pk=pk).first()
    if slip is None:
        raise NotVisible("未找到该督办单")
    return slip


def events_of(user: User, task: Task):
    qs = task.events.select_related("by", "milestone", "slip")
    return qs if sees_internals(user, task) else qs.filter(kind__in=("task_added", "closed", "reopened"))


def rankings_visible_to(user: User) -> QuerySet[Ranking]:
    """Published rankings are circulated (通报) to the region's offices, leaders and departments."""
    qs = Ranking.objects.select_related("region", "published_by")
    if not user.is_authenticated:
        return qs.none()
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return qs.filter(within(user.region, "region") | containing(user.region, "region"))
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department is not None:
        return qs.filter(containing(user.department.region, "region"))
    return qs.none()


def get_ranking(user: User, pk: int) -> Ranking:
    found = rankings_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该排名")
    return found


# ---------------------------------------------------------------- the indicator page's contributions


def contributions(user, indicator) -> list:
    """The tasks visible to ``user`` meant to move ``indicator`` (registered with ``indices.hooks``)."""
    from django.urls import reverse

    from qinqing.indices.hooks import Contribution

    out = []
    qs = with_figures(tasks_visible_to(user).filter(indicators=indicator)).order_by("plan__year", "code")
    for t in qs[:50]:
        pct = progress(t)
        light: str = t.light  # type: ignore[attr-defined]  # annotated by with_figures
        out.append(
            Contribution(
                kind="任务",
                label=f"{t.code} {t.title}",
                url=reverse("plans:task", args=[t.pk]),
                state=f"{t.get_state_display()}（{Light(light).label}）",
                light="" if light == Light.DONE else light,
                detail=f"{t.lead_department}·{t.get_responsibility_display()}"
                + (f"，进度{pct:g}%" if pct is not None else ""),
            )
        )
    return out


# ---------------------------------------------------------------- the leaders' dashboard


@dataclass
class DeptLine:
    department_id: int
    name: str
    tasks: int = 0
    red: int = 0
    yellow: int = 0
    slips_open: int = 0
    done_weight: float = 0.0
    total_weight: float = 0.0

    @property
    def progress(self) -> float | None:
        return round(self.done_weight / self.total_weight * 100, 1) if self.total_weight else None


@dataclass
class Figures:
    plans: list[Plan]
    plan: Plan | None
    lights: dict[str, int] = field(default_factory=dict)
    slips: dict[str, int] = field(default_factory=dict)  # open slips by level
    environments: list[dict] = field(default_factory=list)
    departments: list[DeptLine] = field(default_factory=list)
    progress: float | None = None
    overdue_milestones: int = 0
    slipped_milestones: int = 0
    slipped_days: int = 0
    tasks: int = 0


def dashboard(user: User, plan_id: int | None = None, today: dt.date | None = None) -> Figures:
    """The plans figures of the leaders' page: one plan (the newest approved visible one by default)."""
    from qinqing.core import workcalendar
    from qinqing.plans.models import Environment

    today = today or timezone.localdate()
    plans = list(plans_visible_to(user).exclude(state=Plan.State.DRAFT).order_by("-year", "-pk"))
    plan = next((p for p in plans if p.pk == plan_id), None) if plan_id else (plans[0] if plans else None)
    if plan_id and plan is None:
        raise NotVisible("未找到该行动方案")
    figures = Figures(plans=plans, plan=plan)
    if plan is None:
        return figures
    visible = tasks_visible_to(user).filter(plan=plan)
    groups = _light_groups(visible, today)
    slipped_count = 0
    figures.lights = {k: 0 for k in Light.values}
    env: dict[str, list] = {k: [0, 0.0, 0.0] for k in Environment.values}
    depts: dict[int, DeptLine] = {}
    names = {
        d.pk: str(d)
        for d in Department.objects.filter(pk__in={g[0] for g in groups}).only("name", "short_name")
    }
    wsum = psum = 0.0
    for dept_id, environment, light, n, weight, done, overdue, late in groups:
        slipped_count += late
        figures.tasks += n
        figures.lights[light] += n
        figures.overdue_milestones += overdue
        w, p = float(weight), float(done)
        wsum += w
        psum += p
        e = env[environment]
        e[0] += n
        e[1] += p
        e[2] += w
        d = depts.get(dept_id)
        if d is None:
            d = depts[dept_id] = DeptLine(dept_id, names.get(dept_id, ""))
        d.tasks += n
        d.red += n if light == Light.RED else 0
        d.yellow += n if light == Light.YELLOW else 0
        d.done_weight += p
        d.total_weight += w
    figures.progress = round(psum / wsum * 100, 1) if wsum else None
    figures.environments = [
        {
            "code": code,
            "label": Environment(code).label,
            "tasks": v[0],
            "progress": round(v[1] / v[2] * 100, 1) if v[2] else None,
        }
        for code, v in env.items()
    ]
    slips = slips_visible_to(user).filter(task__plan=plan).exclude(state=Slip.State.CLOSED).order_by()
    figures.slips = {k: 0 for k in Slip.Level.values}
    for level, dept_id, n in (
        slips.values_list("level", "task__lead_department_id")
        .annotate(n=Count("pk"))
        .values_list("level", "task__lead_department_id", "n")
    ):
        figures.slips[level] += n
        if dept_id in depts:
            depts[dept_id].slips_open += n
    figures.departments = sorted(depts.values(), key=lambda d: (-d.red, -d.slips_open, d.name))
    slipped = (
        list(
            Milestone.objects.filter(
                task__in=visible.values("pk"), baseline_due__isnull=False, due__gt=F("baseline_due")
            )
            .order_by()
            .values_list("baseline_due", "due")
        )
        if slipped_count
        else []
    )
    figures.slipped_milestones = len(slipped)
    figures.slipped_days = sum(workcalendar.working_days_between(b, d) for b, d in slipped if b is not None)
    return figures


def _light_groups(visible: QuerySet[Task], today: dt.date) -> list[tuple]:
    """The dashboard's tasks grouped in the database by (lead department, environment, light): count, weight,
    weight × done share, overdue milestones, milestones later than their baseline. One read of
    a few hundred rows however many tasks (5,000 tasks: see BENCHMARKS.md), instead of a row per task."""
    from django.db import connection

    done = Milestone.State.DONE
    per_task = (
        Milestone.objects.filter(task__in=visible.values("pk"))
        .order_by()
        .values("task_id")
        .annotate(
            total=Sum("weight"),
            done=Coalesce(Sum("weight", filter=Q(state=done)), Value(Decimal("0"))),
            red=Count("pk", filter=~Q(state=done) & Q(due__lt=today)),
            yellow=Count("pk", filter=~Q(state=done) & Q(yellow_on__lte=today)),
            slipped=Count("pk", filter=Q(baseline_due__isnull=False, due__gt=F("baseline_due"))),
        )
    )
    inner, params = per_task.query.sql_with_params()
    task_table = Task._meta.db_table
    sql = f"""
        SELECT t.lead_department_id, t.environment,
               CASE WHEN t.state = %s THEN %s WHEN m.red > 0 THEN %s WHEN m.yellow > 0 THEN %s ELSE %s END,
               COUNT(*), SUM(t.weight), SUM(t.weight * m.done * 1.0 / m.total), SUM(m.red), SUM(m.slipped)
        FROM ({inner}) m JOIN {task_table} t ON t.id = m.task_id
        GROUP BY 1, 2, 3
    """  # noqa: S608 - the inner query is Django's own SQL with its parameters; no user text is formatted in
    head = [Task.State.CLOSED, Light.DONE, Light.RED, Light.YELLOW, Light.GREEN]
    with connection.cursor() as cur:
        cur.execute(sql, [*head, *params])
        groups = cur.fetchall()
    return groups


def slippage(milestone: Milestone) -> int | None:
    """Working days the milestone's date lies after its baseline (negative: ahead); None without a baseline."""
    from qinqing.core import workcalendar

    if milestone.baseline_due is None:
        return None
    current = (
        milestone.done_on if milestone.state == Milestone.State.DONE and milestone.done_on else milestone.due
    )
    if current >= milestone.baseline_due:
        return workcalendar.working_days_between(milestone.baseline_due, current)
    return -workcalendar.working_days_between(current, milestone.baseline_due)


def drafting_choices(user: User, plan: Plan) -> dict[str, list[tuple[int, str]]]:
    """What the office picks from when it drafts a task of ``plan`` (as ``get_plan`` returned it): the plan's tasks
    (as parents), the departments of its region, the people who may be 督办专员 there and the shipped frameworks'
    indicators."""
    if not is_office(plan, user):
        raise NotVisible(
            "未找到该行动方案"
        )  # only the office drafts: nobody else sees the people and departments
    region = plan.region
    departments = [
        (d.pk, f"{d}（{d.region.name}）" if d.region_id != region.pk else str(d))
        for d in Department.objects.filter(within(region, "region")).select_related("region").order_by("path")
    ]
    people = (
        User.objects.filter(is_active=True, role__in=(Role.LEADER, Role.DISPATCHER, Role.DEPT_HEAD))
        .filter(within(region, "region") | within(region, "department__region"))
        .order_by("role", "username")
    )
    return {
        "parent": [
            (t.pk, f"{t.code} {t.title}") for t in Task.objects.filter(plan=plan).order_by("position")
        ],
        "lead_department": departments,
        "co_departments": departments,
        "supervisor": [(u.pk, f"{u}（{u.get_role_display()}）") for u in people],
        "indicators": [
            (i.pk, f"{i.framework.name} · {i.code} {i.name}")
            for i in Indicator.objects.select_related("framework").order_by("framework__code", "code")
        ],
    }
