"""Reads of key projects, always taking the user.

Who sees which projects (``projects_visible_to``; anything else answers ``NotVisible``, 404, like a missing one):

- the office and the leaders of a region (dispatchers, leaders) see every project of their region and the regions
  under it; a leader also sees the projects he is 挂点领导 of, wherever they are;
- a department sees the projects where it handles an approval step (a handler: his department's steps; a head:
  the steps of his department and the units under it) and records the dates of those steps only;
- a service officer sees the projects he is the 服务专员 of;
- an enterprise user sees the projects of its own enterprise, read-only (stages, steps, its own appeals);
- nobody else (administrators, 特约监督员) sees any.

``stage_summary`` is what the plans dashboard shows: counts per stage, median approval working days, open 三未
flags, each with the URL of the filtered project list.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.urls import reverse

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import Appeal
from qinqing.core.errors import NotVisible
from qinqing.organisation.models import Region, within
from qinqing.projects.models import (
    STAGES,
    ApprovalStep,
    FlagRule,
    Project,
    ProjectEvent,
    ProjectFlag,
    Stage,
    StagePlan,
    stage_index,
)

# 四个一批: each batch is the projects whose stage of that name was reached in the period. 挂牌 is read as the
# land listing (土地挂牌出让) that supplies the project: the 落地/供地 stage.
BATCHES: tuple[tuple[str, str, str], ...] = (
    ("listed", "挂牌", Stage.LANDED),
    ("signed", "签约", Stage.SIGNED),
    ("started", "开工", Stage.STARTED),
    ("producing", "投产", Stage.PRODUCING),
)


def _scope(user: User) -> Q | None:
    role = user.role
    if role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        scope = Q(region_id__in=Region.objects.within(user.region).values("id"))
        return scope | Q(leader=user) if role == Role.LEADER else scope
    if role == Role.HANDLER and user.department_id:
        return Q(pk__in=ApprovalStep.objects.filter(department_id=user.department_id).values("project_id"))
    if role == Role.DEPT_HEAD and user.department is not None:
        return Q(
            pk__in=ApprovalStep.objects.filter(within(user.department, "department")).values("project_id")
        )
    if role == Role.OFFICER:
        return Q(officer=user)
    if role == Role.ENTERPRISE and user.enterprise_id:
        return Q(enterprise_id=user.enterprise_id)
    return None


def projects_visible_to(user: User) -> QuerySet[Project]:
    qs = Project.objects.select_related("enterprise", "region", "leader", "officer")
    if not user.is_authenticated:
        return qs.none()
    scope = _scope(user)
    return qs.none() if scope is None else qs.filter(scope)


def get_project(user: User, pk: int) -> Project:
    found = (
        projects_visible_to(user)
        .select_related("task_force", "baseline", "enterprise__region")
        .prefetch_related(
            "plans",
            Prefetch("steps", queryset=ApprovalStep.objects.select_related("department")),
            Prefetch("flags", queryset=ProjectFlag.objects.order_by("-raised_at", "-id")),
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotVisible("未找到该项目")
    return found


def get_step(user: User, project_pk: int, step_pk: int) -> ApprovalStep:
    project = get_project(user, project_pk)
    step = next((s for s in project.steps.all() if s.pk == step_pk), None)
    if step is None:
        raise NotVisible("未找到该审批环节")
    step.project = project
    return step


def events_of(project: Project) -> QuerySet[ProjectEvent]:
    return project.events.select_related("by")


def appeals_of(user: User, project: Project) -> list[Appeal]:
    """The appeals raised about `project` that `user` may see (through the appeals selector)."""
    ids = project.appeal_links.values("appeal_id")
    return list(
        appeal_selectors.appeals_visible_to(user)
        .filter(pk__in=ids)
        .select_related("lead_department")
        .order_by("-submitted_at")
    )


# ---------------------------------------------------------------- lists


@dataclass
class Filters:
    stage: str = ""
    industry: str = ""
    region: int | None = None
    flag: str = ""  # a FlagRule, or "any"
    q: str = ""
    reached: str = ""  # a stage reached (actual date) between start and end: the 四个一批 drill-down
    start: dt.date | None = None
    end: dt.date | None = None
    done: bool = False  # whole approval finished (the median's population)

    def query(self) -> dict[str, str]:
        out = {
            "stage": self.stage,
            "industry": self.industry,
            "region": str(self.region or ""),
            "flag": self.flag,
            "q": self.q,
            "reached": self.reached,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "done": "1" if self.done else "",
        }
        return {k: v for k, v in out.items() if v}


def list_url(**params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("projects:list") + (f"?{query}" if query else "")


def filter_projects(qs: QuerySet[Project], f: Filters) -> QuerySet[Project]:
    if f.stage in STAGES:
        qs = qs.filter(stage=f.stage)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.region:
        region = Region.objects.filter(pk=f.region).first()
        qs = qs.filter(region_id__in=Region.objects.within(region).values("id")) if region else qs.none()
    if f.flag == "any":
        qs = qs.filter(pk__in=ProjectFlag.objects.filter(cleared_at__isnull=True).values("project_id"))
    elif f.flag in FlagRule.values:
        qs = qs.filter(
            pk__in=ProjectFlag.objects.filter(cleared_at__isnull=True, rule=f.flag).values("project_id")
        )
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(number__icontains=f.q) | Q(enterprise__name__icontains=f.q))
    if f.reached in STAGES and f.start and f.end:
        qs = qs.filter(
            pk__in=StagePlan.objects.filter(
                stage=f.reached, actual_on__gte=f.start, actual_on__lte=f.end
            ).values("project_id")
        )
    if f.done:
        qs = qs.filter(approval_done=True)
    return qs


@dataclass
class Row:
    """A project as a list shows it: the stored figures plus the spans computed from its stage dates."""

    project: Project
    actual: dict[str, dt.date | None] = field(default_factory=dict)
    planned: dict[str, dt.date | None] = field(default_factory=dict)
    sign_to_start: int | None = None
    flags: list[ProjectFlag] = field(default_factory=list)

    @property
    def flag_labels(self) -> str:
        return "、".join(f.get_rule_display() for f in self.flags)


def rows(projects) -> list[Row]:
    """`projects` (a page of them) with their stage dates and open flags: two queries whatever their number."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    plans = defaultdict(list)
    for plan in StagePlan.objects.filter(project_id__in=ids):
        plans[plan.project_id].append(plan)
    flags = defaultdict(list)
    for flag in ProjectFlag.objects.filter(project_id__in=ids, cleared_at__isnull=True):
        flags[flag.project_id].append(flag)
    out = []
    for p in projects:
        row = Row(
            project=p,
            actual={x.stage: x.actual_on for x in plans[p.pk]},
            planned={x.stage: x.planned_on for x in plans[p.pk]},
            flags=flags[p.pk],
        )
        row.sign_to_start = p.sign_to_start_days
        out.append(row)
    return out


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def totals(qs: QuerySet[Project]) -> dict:
    """Over all projects of `qs`: the median 签约→开工 working days, and the median whole approval working days
    of those whose approval is done, against the target."""
    spans = [
        n
        for n in qs.filter(sign_to_start_days__isnull=False).values_list("sign_to_start_days", flat=True)
        if n is not None
    ]
    approvals = [
        n
        for n in qs.filter(approval_done=True, approval_days__isnull=False).values_list(
            "approval_days", flat=True
        )
        if n is not None
    ]
    target = settings.QINQING_PROJECT_APPROVAL_TARGET_DAYS
    return {
        "sign_to_start_median": _median(spans),
        "sign_to_start_count": len(spans),
        "approval_median": _median(approvals),
        "approval_count": len(approvals),
        "approval_within_target": sum(1 for n in approvals if n <= target),
        "target": target,
    }


