"""回访: the office calls closed appeals back, by sample or one by one; an unsolved problem reopens the appeal;
the rates reach the department evaluation. And everyone else is refused."""

import datetime as dt
import json
import random

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from qinqing.appeals import selectors, services
from qinqing.appeals.models import AppealEvent, Revisit, RevisitSample, Status
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.supervision import evaluation

pytestmark = pytest.mark.django_db

NOV = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _api(world, user):
    return {"Authorization": f"Bearer {world.token(user)}"}


def test_a_reached_and_solved_revisit_is_recorded_and_the_appeal_stays_closed(world, clock):
    appeal = world.closed()
    before = appeal.events.count()
    revisit = services.record_revisit(
        appeal=appeal, by=world.dispatcher, method="phone", reached=True, satisfaction="basic", resolved=True
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert revisit.state == Revisit.State.DONE and revisit.done_by == world.dispatcher
    assert not revisit.reopened
    assert appeal.events.count() == before + 1
    event = appeal.events.last()
    assert event.kind == AppealEvent.Kind.REVISITED
    assert event.data["satisfaction"] == "basic" and event.data["reopened"] is False


def test_an_unsolved_problem_reopens_the_appeal_in_the_same_step(world, clock):
    appeal = world.closed()  # the enterprise said 满意 and 已解决 at the time
    before = appeal.events.count()
    revisit = services.record_revisit(
        appeal=appeal,
        by=world.dispatcher,
        method="visit",
        reached=True,
        satisfaction="dissatisfied",
        resolved=False,
        comments="招聘的工人大多已离职，缺口仍在",
    )
    appeal.refresh_from_db()
    assert revisit.reopened
    assert appeal.status == Status.IN_PROGRESS
    assert appeal.reopen_count == 1
    assert appeal.closed_at is None and appeal.satisfaction == "" and appeal.resolved is None
    assert appeal.handle_deadline is not None and appeal.deadline == appeal.handle_deadline
    # One step, one event: the revisit, carrying the reopening.
    assert appeal.events.count() == before + 1
    event = appeal.events.last()
    assert (event.kind, event.from_status, event.to_status) == ("revisited", "closed", "in_progress")
    assert event.data["reopened"] is True and event.note == "招聘的工人大多已离职，缺口仍在"
    # The lead department has it back and can answer again.
    services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="再次组织招聘", result="补招20人")
    # A reopened appeal is no longer closed: no second revisit until it closes again.
    appeal.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.record_revisit(appeal=appeal, by=world.dispatcher, method="phone", reached=False)


def test_an_unsolved_problem_needs_what_the_enterprise_said(world, clock):
    appeal = world.closed()
    with pytest.raises(InvalidInput) as refused:
        services.record_revisit(
            appeal=appeal,
            by=world.dispatcher,
            method="phone",
            reached=True,
            satisfaction="basic",
            resolved=False,
        )
    assert "comments" in refused.value.errors
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and not Revisit.objects.exists()


