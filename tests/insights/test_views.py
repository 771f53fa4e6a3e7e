"""The insights pages: common issues (candidates, confirmation, joint answer), flagged replies and links, each
allowed case with its refused twin; the page refuses what the API refuses, in Chinese, and hides what the user
may not see behind a 404."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Status
from qinqing.insights import services as insights_services
from qinqing.insights.models import AppealLink, CommonIssue
from qinqing.insights.tasks import analyse_new_appeals
from tests.worker import run_periodic, run_worker

pytestmark = pytest.mark.django_db

ROAD = [
    ("园区道路破损严重货车无法通行", "开发区创业路路面大面积破损，货车无法通行，请尽快修复创业路路面"),
    ("创业路路面破损影响物流", "开发区创业路路面破损坑洼，物流货车无法通行，请求修复创业路路面"),
    ("创业路坑洼货车难行", "开发区创业路路面坑洼破损，货车通行困难，请修复路面"),
]


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def road(world, clock):
    users = [world.ent_user_a, world.ent_user_b, world.ent_user_a]
    appeals = [world.submit(title=t, content=c, by=u) for u, (t, c) in zip(users, ROAD, strict=True)]
    for i in range(4):
        world.submit(title=f"其他诉求{i}", content=f"完全不同的问题编号{i}：申请稳岗补贴一直没有到账{i}")
    run_periodic(analyse_new_appeals)
    return appeals


def confirm(world, members, **kw):
    data = {"title": "创业路路面破损", "lead": world.land.pk, "appeals": [a.number for a in members]}
    data.update(kw)
    return client(world.dispatcher).post("/insights/common/confirm/", data)


# --- the common-issues page ----------------------------------------------------------------------------


def test_the_dispatcher_sees_candidates_with_a_confirmation_form(world, road):
    page = client(world.dispatcher).get("/insights/common/", {"start": "2026-11-01", "end": "2026-11-30"})
    html = page.content.decode()
    assert page.status_code == 200
    assert all(a.number in html for a in road)
    assert 'action="/insights/common/confirm/"' in html and 'name="lead"' in html
    assert world.land.name in html


def test_members_are_proposed_unticked_and_each_says_what_confirming_does(world, road):
    html = client(world.dispatcher).get("/insights/common/", {"start": "2026-11-01", "end": "2026-11-30"})
    html = html.content.decode()
    boxes = re.findall(r'<input type="checkbox" name="appeals"[^>]*>', html)
    assert len(boxes) == 3 and not any("checked" in b for b in boxes)
    assert html.count("待受理：确认后分派给所选牵头单位（及配合单位）办理") == 3


def test_confirming_members_in_every_state_does_what_the_page_said(world, road, clock):
    waiting, working, done = road
    appeal_services.assign_appeal(appeal=working, by=world.dispatcher, lead=world.hr, co=[])
    appeal_services.sign_appeal(appeal=working, by=world.handler_hr)
    appeal_services.assign_appeal(appeal=done, by=world.dispatcher, lead=world.hr, co=[])
    appeal_services.sign_appeal(appeal=done, by=world.handler_hr)
    appeal_services.reply_to_appeal(appeal=done, by=world.handler_hr, measures="已修复", result="路面已修复")
    appeal_services.rate_appeal(
        appeal=done, by=world.ent_user_a, satisfaction="satisfied", resolved=True, comment=""
    )
    fates = {
        m["number"]: m["fate"]
        for g in insights_services.candidate_groups(
            world.dispatcher, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)
        )
        for m in g["members"]
    }
    assert fates[waiting.number].startswith("待受理：确认后分派给所选牵头单位")
    assert fates[working.number].startswith("办理中：保留原主办单位和办理时限")
    assert fates[done.number].startswith("已办结：仅关联到本共性问题")
    events = {a.pk: a.events.count() for a in road}
    r = confirm(world, road)
    assert said(r) == [
        f"已确认共性问题“创业路路面破损”，涉及 3 件诉求：1 件待受理的已分派给{world.land.name}；"
        "1 件在办的保留原主办单位，已在办理记录中注明；1 件已办结的仅作关联"
    ]
    for a in road:
        a.refresh_from_db()
    assert waiting.status == Status.ASSIGNED and waiting.lead_department == world.land
    assert working.status == Status.IN_PROGRESS and working.lead_department == world.hr
    assert working.events.count() == events[working.pk] + 1 and "已纳入共性问题" in working.events.last().note
    assert done.status == Status.CLOSED and done.events.count() == events[done.pk]
    assert CommonIssue.objects.get().members.count() == 3


def test_a_leader_sees_candidates_but_no_form(world, road):
    html = client(world.leader).get("/insights/common/", {"start": "2026-11-01", "end": "2026-11-30"}).content
    html = html.decode()
    assert all(a.number in html for a in road)
    assert 'action="/insights/common/confirm/"' not in html


def test_another_district_sees_none_of_these_candidates(world, road):
    html = client(world.dispatcher_west).get("/insights/common/", {"start": "2026-11-01"}).content.decode()
    assert all(a.number not in html for a in road)


def test_a_department_sees_its_confirmed_issues_but_no_candidates(world, road):
    confirm(world, road)
    html = client(world.handler_land).get("/insights/common/").content.decode()
    assert "创业路路面破损" in html and "候选分组" not in html
    assert "创业路路面破损" not in client(world.handler_power).get("/insights/common/").content.decode()


def test_backwards_dates_are_refused_in_chinese(world, road):
    r = client(world.dispatcher).get("/insights/common/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert r.status_code == 200 and "开始日期不能晚于结束日期" in said(r)
    assert "所选时间内没有发现跨企业的共性问题" in r.content.decode()


def test_bad_dates_fall_back_to_the_last_thirty_days(world, road):
    r = client(world.dispatcher).get("/insights/common/", {"start": "昨天", "end": "2026-13-45"})
    assert r.status_code == 200 and "2026-10-17 至 2026-11-16" in r.content.decode()


@pytest.mark.parametrize("who", ["ent_user_a", "sysadmin", "auditor"])
def test_others_do_not_find_the_page(world, who):
    assert client(getattr(world, who)).get("/insights/common/").status_code == 404


# --- confirming an issue -------------------------------------------------------------------------------


def test_confirming_makes_an_issue_and_assigns_its_members(world, road):
    r = confirm(world, road, co=[world.power.pk], keywords="创业路 路面", summary="三家反映")
    issue = CommonIssue.objects.get()
    assert r.status_code == 302 and r.url == f"/insights/common/{issue.pk}/"
    assert said(r) == [
        f"已确认共性问题“创业路路面破损”，涉及 3 件诉求：3 件待受理的已分派给{world.land.name}；"
        "0 件在办的保留原主办单位，已在办理记录中注明；0 件已办结的仅作关联"
    ]
    assert issue.keywords == "创业路 路面" and issue.summary == "三家反映"
    assert list(issue.co_departments.all()) == [world.power]
    for a in road:
        a.refresh_from_db()
        assert a.status == Status.ASSIGNED and a.lead_department == world.land


def test_lower_case_numbers_are_accepted_as_the_api_does(world, road):
    confirm(world, road, appeals=[a.number.lower() for a in road])
    assert CommonIssue.objects.get().members.count() == 3


def test_confirming_without_a_lead_is_refused_in_chinese(world, road):
    r = confirm(world, road, lead="")
    assert r.status_code == 302 and r.url == "/insights/common/"
    assert any("牵头单位" in m and "必填" in m for m in said(r))
    assert not CommonIssue.objects.exists()


def test_a_lead_out_of_reach_or_not_a_number_is_refused(world, road):
    from qinqing.organisation.models import Department

    far = Department.objects.create(name="西江区住建局", region=world.west)
    r = client(world.dispatcher_east).post(
        "/insights/common/confirm/",
        {"title": "t", "lead": far.pk, "appeals": [a.number for a in road]},
    )
    assert any("不在您的管辖范围内" in m for m in said(r))
    r = confirm(world, road, lead="abc")
    assert any("牵头单位" in m and "整数" in m for m in said(r))
    r = confirm(world, road, co=["x"])
    assert any("配合单位" in m for m in said(r))
    assert not CommonIssue.objects.exists()


def test_one_appeal_or_no_title_is_not_an_issue(world, road):
    r = confirm(world, road[:1])
    assert any("两件" in m for m in said(r))
    r = confirm(world, road, title="  ")
    assert any("问题概括" in m for m in said(r))
    assert not CommonIssue.objects.exists()


def test_an_appeal_the_dispatcher_cannot_see_is_a_404(world, road):
    r = client(world.dispatcher_east).post(
        "/insights/common/confirm/",
        {"title": "t", "lead": world.land.pk, "appeals": [a.number for a in road]},
    )
    assert r.status_code == 404
    assert not CommonIssue.objects.exists()


def test_only_the_dispatcher_confirms(world, road):
    r = client(world.leader).post(
        "/insights/common/confirm/",
        {"title": "t", "lead": world.land.pk, "appeals": [a.number for a in road]},
    )
    assert "只有营商办调度员可以确认共性问题" in said(r)
    r = client(world.handler_land).post(
        "/insights/common/confirm/",
        {"title": "t", "lead": world.land.pk, "appeals": [a.number for a in road]},
    )
    assert "只有营商办调度员可以确认共性问题" in said(r)
    assert not CommonIssue.objects.exists()


def test_confirming_is_a_post(world, road):
    assert client(world.dispatcher).get("/insights/common/confirm/").status_code == 405


# --- an issue's page and its joint answer --------------------------------------------------------------


@pytest.fixture
def issue(world, road):
    confirm(world, road, co=[world.power.pk])
    return CommonIssue.objects.get()


def test_the_lead_sees_the_answer_form_and_answers_once(world, road, issue):
    c = client(world.handler_land)
    html = c.get(f"/insights/common/{issue.pk}/").content.decode()
    assert "统一答复</button>" in html and all(a.number in html for a in road)
    r = c.post(
        f"/insights/common/{issue.pk}/", {"measures": "列入道路维修计划", "result": "已完成创业路路面修复"}
    )
    assert r.status_code == 302
    assert "已统一答复：3 件诉求已答复企业，0 件通知了其主办单位" in said(r)
    issue.refresh_from_db()
    assert issue.status == CommonIssue.Status.SOLVED
    html = c.get(f"/insights/common/{issue.pk}/").content.decode()
    assert "统一答复</button>" not in html and "已完成创业路路面修复" in html
    again = c.post(f"/insights/common/{issue.pk}/", {"measures": "x", "result": "y"})
    assert "该共性问题已统一答复" in said(again)


def test_an_empty_answer_is_refused_and_changes_nothing(world, issue):
    c = client(world.handler_land)
    r = c.post(f"/insights/common/{issue.pk}/", {"measures": "", "result": ""})
    assert any("请填写采取的措施和办理结果" in m for m in said(r))
    r = c.post(f"/insights/common/{issue.pk}/", {})
    assert any("必填" in m for m in said(r))
    r = c.post(f"/insights/common/{issue.pk}/", {"measures": "长" * 5001, "result": "y"})
    assert any("5000" in m for m in said(r))
    issue.refresh_from_db()
    assert issue.status == CommonIssue.Status.OPEN


def test_a_co_department_sees_the_issue_but_cannot_answer(world, issue):
    c = client(world.handler_power)
    html = c.get(f"/insights/common/{issue.pk}/").content.decode()
    assert "创业路路面破损" in html and "统一答复</button>" not in html
    r = c.post(f"/insights/common/{issue.pk}/", {"measures": "x", "result": "y"})
    assert "只有牵头单位可以统一答复共性问题" in said(r)
    issue.refresh_from_db()
    assert issue.status == CommonIssue.Status.OPEN


@pytest.mark.parametrize("who", ["ent_user_a", "handler_hr", "dispatcher_west", "auditor"])
def test_an_issue_one_may_not_see_is_a_404_to_read_and_to_answer(world, issue, who):
    c = client(getattr(world, who))
    assert c.get(f"/insights/common/{issue.pk}/").status_code == 404
    assert c.post(f"/insights/common/{issue.pk}/", {"measures": "x", "result": "y"}).status_code == 404
    assert c.get("/insights/common/999999/").status_code == 404


# --- flagged replies -----------------------------------------------------------------------------------


def test_the_head_lists_weak_replies_and_others_do_not_find_the_page(world, clock):
    weak = world.in_progress()
    appeal_services.reply_to_appeal(appeal=weak, by=world.handler_hr, measures="已处理", result="好的")
    run_worker()
    html = client(world.head_hr).get("/insights/replies/").content.decode()
    assert weak.number in html
    assert weak.number in client(world.dispatcher).get("/insights/replies/").content.decode()
    assert weak.number not in client(world.dispatcher_west).get("/insights/replies/").content.decode()
    for who in (world.handler_hr, world.ent_user_a, world.auditor):
        assert client(who).get("/insights/replies/").status_code == 404


# --- links ---------------------------------------------------------------------------------------------


def test_the_dispatcher_links_two_appeals_once(world, clock):
    a, b = world.assigned(), world.assigned(title="又缺人", by=world.ent_user_b)
    c = client(world.dispatcher)
    r = c.post(f"/insights/link/{a.number}/", {"related": b.number.lower()})
    assert r.status_code == 302 and r.url == f"/appeals/{a.number}/"
    assert f"已关联 {b.number}" in said(r)
    c.post(f"/insights/link/{a.number}/", {"related": b.number})
    assert AppealLink.objects.filter(appeal=a, related=b).count() == 1


def test_linking_is_refused_in_chinese_to_others_and_to_nonsense(world, clock):
    a, b = world.assigned(), world.assigned(title="又缺人", by=world.ent_user_b)
    r = client(world.leader).post(f"/insights/link/{a.number}/", {"related": b.number})
    assert "只有营商办调度员可以关联诉求" in said(r)
    r = client(world.dispatcher).post(f"/insights/link/{a.number}/", {"related": a.number})
    assert "不能关联诉求本身" in said(r)
    r = client(world.dispatcher).post(f"/insights/link/{a.number}/", {})
    assert any("相似诉求" in m and "必填" in m for m in said(r))
    assert not AppealLink.objects.exists()


def test_linking_an_appeal_one_may_not_see_is_a_404(world, clock):
    a, b = world.assigned(), world.assigned(title="又缺人", by=world.ent_user_b)
    assert (
        client(world.dispatcher_east).post(f"/insights/link/{a.number}/", {"related": b.number}).status_code
        == 404
    )
    assert (
        client(world.dispatcher_west).post(f"/insights/link/{a.number}/", {"related": b.number}).status_code
        == 404
    )
    assert (
        client(world.dispatcher).post(f"/insights/link/{a.number}/", {"related": "QQ-NONE"}).status_code
        == 404
    )
    assert client(world.dispatcher).get(f"/insights/link/{a.number}/").status_code == 405
    assert not AppealLink.objects.exists()


# --- partials the pages fetch with htmx ------------------------------------------------------------------


def test_the_similar_panel_shows_the_enterprises_own_similar_appeals(world, road):
    r = client(world.ent_user_a).get(
        "/insights/similar/", {"title": "创业路路面破损", "content": "货车无法通行，请修复创业路路面"}
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'id="similar-live"' in html and " hidden" not in html.split(">")[0]
    assert road[0].number in html and road[2].number in html
    assert road[1].number not in html  # another enterprise's appeal


def test_the_similar_panel_stays_hidden_for_short_or_unlike_text(world, road):
    html = client(world.ent_user_a).get("/insights/similar/", {"title": "路", "content": ""}).content.decode()
    assert " hidden" in html.split(">")[0] and "<li>" not in html
    html = (
        client(world.ent_user_b)
        .get("/insights/similar/", {"title": "完全无关的内容描述文字"})
        .content.decode()
    )
    assert road[0].number not in html


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_the_similar_panel_is_not_for_administrators(world, road, who):
    r = client(getattr(world, who)).get("/insights/similar/", {"title": "创业路路面破损货车无法通行"})
    assert r.status_code == 404


def test_the_reply_check_scores_a_draft_without_saving_it(world, clock):
    a = world.in_progress()
    c = client(world.handler_hr)
    r = c.post(f"/insights/reply-check/{a.number}/", {"measures": "已处理", "result": "好的"})
    html = r.content.decode()
    assert r.status_code == 200 and "<b>得分" in html and "建议修改后再答复" in html
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS and not a.reply_result


def test_the_reply_check_refuses_in_chinese_and_hides_what_one_may_not_see(world, clock):
    a = world.in_progress()
    r = client(world.handler_hr).post(f"/insights/reply-check/{a.number}/", {"measures": "", "result": " "})
    assert r.status_code == 200 and "请先填写答复内容" in r.content.decode()
    r = client(world.handler_hr).post(f"/insights/reply-check/{a.number}/", {"measures": "长" * 5001})
    assert "5000" in r.content.decode() and "<b>" not in r.content.decode()
    r = client(world.ent_user_a).post(f"/insights/reply-check/{a.number}/", {"measures": "x", "result": "y"})
    assert "只有办理部门或营商办可以检查答复" in r.content.decode()
    for who in (world.ent_user_b, world.handler_power, world.dispatcher_west):
        r = client(who).post(f"/insights/reply-check/{a.number}/", {"measures": "x", "result": "y"})
        assert r.status_code == 404
    assert client(world.handler_hr).get(f"/insights/reply-check/{a.number}/").status_code == 405


def test_pages_load_htmx_from_our_own_static_files(world, clock):
    html = client(world.handler_hr).get("/appeals/").content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html
    a = world.in_progress()
    html = client(world.handler_hr).get(f"/appeals/{a.number}/").content.decode()
    assert f'hx-post="/insights/reply-check/{a.number}/"' in html
    html = client(world.ent_user_a).get("/appeals/new/").content.decode()
    assert 'hx-get="/insights/similar/"' in html and 'id="similar-live"' in html
