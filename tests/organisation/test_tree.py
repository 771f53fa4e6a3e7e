"""Regions and departments are trees with a materialised path: containment in both directions, in Python and
in SQL, and a moved node carries its subtree."""

import pytest

from qinqing.organisation.models import Department, Region, containing, within
from qinqing.organisation.selectors import ancestor_ids, departments_in_reach

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns(world):
    world.east_town = Region.objects.create(
        code="339902001", name="东城街道", level=Region.Level.TOWN, parent=world.east
    )
    return world


def test_paths_are_the_ancestor_chain(towns):
    w = towns
    assert w.city.path == f"/{w.city.pk}/"
    assert w.east_town.path == f"/{w.city.pk}/{w.east.pk}/{w.east_town.pk}/"
    assert w.east_town.ancestor_ids() == [w.city.pk, w.east.pk, w.east_town.pk]
    assert ancestor_ids(w.east) == [w.city.pk, w.east.pk]


def test_is_within_and_contains_go_down_only(towns):
    w = towns
    assert w.east_town.is_within(w.east) and w.east_town.is_within(w.city)
    assert w.east.is_within(w.east)
    assert not w.east.is_within(w.east_town)
    assert not w.east_town.is_within(w.west)
    assert w.city.contains(w.east_town) and not w.west.contains(w.east_town)
    assert w.east.related(w.east_town) and w.east_town.related(w.city)
    assert not w.east.related(w.west)


def test_within_selects_the_subtree_and_containing_the_ancestors(towns):
    w = towns
    assert set(Region.objects.within(w.east)) == {w.east, w.east_town}
    assert set(Region.objects.within(w.city)) == {w.city, w.east, w.west, w.east_town}
    assert set(Region.objects.filter(within(w.west))) == {w.west}
    assert set(Region.objects.containing(w.east_town)) == {w.city, w.east, w.east_town}
    assert set(Region.objects.filter(containing(w.west))) == {w.city, w.west}
    assert list(w.east.subtree()) == list(Region.objects.within(w.east))


def test_within_and_containing_follow_a_relation(towns):
    w = towns
    from qinqing.enterprises.models import Enterprise

    assert set(Enterprise.objects.filter(within(w.east, "region"))) == {w.ent_a}
    assert set(Enterprise.objects.filter(within(w.city, "region"))) == {w.ent_a, w.ent_b}
    assert not Enterprise.objects.filter(within(w.east_town, "region")).exists()
    assert set(Department.objects.filter(containing(w.east, "region"))) >= {w.hr, w.power}


def test_departments_nest_like_regions(world):
    w = world
    assert w.hr_unit.is_within(w.hr) and not w.hr.is_within(w.hr_unit)
    assert set(Department.objects.within(w.hr)) == {w.hr, w.hr_unit}
    assert set(Department.objects.containing(w.hr_unit)) == {w.hr, w.hr_unit}
    assert not w.land.is_within(w.hr)


def test_moving_a_node_moves_its_subtree(towns):
    w = towns
    w.east.parent = w.west
    w.east.save()
    w.east_town.refresh_from_db()
    assert w.east_town.path == f"/{w.city.pk}/{w.west.pk}/{w.east.pk}/{w.east_town.pk}/"
    assert w.east_town.is_within(w.west)
    assert set(Region.objects.within(w.west)) == {w.west, w.east, w.east_town}


def test_saving_without_moving_keeps_the_path(towns):
    w = towns
    before = w.east_town.path
    w.east_town.name = "东城街道（新）"
    w.east_town.save()
    w.east_town.refresh_from_db()
    assert w.east_town.path == before


def test_departments_in_reach_are_above_or_below_but_never_an_office_or_inactive(world):
    w = world
    east_bureau = Department.objects.create(name="东城区人社局", region=w.east)
    west_bureau = Department.objects.create(name="西江区人社局", region=w.west)
    gone = Department.objects.create(name="撤并的局", region=w.east, active=False)
    east_office = Department.objects.create(name="东城营商办", region=w.east, kind=Department.Kind.OFFICE)
    reach = set(departments_in_reach(w.east))
    assert {w.hr, w.power, w.land, east_bureau} <= reach
    assert (
        west_bureau not in reach and gone not in reach and east_office not in reach and w.office not in reach
    )
    assert west_bureau in set(departments_in_reach(w.city))


def test_names_read_as_people_say_them(world):
    assert str(world.east) == "东城区"
    short = Department.objects.create(name="青川市市场监督管理局", short_name="市监局", region=world.city)
    assert str(short) == "市监局" and str(world.hr) == "市人社局"


def test_a_department_name_is_unique_within_its_region(world):
    from django.db import IntegrityError, transaction

    Department.objects.create(name="市人社局", region=world.east)  # another region: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(name="市人社局", region=world.city)


def test_tree_scoping_is_spelled_in_one_place():
    """Region and department scoping goes through organisation.models.within/containing; no module spells the
    materialised-path prefix itself (it did ~60 times once). A request's URL path is another matter."""
    import re
    from pathlib import Path

    import qinqing

    root = Path(qinqing.__file__).parent
    prefix = re.compile(r"path__startswith|(?<!request)\.path\.startswith\(")
    spelled = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "migrations" not in p.parts
        and p != root / "organisation" / "models.py"
        and prefix.search(p.read_text(encoding="utf-8"))
    ]
    assert spelled == []
