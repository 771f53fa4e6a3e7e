"""A project as the page, the API and the Excel export describe it: the stages planned against actual with the
slippage, the approval steps with their working days (a pending one: the working days so far), the spans between
stages, the whole approval against the target (国办发〔2019〕11号's 120 working days) and against the baseline
project (a Haicang-style 224 → 64 comparison), flags. Pure presentation of what the selectors read."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.appeals.models import Category
from qinqing.organisation.models import Department, Region
from qinqing.projects import selectors, timing
from qinqing.projects.models import STAGES, Project, Stage

# The spans a region follows, as (label, from stage, to stage).
SPANS: tuple[tuple[str, str, str], ...] = (
    ("签约→开工", Stage.SIGNED, Stage.STARTED),
    ("签约→投产", Stage.SIGNED, Stage.PRODUCING),
    ("开工→竣工", Stage.STARTED, Stage.COMPLETED),
    ("竣工→投产", Stage.COMPLETED, Stage.PRODUCING),
)


def compare(days: int | None, baseline_days: int | None) -> dict | None:
    """The reduction from the baseline's whole approval to this one's: working days and percent."""
    if days is None or baseline_days is None:
        return None
    saved = baseline_days - days
    percent = round(100 * saved / baseline_days, 1) if baseline_days else None
    return {"baseline_days": baseline_days, "days": days, "saved": saved, "percent": percent}


def describe(user: User, project: Project, today: dt.date | None = None) -> dict:
    """Everything the project page shows but the lists of appeals and events (the project must come from
    ``selectors.get_project``: its plans, steps and flags are prefetched)."""
    today = today or timezone.localdate()
    plans = {p.stage: p for p in project.plans.all()}
    days = timing.Days().prepare(
        [today, *(p.actual_on for p in plans.values()), *(s.submitted_on for s in project.steps.all())]
    )
    position = project.stage_position
    stages = []
    for i, (value, label) in enumerate(Stage.choices):
        plan = plans.get(value)
        planned = plan.planned_on if plan else None
        actual = plan.actual_on if plan else None
        late = timing.slippage(planned, actual, today) if (actual or i > position) else None
        stages.append(
            {
                "stage": value,
                "label": str(label),
                "planned": planned,
                "actual": actual,
                "slippage": late if late is not None and (actual or (planned and planned < today)) else None,
                "reached": i <= position,
                "current": i == position,
            }
        )
    steps = []
    for s in project.steps.all():
        elapsed = days.span(s.submitted_on, today) if s.submitted_on and not s.approved_on else None
        steps.append(
            {
                "step": s,
                "id": s.pk,
                "kind": s.kind,
                "label": s.label,
                "department": s.department.name,
                "department_id": s.department_id,
                "state": s.state,
                "state_label": s.get_state_display(),
                "submitted": s.submitted_on,
                "approved": s.approved_on,
                "working_days": s.working_days,
                "elapsed": elapsed,
            }
        )
    reached = {v: plans[v].actual_on if v in plans else None for v in STAGES}
    spans = [
        {"label": label, "source": a, "target": b, "days": days.span(reached[a], reached[b])}
        for label, a, b in SPANS
    ]
    target = settings.QINQING_PROJECT_APPROVAL_TARGET_DAYS
    baseline = selectors.baseline_of(user, project)
    return {
        "stages": stages,
        "steps": steps,
        "spans": spans,
        "approval": {
            "days": project.approval_days,
            "done": project.approval_done,
            "target": target,
            "over": (project.approval_days - target)
            if project.approval_days is not None and project.approval_days > target
            else 0,
        },
        "baseline": baseline,
        "comparison": compare(project.approval_days, baseline.approval_days if baseline else None),
        "open_flags": [f for f in project.flags.all() if f.open],
        "past_flags": [f for f in project.flags.all() if not f.open],
    }


LIST_HEADERS = (
    "项目编号",
    "项目名称",
    "投资企业",
    "投资额（万元）",
    "行业门类",
    "所在区划",
    "当前阶段",
    *(f"{label}计划" for _, label in Stage.choices),
    *(f"{label}实际" for _, label in Stage.choices),
    "签约→开工（工作日）",
    "全流程审批用时（工作日）",
    "全流程审批已完成",
    "目标（工作日）",
    "对照项目",
    "对照项目审批用时（工作日）",
    "压缩（工作日）",
    "压缩比例（%）",
    "三未预警",
    "挂点领导",
    "服务专员",
)


def list_sheet(rows: list[selectors.Row], baselines: dict[int, Project] | None = None):
    target = settings.QINQING_PROJECT_APPROVAL_TARGET_DAYS
    baselines = baselines or {}

    def line(r: selectors.Row):
        p = r.project
        base = baselines.get(p.baseline_id) if p.baseline_id else None
        comparison = compare(p.approval_days, base.approval_days if base else None)
        return [
            p.number,
            p.name,
            p.enterprise.name,
            p.amount,
            p.get_industry_display(),
            p.region.name,
            p.get_stage_display(),
            *(r.planned.get(v) for v in STAGES),
            *(r.actual.get(v) for v in STAGES),
            r.sign_to_start,
            p.approval_days,
            "是" if p.approval_done else "否",
            target,
            base.name if base else "",
            base.approval_days if base else None,
            comparison["saved"] if comparison else None,
            comparison["percent"] if comparison else None,
            r.flag_labels,
            p.leader.display_name if p.leader else "",
            p.officer.display_name if p.officer else "",
        ]

    return ("重点项目", LIST_HEADERS, [line(r) for r in rows])


def batches_sheet(figures: list[dict], start: dt.date, end: dt.date):
    return (
        "四个一批",
        ("统计期", "批次", "项目数", "投资额（万元）"),
        [(f"{start:%Y-%m-%d}至{end:%Y-%m-%d}", f["label"], f["count"], f["amount"]) for f in figures],
    )


# ---------------------------------------------------------------- reference choices for the forms


def regions_for(user: User) -> list[Region]:
    region = user.region
    if region is None:
        return []
    return list(Region.objects.within(region).order_by("code"))


def region_param(pk: int | None) -> Region | None:
    return Region.objects.filter(pk=pk).first() if pk else None


def department_choices() -> list[tuple[str, str]]:
    return [
        (str(d.pk), d.name) for d in Department.objects.filter(active=True).order_by("region__code", "name")
    ]


def category_choices() -> list[tuple[str, str]]:
    return [(str(c.pk), c.name) for c in Category.objects.filter(active=True).order_by("pk")]


def entry_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    return selectors.entry_choices(user)