def test_not_reached_records_the_attempt_only(world, clock):
    appeal = world.closed()
    services.record_revisit(
        appeal=appeal, by=world.dispatcher, method="phone", reached=False, comments="无人接听"
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert Revisit.objects.get().reached is False
    with pytest.raises(InvalidInput):
        services.record_revisit(
            appeal=appeal, by=world.dispatcher, method="phone", reached=False, satisfaction="satisfied"
        )


def test_only_the_office_of_the_region_revisits(world, clock):
    appeal = world.closed()
    for user in (world.ent_user_a, world.leader, world.handler_hr):
        with pytest.raises(NotPermitted):
            services.record_revisit(appeal=appeal, by=user, method="phone", reached=False)
    with pytest.raises(NotVisible):
        services.record_revisit(appeal=appeal, by=world.dispatcher_west, method="phone", reached=False)
    # Another district's office: 404 on the page and the API, like a missing appeal.
    r = _client(world.dispatcher_west).post(
        f"/appeals/{appeal.number}/act/revisit/", {"method": "phone", "reached": "0"}
    )
    assert r.status_code == 404
    r = Client().post(
        f"/api/appeals/{appeal.number}/revisit",
        json.dumps({"method": "phone", "reached": False}),
        content_type="application/json",
        headers=_api(world, world.dispatcher_west),
    )
    assert r.status_code == 404
    # The enterprise: refused on the API, no form on its page.
    r = Client().post(
        f"/api/appeals/{appeal.number}/revisit",
        json.dumps({"method": "phone", "reached": False}),
        content_type="application/json",
        headers=_api(world, world.ent_user_a),
    )
    assert r.status_code == 403
    page = _client(world.ent_user_a).get(f"/appeals/{appeal.number}/")
    assert b"form-revisit" not in page.content
    assert b"form-revisit" in _client(world.dispatcher).get(f"/appeals/{appeal.number}/").content
    assert not Revisit.objects.exists()


def test_a_revisit_of_an_open_appeal_is_refused(world, clock):
    appeal = world.replied()
    with pytest.raises(TransitionNotAllowed):
        services.record_revisit(appeal=appeal, by=world.dispatcher, method="phone", reached=False)


# ---------------------------------------------------------------- 抽样


def _closed_many(world, n):
    return [world.closed(title=f"第{i}件诉求") for i in range(n)]


def test_a_sample_draws_the_share_rounded_up_and_never_twice(world, clock):
    appeals = _closed_many(world, 7)
    first = services.sample_revisits(
        by=world.dispatcher,
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 30),
        percent=30,
        rng=random.Random(1),
    )
    assert (first.eligible, first.picked) == (7, 3)
    planned = set(Revisit.objects.filter(state="planned").values_list("appeal_id", flat=True))
    assert len(planned) == 3 and planned <= {a.pk for a in appeals}
    rest = services.sample_revisits(
        by=world.dispatcher, date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30), percent=100
    )
    assert (rest.eligible, rest.picked) == (4, 4)
    assert Revisit.objects.filter(state="planned").count() == 7
    with pytest.raises(InvalidInput):
        services.sample_revisits(
            by=world.dispatcher, date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30), percent=100
        )
    # Recording the outcome completes the planned revisit (no second row).
    target = appeals[0]
    services.record_revisit(appeal=target, by=world.dispatcher, method="phone", reached=False)
    assert Revisit.objects.filter(appeal=target).count() == 1
    assert Revisit.objects.get(appeal=target).state == "done"


def test_a_sample_takes_only_the_period_and_the_region(world, clock):
    world.closed()
    # Closed appeals of the east district: nothing for the west's office, nothing outside the period.
    with pytest.raises(InvalidInput):
        services.sample_revisits(
            by=world.dispatcher_west,
            date_from=dt.date(2026, 11, 1),
            date_to=dt.date(2026, 11, 30),
            percent=100,
        )
    with pytest.raises(InvalidInput):
        services.sample_revisits(
            by=world.dispatcher, date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31), percent=100
        )
    with pytest.raises(NotPermitted):
        services.sample_revisits(
            by=world.leader, date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30), percent=100
        )
    assert not RevisitSample.objects.exists()


SAMPLE_CASES = [
    ({**NOV, "percent": 100}, True),
    ({**NOV, "percent": 0}, False),
    ({**NOV, "percent": 101}, False),
    ({**NOV, "percent": "abc"}, False),
    ({"date_from": "2026-11-30", "date_to": "2026-11-01", "percent": 50}, False),
    ({"date_from": "2026-13-01", "date_to": "2026-11-30", "percent": 50}, False),
    ({"percent": 50}, False),
]


@pytest.mark.parametrize(("data", "accepted"), SAMPLE_CASES)
def test_sampling_page_and_api_agree(world, clock, data, accepted):
    from qinqing.appeals import inputs
    from qinqing.core import inputs as core_inputs
    from qinqing.core.pages import error_text

    outcomes = []
    for door in ("page", "api"):
        world.closed(title=f"{door}的诉求")
        before = Revisit.objects.count()
        if door == "page":
            r = _client(world.dispatcher).post("/revisits/sample/", {k: str(v) for k, v in data.items()})
            assert r.status_code == 302
            [(level, text)] = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
            outcomes.append(("accepted", None) if level == "success" else ("refused", text))
        else:
            r = Client().post(
                "/api/revisits/sample",
                json.dumps(data),
                content_type="application/json",
                headers=_api(world, world.dispatcher),
            )
            if r.status_code == 201:
                outcomes.append(("accepted", None))
                assert r.json()["picked"] == len(r.json()["appeals"]) >= 1
            else:
                body = r.json()
                refusal = InvalidInput(body["message"], body["errors"])
                if r.status_code == 422:
                    refusal.labels = core_inputs.labels(inputs.RevisitSampleIn)
                outcomes.append(("refused", error_text(refusal)))
        assert (Revisit.objects.count() > before) == accepted
    assert outcomes[0] == outcomes[1], outcomes
    assert outcomes[0][0] == ("accepted" if accepted else "refused")


