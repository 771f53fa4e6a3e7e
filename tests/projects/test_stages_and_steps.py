"""Stage moves (who, in which order, the actual date), corrections (office only, with a reason, as events), and the
approval steps a department records, with the project's whole approval counted once over parallel steps."""

import datetime as dt

import pytest

from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.projects import actions, inputs, services
from qinqing.projects.models import ProjectEvent, Stage, StagePlan, StepKind

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_office_and_the_service_officer_move_one_stage_forward_recording_the_actual_date(
    world, clock, pj
):
    project = pj.project()
    assert project.stage == Stage.NEGOTIATING and project.number.startswith("XM20261116")
    project = services.move_stage(by=world.dispatcher_east, project=project, action="sign", on=D(2026, 3, 2))
    project = services.move_stage(by=pj.officer, project=project, action="land", on=D(2026, 5, 6))
    assert project.stage == Stage.LANDED
    actual = dict(StagePlan.objects.filter(project=project).values_list("stage", "actual_on"))
    assert actual[Stage.SIGNED] == D(2026, 3, 2) and actual[Stage.LANDED] == D(2026, 5, 6)
    moved = ProjectEvent.objects.filter(project=project, kind="moved")
    assert [e.data["target"] for e in moved] == ["signed", "landed"]


def test_moves_refused(world, clock, pj):
    project = pj.project()
    with pytest.raises(TransitionNotAllowed, match="不能开工"):
        services.move_stage(by=world.dispatcher, project=project, action="start")  # skipping a stage
    for who in (world.handler_land, world.leader, pj.other_officer, world.ent_user_a, world.dispatcher_west):
        with pytest.raises(NotPermitted):
            services.move_stage(by=who, project=project, action="sign")
    with pytest.raises(InvalidInput) as exc:
        services.move_stage(by=world.dispatcher, project=project, action="sign", on=D(2026, 11, 17))
    assert exc.value.errors == {"on": ["日期不能晚于今天"]}
    pj.walk(project, {"sign": D(2026, 6, 1)})
    with pytest.raises(InvalidInput, match="不能早于上一阶段"):
        services.move_stage(by=world.dispatcher, project=project, action="land", on=D(2026, 5, 1))
    assert project.events.filter(kind="moved").count() == 1


def test_going_back_is_a_correction_by_the_office_with_a_reason(world, clock, pj):
    project = pj.walk(pj.project(), {"sign": D(2026, 3, 2), "land": D(2026, 5, 6), "start": D(2026, 7, 1)})
    assert project.sign_to_start_days == services.timing.span(D(2026, 3, 2), D(2026, 7, 1))
    with pytest.raises(NotPermitted):
        services.correct_stage(by=pj.officer, project=project, stage=Stage.SIGNED, reason="录入错误")
    with pytest.raises(InvalidInput):
        services.correct_stage(by=world.dispatcher, project=project, stage=Stage.PRODUCING, reason="x")
    project = services.correct_stage(
        by=world.dispatcher, project=project, stage=Stage.SIGNED, reason="供地手续尚未办结，误报"
    )
    assert project.stage == Stage.SIGNED and project.sign_to_start_days is None
    event = project.events.get(kind="corrected")
    assert event.note == "供地手续尚未办结，误报"
    assert event.data["cleared"] == {"landed": "2026-05-06", "started": "2026-07-01"}
    assert not StagePlan.objects.filter(
        project=project, stage=Stage.STARTED, actual_on__isnull=False
    ).exists()
    with pytest.raises(TransitionNotAllowed):
        services.correct_stage(
            by=world.dispatcher, project=pj.project(name="新项目"), stage=Stage.NEGOTIATING, reason="x"
        )


def test_a_department_records_its_own_step_and_nobody_elses(world, clock, pj):
    project = pj.project()
    land = pj.step(project, StepKind.LAND_PLANNING, world.land)
    housing = pj.step(project, StepKind.CONSTRUCTION, pj.housing)
    # The land bureau's handler records its step: accepted before National Day, approved after it.
    actions.record_step(
        world.handler_land, project.pk, land.pk, "submit", inputs.StepDateIn(on=D(2025, 9, 26))
    )
    step = actions.record_step(
        world.handler_land, project.pk, land.pk, "approve", inputs.StepDateIn(on=D(2025, 10, 10))
    )
    assert step.working_days == 5
    with pytest.raises(NotPermitted):
        actions.record_step(
            world.handler_land, project.pk, housing.pk, "submit", inputs.StepDateIn(on=D(2026, 1, 5))
        )
    # A department with no step on the project does not see it at all.
    with pytest.raises(NotVisible):
        actions.record_step(
            world.handler_power, project.pk, housing.pk, "submit", inputs.StepDateIn(on=D(2026, 1, 5))
        )
    # The service officer records a submission but not an approval.
    services.record_step(by=pj.officer, step=housing, action="submit", on=D(2026, 2, 13))
    housing.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.record_step(by=pj.officer, step=housing, action="approve", on=D(2026, 2, 27))
    with pytest.raises(InvalidInput, match="不能早于申报日期"):
        services.record_step(by=pj.handler_housing, step=housing, action="approve", on=D(2026, 2, 12))
    services.record_step(by=pj.handler_housing, step=housing, action="approve", on=D(2026, 2, 27))
    project.refresh_from_db()
    assert project.approval_days == 5 + 5  # two spans, one across 国庆, one across 春节
    assert project.approval_done is False  # no 竣工验收 yet
    kinds = list(project.events.values_list("kind", flat=True))
    assert kinds.count("step_approved") == 2 and kinds.count("step_added") == 2


def test_whole_approval_is_done_with_every_step_approved_including_completion(world, clock, pj):
    project = pj.project()
    pj.step(project, StepKind.APPROVAL, world.land, D(2026, 3, 2), 10)
    pj.step(project, StepKind.CONSTRUCTION, pj.housing, D(2026, 3, 9), 10)  # overlaps the first
    project.refresh_from_db()
    assert project.approval_days == 15 and project.approval_done is False
    pj.step(project, StepKind.COMPLETION, pj.housing, D(2026, 9, 1), 12)
    project.refresh_from_db()
    assert project.approval_days == 27 and project.approval_done is True
