"""The demo as `make run` builds it: every seed command in the Makefile's order, on one database. Each app's
own tests seed only its part; this catches a step of one seed that another app's rules now refuse (a reply
held for review in 西江区 that the fieldwork seed then tried to rate)."""

import io

import pytest
from django.core.management import call_command

from qinqing.appeals.models import Appeal
from qinqing.projects.models import FlagRule, Project, ProjectFlag, Stage

pytestmark = pytest.mark.django_db


def test_the_whole_demo_seeds_in_the_makefiles_order():
    out = io.StringIO()
    call_command("seed_demo", appeals=60, stdout=out)
    for command in ("seed_fieldwork", "seed_credit", "seed_policies", "seed_projects", "seed_index"):
        call_command(command, "--if-empty", stdout=out)
    assert Appeal.objects.count() > 60  # the fieldwork seed raises appeals of its own
    assert Appeal.objects.filter(status="review").exists()  # 西江区's held replies
    # Every stage of the key projects, each 三未 rule lit, and the 224 → 64 pair.
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(ProjectFlag.objects.filter(cleared_at__isnull=True).values_list("rule", flat=True)) == set(
        FlagRule.values
    )
    pair = dict(
        Project.objects.filter(name__startswith="恒信机械扩产项目").values_list("name", "approval_days")
    )
    assert pair == {"恒信机械扩产项目（一期）": 224, "恒信机械扩产项目（二期）": 64}
    call_command("seed_projects", "--if-empty", stdout=out)  # the second run of `make run` adds nothing
    assert Project.objects.count() == 12
    from qinqing.indices.models import Observation

    assert Observation.objects.filter(computed=True).exists()  # computed from the seeded appeals
    assert Observation.objects.filter(state="pending").exists()
    # `make run` shows a redemption case in every state of the machine.
    from qinqing.policies.models import CaseState, RedemptionCase

    assert set(RedemptionCase.objects.values_list("state", flat=True)) == set(CaseState.values)
    call_command("seed_plans", "--if-empty", stdout=out)
    # The action plan shows every light and every kind, grade and state of 督办单.
    from qinqing.plans import selectors
    from qinqing.plans.models import Slip, Task

    assert {t.light for t in selectors.with_figures(Task.objects.all())} == {"green", "yellow", "red", "done"}
    slips = Slip.objects.all()
    assert {s.kind for s in slips} == set(Slip.Kind.values)
    assert {s.level for s in slips} == set(Slip.Level.values)
    assert {s.state for s in slips} == set(Slip.State.values)
