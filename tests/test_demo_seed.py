"""The demo as `make run` builds it: every seed command in the Makefile's order, on one database. Each app's
own tests seed only its part; this catches a step of one seed that another app's rules now refuse (a reply
held for review in 西江区 that the fieldwork seed then tried to rate)."""

import io

import pytest
from django.core.management import call_command

from qinqing.appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_the_whole_demo_seeds_in_the_makefiles_order():
    out = io.StringIO()
    call_command("seed_demo", appeals=60, stdout=out)
    for command in ("seed_fieldwork", "seed_credit", "seed_policies", "seed_plans"):
        call_command(command, "--if-empty", stdout=out)
    assert Appeal.objects.count() > 60  # the fieldwork seed raises appeals of its own
    assert Appeal.objects.filter(status="review").exists()  # 西江区's held replies
    # The action plan shows every light and every kind, grade and state of 督办单.
    from qinqing.plans import selectors
    from qinqing.plans.models import Slip, Task

    assert {t.light for t in selectors.with_figures(Task.objects.all())} == {"green", "yellow", "red", "done"}
    slips = Slip.objects.all()
    assert {s.kind for s in slips} == set(Slip.Kind.values)
    assert {s.level for s in slips} == set(Slip.Level.values)
    assert {s.state for s in slips} == set(Slip.State.values)