# ---------------------------------------------------------------- the dashboard's and the 四个一批's figures


def _region_scoped(user: User, region: Region | None) -> QuerySet[Project]:
    qs = projects_visible_to(user)
    if region is not None:
        qs = qs.filter(region_id__in=Region.objects.within(region).values("id"))
    return qs


def stage_summary(user: User, region: Region | None = None) -> dict:
    """For the plans dashboard: the projects `user` sees (under `region` if given) by stage, each stage with its
    count, the median approval working days of its projects and the URL of the list of them; the median whole
    approval working days (projects whose approval is done) against the target; the open 三未 flags by rule.
    Every figure carries the URL of the filtered list it counts."""
    qs = _region_scoped(user, region)
    base = {"region": region.pk if region is not None else ""}
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("id")))
    approval: dict[str, list[int]] = defaultdict(list)
    done: list[int] = []
    for stage, n, finished in qs.filter(approval_days__isnull=False).values_list(
        "stage", "approval_days", "approval_done"
    ):
        if n is None:
            continue
        approval[stage].append(n)
        if finished:
            done.append(n)
    flags = dict(
        ProjectFlag.objects.filter(cleared_at__isnull=True, project__in=qs)
        .order_by()
        .values_list("rule")
        .annotate(n=Count("id"))
    )
    target = settings.QINQING_PROJECT_APPROVAL_TARGET_DAYS
    return {
        "total": sum(counts.values()),
        "url": list_url(**base),
        "stages": [
            {
                "stage": value,
                "label": str(label),
                "count": counts.get(value, 0),
                "median_approval_days": _median(approval.get(value, [])),
                "url": list_url(stage=value, **base),
            }
            for value, label in Stage.choices
        ],
        "approval": {
            "median_days": _median(done),
            "projects": len(done),
            "within_target": sum(1 for n in done if n <= target),
            "target_days": target,
            "url": list_url(done="1", **base),
        },
        "flags": {
            "open": sum(flags.values()),
            "url": list_url(flag="any", **base),
            "rules": [
                {
                    "rule": value,
                    "label": str(label),
                    "count": flags.get(value, 0),
                    "url": list_url(flag=value, **base),
                }
                for value, label in FlagRule.choices
            ],
        },
    }


