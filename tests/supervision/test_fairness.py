"""Fairness: difficulty tiers compare like with like; a contested rating stays but an upheld contest excludes it."""

import json

import pytest
from django.test import Client

from qinqing.appeals import services
from qinqing.supervision.evaluation import evaluate
from tests.conftest import at

pytestmark = pytest.mark.django_db


def api(world, user, path, body):
    return Client().post(
        f"/api{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.token(user)}"},
    )


def test_difficulty_is_set_at_triage_and_filters_the_ranking(world, clock):
    hard = world.submit(title="疑难用地", content="历史遗留用地问题")
    services.assign_appeal(appeal=hard, by=world.dispatcher, lead=world.land, difficulty=3)
    routine = world.submit()
    response = api(
        world, world.dispatcher, f"/appeals/{routine.number}/assign", {"lead": world.hr.pk, "difficulty": 1}
    )
    assert response.status_code == 200, response.content
    bad = api(
        world,
        world.dispatcher,
        f"/appeals/{world.submit().number}/assign",
        {"lead": world.hr.pk, "difficulty": 7},
    )
    assert bad.status_code == 422
    hard.refresh_from_db()
    assert (
        hard.get_difficulty_display() == "疑难"
        and hard.events.get(kind="assigned").data["difficulty"] == "疑难"
    )
    month = (at(2026, 11, 1).date(), at(2026, 11, 30).date())
    assert {r.department.name for r in evaluate(world.city, *month, difficulty=3)} == {"市自然资源局"}
    assert {r.department.name for r in evaluate(world.city, *month, difficulty=1)} == {"市人社局"}
    assert {r.department.name for r in evaluate(world.city, *month)} == {"市自然资源局", "市人社局"}


def test_contested_rating_upheld_is_excluded_but_kept(world, clock):
    unfair = world.closed(satisfaction="dissatisfied")
    world.closed(satisfaction="satisfied")
    month = (at(2026, 11, 1).date(), at(2026, 11, 30).date())
    assert evaluate(world.city, *month)[0].rates["satisfaction"] == 0.5

    # Only the lead department contests, once, with a reason; the enterprise or another department cannot.
    assert (
        api(
            world, world.handler_power, f"/supervision/appeals/{unfair.number}/contest", {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        api(
            world, world.ent_user_a, f"/supervision/appeals/{unfair.number}/contest", {"reason": "x"}
        ).status_code
        == 403
    )
    empty = api(world, world.handler_hr, f"/supervision/appeals/{unfair.number}/contest", {"reason": " "})
    assert empty.status_code == 400 and "理由" in empty.json()["message"]
    ok = api(
        world,
        world.handler_hr,
        f"/supervision/appeals/{unfair.number}/contest",
        {"reason": "企业因与本案无关的纠纷恶意差评，已有录音为证"},
    )
    assert ok.status_code == 201
    twice = api(world, world.handler_hr, f"/supervision/appeals/{unfair.number}/contest", {"reason": "再次"})
    assert twice.status_code == 400 and "一次" in twice.json()["message"]
    assert evaluate(world.city, *month)[0].rates["satisfaction"] == 0.5  # pending: still counted

    # The office decides; a department cannot decide its own contest.
    assert (
        api(
            world,
            world.head_hr,
            f"/supervision/appeals/{unfair.number}/contest/decision",
            {"uphold": True, "note": "x"},
        ).status_code
        == 403
    )
    decided = api(
        world,
        world.dispatcher,
        f"/supervision/appeals/{unfair.number}/contest/decision",
        {"uphold": True, "note": "经核查，差评与办理无关"},
    )
    assert decided.status_code == 200 and decided.json()["state"] == "upheld"
    unfair.refresh_from_db()
    assert unfair.satisfaction == "dissatisfied"  # the rating stays on the appeal
    assert evaluate(world.city, *month)[0].rates["satisfaction"] == 1.0
    kinds = list(unfair.events.values_list("kind", flat=True))
    assert "rating_contested" in kinds and "contest_decided" in kinds
    page = Client()
    page.force_login(world.dispatcher)
    assert "申诉成立" in page.get(f"/appeals/{unfair.number}/").content.decode()
