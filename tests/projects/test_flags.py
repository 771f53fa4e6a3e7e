"""三未 flags: each rule raised by the sweep once (run twice: one flag, one notice each), with its notice to the
service officer, the 挂点领导 and the offices of the region, and cleared when the project moves on."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from qinqing.core.workcalendar import add_working_days
from qinqing.projects import services
from qinqing.projects.models import FlagRule, ProjectFlag, Stage, StepKind
from qinqing.supervision.models import Notification

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 16)


def back(days: int) -> D:
    """The day `days` working days before today (today being that many working days after it)."""
    day = TODAY
    while services.timing.span(day, TODAY) < days:
        day -= dt.timedelta(days=1)
    return day


def open_rules(project):
    return set(
        ProjectFlag.objects.filter(project=project, cleared_at__isnull=True).values_list("rule", flat=True)
    )


def test_approved_not_started_after_the_construction_permit(world, clock, pj, settings):
    project = pj.walk(pj.project(), {"sign": D(2026, 1, 5), "land": D(2026, 2, 2)})
    permit = pj.step(project, StepKind.CONSTRUCTION, pj.housing, D(2026, 3, 2))
    services.record_step(by=pj.handler_housing, step=permit, action="approve", on=back(60))
    assert services.sweep_flags().raised == 0  # exactly 60 working days: not yet
    settings.QINQING_PROJECT_START_AFTER_PERMIT_DAYS = 59
    first = services.sweep_flags()
    second = services.sweep_flags()
    assert (first.raised, second.raised) == (1, 0)
    assert open_rules(project) == {FlagRule.APPROVED_NOT_STARTED}
    notes = Notification.objects.filter(kind="project_flag")
    assert {n.recipient for n in notes} == {pj.officer, world.leader, world.dispatcher, world.dispatcher_east}
    assert all("批而未开" in n.title and n.url == f"/projects/{project.pk}/" for n in notes)
    # 开工 resolves it at once (the move clears it; the sweep has nothing left to do).
    project = services.move_stage(by=pj.officer, project=project, action="start", on=TODAY)
    assert open_rules(project) == set()
    assert services.sweep_flags().cleared == 0
    assert project.events.filter(kind="flag_cleared").count() == 1


def test_approved_not_started_after_land_supply(world, clock, pj, settings):
    settings.QINQING_PROJECT_START_AFTER_LAND_DAYS = 100
    project = pj.walk(pj.project(), {"sign": D(2026, 1, 5), "land": back(101)})
    services.sweep_flags()
    flag = ProjectFlag.objects.get(project=project)
    assert flag.rule == FlagRule.APPROVED_NOT_STARTED and "供地" in flag.detail


def test_started_not_built_and_built_not_finished(world, clock, pj, settings):
    settings.QINQING_PROJECT_BUILD_AFTER_START_DAYS = 40
    project = pj.walk(pj.project(), {"sign": D(2025, 6, 2), "land": D(2025, 8, 1), "start": back(41)})
    services.plan_stage(by=world.dispatcher, project=project, stage=Stage.COMPLETED, planned_on=back(21))
    services.sweep_flags()
    assert open_rules(project) == {FlagRule.STARTED_NOT_BUILT, FlagRule.BUILT_NOT_FINISHED}
    # Entering 建设 clears 开而未建; 建而未成 stays until 竣工 (or a new plan).
    project = services.move_stage(by=world.dispatcher, project=project, action="build", on=TODAY)
    assert open_rules(project) == {FlagRule.BUILT_NOT_FINISHED}
    services.plan_stage(
        by=world.dispatcher, project=project, stage=Stage.COMPLETED, planned_on=D(2027, 6, 30)
    )
    assert open_rules(project) == set()
    # The plan slips again: the sweep raises a new flag (the old one stays in the history, cleared).
    services.plan_stage(by=world.dispatcher, project=project, stage=Stage.COMPLETED, planned_on=back(30))
    services.sweep_flags()
    assert ProjectFlag.objects.filter(project=project, rule=FlagRule.BUILT_NOT_FINISHED).count() == 2
    assert open_rules(project) == {FlagRule.BUILT_NOT_FINISHED}


def test_a_project_on_time_raises_nothing(world, clock, pj):
    project = pj.walk(pj.project(), {"sign": D(2026, 9, 1), "land": D(2026, 10, 9), "start": D(2026, 11, 2)})
    services.plan_stage(
        by=world.dispatcher, project=project, stage=Stage.COMPLETED, planned_on=D(2027, 12, 31)
    )
    assert services.sweep_flags().raised == 0


def test_one_open_flag_per_rule_is_the_databases_rule(world, clock, pj):
    """What makes concurrent sweeps safe on PostgreSQL: the second insert of an open flag fails, so it is never
    raised (or notified) twice."""
    project = pj.project()
    ProjectFlag.objects.create(project=project, rule=FlagRule.STARTED_NOT_BUILT, detail="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFlag.objects.create(project=project, rule=FlagRule.STARTED_NOT_BUILT, detail="y")
    assert services._raise(project, FlagRule.STARTED_NOT_BUILT, "z") is False
    assert not Notification.objects.filter(kind="project_flag").exists()


def test_add_working_days_and_span_agree(db):
    assert services.timing.span(TODAY, add_working_days(TODAY, 224)) == 224
