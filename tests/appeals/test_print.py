"""交办单 and 答复函: printable for those who may see the appeal, and no one else; the 交办单 masks the contact's
number as the page does, the 答复函 carries none."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _get(user, url):
    c = Client()
    c.force_login(user)
    return c.get(url)


def test_the_assignment_sheet_carries_the_case_and_a_place_for_the_seal(world, clock):
    appeal = world.assigned()
    r = _get(world.dispatcher, f"/appeals/{appeal.number}/print/assignment/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "营商环境诉求交办单" in html
    for text in (appeal.number, "市人社局", "市自然资源局", "2026年11月16日", appeal.content, "盖章"):
        assert text in html
    assert "138****0001" in html and "13800000001" not in html
    # Paper only: the site's header and menu are not on it; a print stylesheet and the 打印 button are.
    assert "<nav>" not in html and 'class="top"' not in html
    assert "qinqing/print.css" in html and "data-print" in html
    assert "<script>" not in html  # the CSP allows no inline script: the button is wired by forms.js
    # The departments the appeal went to print it too.
    assert _get(world.handler_hr, f"/appeals/{appeal.number}/print/assignment/").status_code == 200
    assert _get(world.handler_land, f"/appeals/{appeal.number}/print/assignment/").status_code == 200


def test_the_assignment_sheet_is_refused_to_those_who_may_not_see_it(world, clock):
    appeal = world.assigned()
    url = f"/appeals/{appeal.number}/print/assignment/"
    for user in (world.dispatcher_west, world.handler_power, world.ent_user_b, world.auditor):
        assert _get(user, url).status_code == 404, user
    # An internal paper: not for the enterprise, whose appeal it is.
    assert _get(world.ent_user_a, url).status_code == 404
    # Nothing to print before the assignment.
    fresh = world.submit()
    assert _get(world.dispatcher, f"/appeals/{fresh.number}/print/assignment/").status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the login


def test_the_reply_letter_once_replied_and_the_enterprise_prints_its_own(world, clock):
    appeal = world.in_progress()
    url = f"/appeals/{appeal.number}/print/reply/"
    assert _get(world.ent_user_a, url).status_code == 404
    assert _get(world.dispatcher, url).status_code == 404
    world.replied()  # another appeal; this one is replied next
    from qinqing.appeals import services

    services.reply_to_appeal(
        appeal=appeal, by=world.handler_hr, measures="组织专场招聘会", result="已招到45人"
    )
    r = _get(world.ent_user_a, url)
    assert r.status_code == 200
    html = r.content.decode()
    for text in (
        "答复函",
        appeal.number,
        "东城恒信机械有限公司",
        "组织专场招聘会",
        "已招到45人",
        "市人社局",
        "盖章",
    ):
        assert text in html
    # A letter to the enterprise carries no personal number at all.
    office = _get(world.dispatcher, url).content.decode()
    assert "13800000001" not in html and "13800000001" not in office
    for user in (world.ent_user_b, world.dispatcher_west, world.handler_power):
        assert _get(user, url).status_code == 404


def test_the_detail_page_offers_what_can_be_printed(world, clock):
    appeal = world.replied()
    html = _get(world.dispatcher, f"/appeals/{appeal.number}/").content.decode()
    assert (
        f"/appeals/{appeal.number}/print/assignment/" in html
        and f"/appeals/{appeal.number}/print/reply/" in html
    )
    html = _get(world.ent_user_a, f"/appeals/{appeal.number}/").content.decode()
    assert f"/appeals/{appeal.number}/print/reply/" in html
    assert "/print/assignment/" not in html
    fresh = world.submit()
    html = _get(world.dispatcher, f"/appeals/{fresh.number}/").content.decode()
    assert "/print/" not in html


def test_the_print_stylesheet_prints_a4_without_the_tools():
    from pathlib import Path

    import qinqing

    css = (Path(qinqing.__file__).parent / "static/qinqing/print.css").read_text()
    assert "@page { size: A4" in css
    assert "@media print" in css and ".paper-tools { display: none" in css
