"""The per-item match tallies (``policies.tallies``): ``apply`` of the engine's changes gives what a GROUP BY over
the stored matches gives (and what ``rebuild`` writes), at any volume; the figures page sums them within the
user's scope; the command and the nightly job recount them."""

import datetime as dt
import math
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from qinqing.accounts.models import Role, User
from qinqing.credit.models import CreditEntry, CreditList, ListKind
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Region
from qinqing.policies import matching, selectors, tallies
from qinqing.policies.models import MatchStatus, MatchTally, PolicyItem, PolicyMatch
from qinqing.policies.tasks import rebuild_policy_tallies
from tests.conftest import make_uscc
from tests.policies.test_permissions_and_pages import api, client_for
from tests.worker import run_periodic

E, U, NO = MatchStatus.ELIGIBLE, MatchStatus.UNDETERMINED, MatchStatus.INELIGIBLE


def stored() -> dict[tuple[int, int], tuple[int, int, int]]:
    return {
        (t.item_id, t.region_id): (t.eligible, t.undetermined, t.blocked) for t in MatchTally.objects.all()
    }


def grouped() -> dict[tuple[int, int], tuple[int, int, int]]:
    """The figures counted from the matches themselves, as the page did before the tallies."""
    rows = (
        PolicyMatch.objects.values("item_id", "enterprise__region_id")
        .annotate(
            e=Count("id", filter=Q(status=E)),
            u=Count("id", filter=Q(status=U)),
            b=Count("id", filter=Q(status=NO, blocked_by_credit=True)),
        )
        .values_list("item_id", "enterprise__region_id", "e", "u", "b")
    )
    return {(i, r): (e, u, b) for i, r, e, u, b in rows if e or u or b}


@pytest.mark.parametrize(
    ("status", "blocked", "key"),
    [(E, False, "eligible"), (U, False, "undetermined"), (NO, True, "blocked"), (NO, False, None)],
)
def test_key_of(status, blocked, key):
    assert tallies.key_of(status, blocked) == key
    assert key is None or key in tallies.STATUS_KEYS


def test_apply_of_creates_changes_and_deletes_equals_the_group_by_and_the_rebuild(lib):
    world = lib.world
    town = Region.objects.create(
        code="339902001", name="东湖街道", level=Region.Level.TOWN, parent=world.east
    )
    regions = [world.east, world.west, town]
    enterprises = [world.ent_a, world.ent_b] + [
        Enterprise.objects.create(
            uscc=make_uscc(regions[n % 3].code), name=f"测试企业{n}", scale="small", region=regions[n % 3]
        )
        for n in range(10)
    ]
    items = [lib.item(name=f"事项{n}") for n in range(3)]
    states = [None, (E, False), (U, False), (NO, True)]
    rng = random.Random(7)
    kinds = {"create": 0, "change": 0, "delete": 0}
    for _ in range(4):
        changes = []
        for _ in range(80):
            ent, item = rng.choice(enterprises), rng.choice(items)
            match = PolicyMatch.objects.filter(enterprise=ent, item=item).first()
            old = None if match is None else (match.status, match.blocked_by_credit)
            new = rng.choice([s for s in states if s != old])
            if new is None:
                assert match is not None
                match.delete()
                kinds["delete"] += 1
            elif match is None:
                PolicyMatch.objects.create(
                    enterprise=ent, item=item, status=new[0], blocked_by_credit=new[1], digest="x"
                )
                kinds["create"] += 1
            else:
                match.status, match.blocked_by_credit = new
                match.save()
                kinds["change"] += 1
            old_key = None if old is None else tallies.key_of(*old)
            new_key = None if new is None else tallies.key_of(*new)
            changes.append((item.pk, ent.region_id, old_key, new_key))
        tallies.apply(changes)
        assert stored() == grouped()
    assert min(kinds.values()) > 20, kinds
    before = stored()
    assert before and tallies.rebuild() == {"items": 3, "rows": len(before)}
    assert stored() == before
    assert (
        tallies.apply([(items[0].pk, world.east.pk, "eligible", "eligible")]) == 0
    )  # no change, no statement