def four_batches(user: User, start: dt.date, end: dt.date, region: Region | None = None) -> list[dict]:
    """四个一批 in [start, end]: per batch the number of projects and their investment (万元), with the URL of them."""
    qs = _region_scoped(user, region)
    found = {
        stage: (n, amount or 0)
        for stage, n, amount in StagePlan.objects.filter(
            project__in=qs, stage__in=[b[2] for b in BATCHES], actual_on__gte=start, actual_on__lte=end
        )
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"), amount=Sum("project__amount"))
    }
    out = []
    for key, label, stage in BATCHES:
        n, amount = found.get(stage, (0, 0))
        out.append(
            {
                "batch": key,
                "label": label,
                "stage": stage,
                "count": n,
                "amount": amount,
                "url": list_url(
                    reached=stage,
                    start=start.isoformat(),
                    end=end.isoformat(),
                    region=region.pk if region is not None else "",
                ),
            }
        )
    return out


def stage_position(stage: str) -> int:
    return stage_index(stage)


def entry_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    """What the office's entry form offers: its region's enterprises, regions, leaders, service officers, task
    forces and projects (as baselines). Empty for anyone but a dispatcher of a region."""
    from qinqing.enterprises.models import Enterprise
    from qinqing.fieldwork.models import TaskForce

    region = user.region
    if user.role != Role.DISPATCHER or region is None:
        return {}
    in_region = Region.objects.within(region).values("id")
    near = Region.objects.containing(region).values("id")
    return {
        "enterprise_id": [
            (str(pk), name)
            for pk, name in Enterprise.objects.filter(region_id__in=in_region)
            .order_by("name")
            .values_list("pk", "name")[:500]
        ],
        "region_id": [(str(r.pk), r.name) for r in Region.objects.within(region).order_by("code")],
        "leader_id": [
            (str(u.pk), u.display_name)
            for u in User.objects.filter(role=Role.LEADER, is_active=True).filter(
                Q(region_id__in=in_region) | Q(region_id__in=near)
            )
        ],
        "officer_id": [
            (str(u.pk), u.display_name)
            for u in User.objects.filter(role=Role.OFFICER, is_active=True, region_id__in=in_region)
        ],
        "task_force_id": [
            (str(pk), name)
            for pk, name in TaskForce.objects.filter(region_id__in=in_region).values_list("pk", "name")[:200]
        ],
        "baseline_id": [
            (str(pk), f"{number} {name}")
            for pk, number, name in projects_visible_to(user).values_list("pk", "number", "name")[:500]
        ],
    }


def baseline_of(user: User, project: Project) -> Project | None:
    """The baseline project, when `user` may see it too (its figures are shown only then)."""
    if project.baseline_id is None:
        return None
    return projects_visible_to(user).filter(pk=project.baseline_id).first()


def baselines_of(user: User, projects: list[Project]) -> dict[int, Project]:
    ids = {p.baseline_id for p in projects if p.baseline_id}
    return {p.pk: p for p in projects_visible_to(user).filter(pk__in=ids)} if ids else {}
