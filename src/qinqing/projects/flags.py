"""The 三未 rules (批而未开、开而未建、建而未成), as pure functions of a project's stages and steps and a day.

Thresholds are settings in working days (``QINQING_PROJECT_*``, see settings.py), counted like every project span
(``projects.timing``: the first day not counted). A rule holds on a day when:

- **批而未开** (``approved_not_started``): the project has not reached 开工, and either its 施工许可 was approved
  more than ``QINQING_PROJECT_START_AFTER_PERMIT_DAYS`` (60, about the three months 《建筑法》第九条 gives a permit
  holder to start) working days ago, or its land was supplied (落地/供地 actual) more than
  ``QINQING_PROJECT_START_AFTER_LAND_DAYS`` (250, about the year after which 《闲置土地处置办法》第二条 calls land
  idle) working days ago;
- **开而未建** (``started_not_built``): the project is at 开工 (a start was declared) and has not entered 建设
  (substantive construction) more than ``QINQING_PROJECT_BUILD_AFTER_START_DAYS`` (40) working days after it;
- **建而未成** (``built_not_finished``): the project is at 开工 or 建设 and its planned 竣工 date passed more than
  ``QINQING_PROJECT_FINISH_GRACE_DAYS`` (20) working days ago, or, with no planned 竣工, 开工 was more than
  ``QINQING_PROJECT_FINISH_DAYS`` (500, about two years) working days ago.

A rule that stops holding (the project moved on, a plan was corrected) clears its flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from qinqing.projects import timing
from qinqing.projects.models import ApprovalStep, FlagRule, Project, Stage, StagePlan, stage_index


def holding(
    project: Project, plans: Iterable[StagePlan], steps: Iterable[ApprovalStep], today: dt.date
) -> dict[str, str]:
    """rule -> why, for every 三未 rule that holds for `project` on `today`."""
    by_stage = {p.stage: p for p in plans}
    position = stage_index(project.stage)

    def actual(stage: str) -> dt.date | None:
        plan = by_stage.get(stage)
        return plan.actual_on if plan is not None else None

    found: dict[str, str] = {}
    if position < stage_index(Stage.STARTED):
        permits = [s.approved_on for s in steps if s.kind == "construction" and s.approved_on is not None]
        limit = settings.QINQING_PROJECT_START_AFTER_PERMIT_DAYS
        if permits and (timing.span(min(permits), today) or 0) > limit:
            found[FlagRule.APPROVED_NOT_STARTED] = (
                f"施工许可已于{min(permits):%Y-%m-%d}批复，超过{limit}个工作日未开工"
            )
        landed = actual(Stage.LANDED)
        limit = settings.QINQING_PROJECT_START_AFTER_LAND_DAYS
        if (
            FlagRule.APPROVED_NOT_STARTED not in found
            and landed
            and (timing.span(landed, today) or 0) > limit
        ):
            found[FlagRule.APPROVED_NOT_STARTED] = f"已于{landed:%Y-%m-%d}供地，超过{limit}个工作日未开工"
    started = actual(Stage.STARTED)
    if project.stage == Stage.STARTED and started is not None:
        limit = settings.QINQING_PROJECT_BUILD_AFTER_START_DAYS
        if (timing.span(started, today) or 0) > limit:
            found[FlagRule.STARTED_NOT_BUILT] = (
                f"已于{started:%Y-%m-%d}开工，超过{limit}个工作日未进入实质性建设"
            )
    if project.stage in (Stage.STARTED, Stage.BUILDING):
        plan = by_stage.get(Stage.COMPLETED)
        planned = plan.planned_on if plan is not None else None
        if planned is not None:
            grace = settings.QINQING_PROJECT_FINISH_GRACE_DAYS
            if planned < today and (timing.span(planned, today) or 0) > grace:
                found[FlagRule.BUILT_NOT_FINISHED] = (
                    f"计划{planned:%Y-%m-%d}竣工，逾期超过{grace}个工作日未竣工"
                )
        elif started is not None:
            limit = settings.QINQING_PROJECT_FINISH_DAYS
            if (timing.span(started, today) or 0) > limit:
                found[FlagRule.BUILT_NOT_FINISHED] = f"开工已超过{limit}个工作日未竣工"
    return found