def test_apply_is_exact_for_hundreds_of_thousands_of_changes_in_a_few_statements(lib):
    """300,000 changes over 2,400 (item, region) pairs, five stored pairs each, simulated in Python as the
    engine would report them: the tallies hold the final count of every pair's states."""
    world = lib.world
    regions = [
        Region.objects.create(
            code=f"3399{n:02d}", name=f"测试区{n}", level=Region.Level.DISTRICT, parent=world.city
        )
        for n in range(10, 50)
    ]
    items = [lib.item(name=f"事项{n}") for n in range(60)]
    pairs = [(i.pk, r.pk) for i in items for r in regions]
    slots: list[str | None] = [None] * (len(pairs) * 5)
    keys = [None, *tallies.STATUS_KEYS]
    rng = random.Random(11)
    changes = []
    for _ in range(300_000):
        slot = rng.randrange(len(slots))
        old = slots[slot]
        new = rng.choice([k for k in keys if k != old])
        slots[slot] = new
        changes.append((*pairs[slot // 5], old, new))
    with CaptureQueriesContext(connection) as first:
        tallies.apply(changes[:150_000])
    tallies.apply(changes[150_000:])  # on top of the rows the first half wrote: the ON CONFLICT path
    expected: dict[tuple[int, int], list[int]] = {}
    for slot, key in enumerate(slots):
        if key is not None:
            expected.setdefault(pairs[slot // 5], [0, 0, 0])[tallies.STATUS_KEYS.index(key)] += 1
    assert stored() == {pair: tuple(counts) for pair, counts in expected.items()}
    assert (
        len(first) <= math.ceil(len(pairs) / 199) + 1
    )  # upserts of up to 199 (SQLite) or 1,000 rows, a DELETE


def test_apply_refuses_an_unknown_key(lib):
    item = lib.item()
    with pytest.raises(ValueError, match="unknown tally key"):
        tallies.apply([(item.pk, lib.world.east.pk, None, "ineligible")])


def _serious_list():
    return CreditList.objects.create(
        code="serious-test", kind=ListKind.SERIOUS, name="严重失信主体名单", legal_basis="《条例》"
    )


@pytest.fixture
def figures(lib, clock):
    """Four enterprises (east, its town, west twice) and three items of three departments, matched."""
    world = lib.world
    town = Region.objects.create(
        code="339902001", name="东湖街道", level=Region.Level.TOWN, parent=world.east
    )
    ent_c = Enterprise.objects.create(
        uscc=make_uscc("339902"), name="东湖精工有限公司", scale="small", region=town
    )
    ent_d = Enterprise.objects.create(
        uscc=make_uscc("339903"), name="西江新材有限公司", scale="small", region=world.west
    )
    CreditEntry.objects.create(
        credit_list=_serious_list(),
        uscc=ent_c.uscc,
        name=ent_c.name,
        enterprise=ent_c,
        reason="拖欠工资",
        decision_no="青人社罚〔2026〕3号",
        decided_on=dt.date(2026, 5, 1),
        display_until=dt.date(2027, 5, 1),
    )
    # hr: small ones, not on the serious list: ent_a (east) and ent_d (west) eligible, ent_c (town) blocked.
    hr = lib.item(conditions=[("scale", "scale_in", "小型"), ("credit", "credit_not_on", "serious")])
    # hr's unit: 10 employees or more: ent_a eligible, the others undetermined (no figure on file).
    unit = lib.item(name="就业见习补贴", conditions=[("employees", "gte", "10")])
    PolicyItem.objects.filter(pk=unit.pk).update(department=world.hr_unit)
    # land: medium ones: ent_b (west) eligible.
    land = lib.item(name="用地保障奖励", conditions=[("scale", "scale_in", "中型")])
    PolicyItem.objects.filter(pk=land.pk).update(department=world.land)
    lib.attr(world.ent_a, "employees", "50")
    matching.run(push=False)
    return {"hr": hr, "unit": unit, "land": land, "ent_c": ent_c, "ent_d": ent_d}


def counts(user) -> dict[str, tuple[int, int, int]]:
    return {
        r["item"].name: (r["eligible"], r["undetermined"], r["blocked"]) for r in selectors.item_figures(user)
    }


def test_each_office_and_department_sees_its_own_counts(world, figures):
    officer = User.objects.create_user(username="fwg", password="x", role=Role.OFFICER, region=world.city)
    hr, unit, land = figures["hr"].name, figures["unit"].name, figures["land"].name
    assert counts(world.dispatcher_east) == {hr: (1, 0, 1), unit: (1, 1, 0)}  # the district and its town
    assert counts(world.dispatcher_west) == {hr: (1, 0, 0), unit: (0, 2, 0), land: (1, 0, 0)}
    city = {hr: (2, 0, 1), unit: (1, 3, 0), land: (1, 0, 0)}
    assert counts(world.dispatcher) == city and counts(world.leader) == city  # the sum of its districts
    assert counts(world.handler_hr) == {hr: (2, 0, 1)}  # its own items only, every region
    assert counts(world.handler_hr_unit) == {unit: (1, 3, 0)}
    assert counts(world.head_hr) == {hr: (2, 0, 1), unit: (1, 3, 0)}  # its department's subtree
    assert counts(world.handler_land) == {land: (1, 0, 0)}
    for user in (world.ent_user_a, officer, world.auditor):
        assert selectors.item_figures(user) == []
    # The page and the API show the blocked column.
    page = client_for(world.dispatcher_east).get("/policies/figures/").content.decode()
    assert "<th>信用受限</th>" in page
    rows = {r["item"]: r for r in api(world, world.dispatcher_east, "get", "/figures").json()}
    assert (rows[hr]["eligible"], rows[hr]["blocked"]) == (1, 1)
    assert api(world, world.ent_user_a, "get", "/figures").json() == []


def test_the_counts_are_the_group_by_of_the_matches(figures):
    assert stored() == grouped() and len(stored()) == 7


def test_the_nightly_job_heals_an_enterprise_that_moved_region(world, figures):
    hr = figures["hr"].name
    Enterprise.objects.filter(pk=figures["ent_d"].pk).update(region=world.east)
    assert counts(world.dispatcher_east)[hr] == (1, 0, 1)  # still counted where it was
    run_periodic(rebuild_policy_tallies)
    assert counts(world.dispatcher_east)[hr] == (2, 0, 1)
    assert hr not in counts(world.dispatcher_west)
    assert stored() == grouped()


def test_rebuild_of_some_items_replaces_only_theirs_and_the_command_prints_its_line(world, figures, capsys):
    hr, unit = figures["hr"], figures["unit"]
    MatchTally.objects.filter(item__in=[hr, unit]).update(eligible=99)
    assert tallies.rebuild([hr.pk]) == {"items": 1, "rows": 3}  # east, east's town (blocked), west
    assert MatchTally.objects.filter(item=unit, eligible=99).exists()
    assert not MatchTally.objects.filter(item=hr, eligible=99).exists()
    call_command("rebuild_policy_tallies", "--item", str(unit.pk))
    assert capsys.readouterr().out.strip().splitlines()[-1] == "items=1 rows=3"
    call_command("rebuild_policy_tallies")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "items=3 rows=7"
    assert stored() == grouped()


def test_the_figures_page_pages_fifty_items_with_totals_over_all_and_finds_by_name(lib, clock):
    world = lib.world
    for i in range(55):
        lib.item(name=f"批量事项{i:02d}", conditions=[("scale", "scale_in", "小型")])
    lib.item(name="稳岗返还", conditions=[("scale", "scale_in", "小型")])
    matching.run(push=False)
    client = client_for(world.dispatcher)
    first = client.get("/policies/figures/").content.decode()
    assert "合计（56 项）" in first and "第 1/2 页" in first
    assert first.count("批量事项") == 50
    second = client.get("/policies/figures/?page=2").content.decode()
    assert second.count("批量事项") == 5 and "稳岗返还" in second
    found = client.get("/policies/figures/?q=稳岗").content.decode()
    assert "合计（1 项）" in found and "批量事项" not in found and "稳岗返还" in found
    assert client.get("/policies/figures/?page=x").status_code == 200  # a bad page number: the first page