def test_the_revisit_list_is_the_offices(world, clock):
    planned, done, fresh = _closed_many(world, 3)
    services.sample_revisits(
        by=world.dispatcher, date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30), percent=100
    )
    Revisit.objects.filter(appeal=fresh).delete()  # left out of the sample
    services.record_revisit(
        appeal=done,
        by=world.dispatcher,
        method="phone",
        reached=True,
        satisfaction="satisfied",
        resolved=True,
    )
    office = _client(world.dispatcher)
    page = office.get("/revisits/").content.decode()
    assert planned.number in page and done.number not in page and fresh.number not in page
    page = office.get("/revisits/?tab=done").content.decode()
    assert done.number in page and planned.number not in page
    page = office.get("/revisits/?tab=candidates").content.decode()
    assert fresh.number in page and planned.number not in page
    # The east district's office sees the east's appeals; the west's sees none of them.
    assert planned.number in _client(world.dispatcher_east).get("/revisits/").content.decode()
    west = _client(world.dispatcher_west)
    for tab in ("planned", "done", "candidates"):
        assert planned.number not in west.get(f"/revisits/?tab={tab}").content.decode()
        assert done.number not in west.get(f"/revisits/?tab={tab}").content.decode()
    assert Client().get("/api/revisits", headers=_api(world, world.dispatcher_west)).json() == []
    assert len(Client().get("/api/revisits", headers=_api(world, world.dispatcher)).json()) == 2
    # Not a page for the enterprise or a department.
    for user in (world.ent_user_a, world.handler_hr, world.auditor):
        assert _client(user).get("/revisits/").status_code == 404
        assert _client(user).post("/revisits/sample/", {**NOV, "percent": "100"}).status_code == 404
        assert Client().get("/api/revisits", headers=_api(world, user)).json() == []
    assert selectors.revisits_visible_to(world.ent_user_a).count() == 0
    # The leader reads it but draws no sample.
    assert b"form-sample" not in _client(world.leader).get("/revisits/").content
    assert b"form-sample" in office.get("/revisits/").content
    assert b'href="/revisits/"' in office.get("/appeals/").content  # the way in, from the 调度台


def test_the_revisit_timeline_entry_and_history(world, clock):
    appeal = world.closed()
    services.record_revisit(
        appeal=appeal,
        by=world.dispatcher,
        method="phone",
        reached=True,
        satisfaction="basic",
        resolved=True,
        comments="企业表示感谢",
    )
    page = _client(world.dispatcher).get(f"/appeals/{appeal.number}/").content.decode()
    assert "电话回访：基本满意，已解决" in page and 'id="revisits"' in page
    # The enterprise sees the step on its timeline but not the office's record list.
    page = _client(world.ent_user_a).get(f"/appeals/{appeal.number}/").content.decode()
    assert 'id="revisits"' not in page


# ---------------------------------------------------------------- in the evaluation


def test_revisit_rates_in_the_department_evaluation(world, clock):
    a, b, c, d = _closed_many(world, 4)
    services.record_revisit(
        appeal=a, by=world.dispatcher, method="phone", reached=True, satisfaction="satisfied", resolved=True
    )
    services.record_revisit(
        appeal=b, by=world.dispatcher, method="phone", reached=True, satisfaction="basic", resolved=True
    )
    services.record_revisit(appeal=c, by=world.dispatcher, method="phone", reached=False)
    # d: reached, dissatisfied, unsolved: reopened, so no longer closed in the period.
    services.record_revisit(
        appeal=d,
        by=world.dispatcher,
        method="visit",
        reached=True,
        satisfaction="dissatisfied",
        resolved=False,
        comments="未解决",
    )
    rows = evaluation.evaluate(world.city, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    [hr] = [r for r in rows if r.department == world.hr]
    assert hr.extras["revisit_rate"] == 100.0  # a, b, c closed and revisited (d was reopened)
    assert hr.extras["revisit_satisfaction"] == pytest.approx(66.7)  # a, b of a, b, d reached
    assert hr.extras["revisit_resolution"] == pytest.approx(66.7)
    page = (
        _client(world.dispatcher)
        .get("/supervision/evaluation/?start=2026-11-01&end=2026-11-30")
        .content.decode()
    )
    assert "回访率（%）" in page and "回访满意率（%）" in page and "回访解决率（%）" in page
