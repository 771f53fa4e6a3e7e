"""Pages: each role's view, actions through forms, denials, and bounded query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinqing.appeals import services
from qinqing.appeals.models import Appeal, Status

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_are_closed_by_default(world):
    r = Client().get("/appeals/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_login_page_in_chinese_and_login_works(world):
    c = Client()
    assert "登录" in c.get("/login/").content.decode()
    r = c.post("/login/", {"username": "ent_a", "password": "pw-qinqing-1"})
    assert r.status_code == 302
    r = c.post("/login/", {"username": "ent_a", "password": "wrong"})
    assert "用户名或密码不正确" in r.content.decode()


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("ent_user_a", "/appeals/"),
        ("dispatcher", "/appeals/"),
        ("handler_hr", "/appeals/"),
        ("auditor", "/audit/"),
        ("sysadmin", "/admin/"),
    ],
)
def test_home_sends_each_role_to_its_workspace(world, user, target):
    r = client_for(getattr(world, user)).get("/")
    assert r.status_code == 302 and r.url == target


def test_enterprise_submits_through_the_form_once(world, clock):
    c = client_for(world.ent_user_a)
    form = c.get("/appeals/new/").content.decode()
    assert "我要提诉求" in form
    data = {
        "title": "用电增容",
        "content": "新生产线需要增容",
        "category": world.power_cat.code,
        "urgency": "normal",
        "idempotency_key": "abc123",
    }
    r1 = c.post("/appeals/new/", data)
    r2 = c.post("/appeals/new/", data)  # a double click
    assert r1.status_code == r2.status_code == 302
    assert Appeal.objects.count() == 1
    assert r1.url == r2.url


def test_submit_form_shows_field_errors_and_keeps_nothing(world, clock):
    c = client_for(world.ent_user_a)
    r = c.post("/appeals/new/", {"title": "", "content": "", "category": 99999, "idempotency_key": "k"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "这个字段是必填项" in html or "必填" in html
    assert Appeal.objects.count() == 0


def test_submit_form_refuses_large_file_with_message(world, clock, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    c = client_for(world.ent_user_a)
    big = SimpleUploadedFile("图.png", b"0" * 4096, content_type="image/png")
    r = c.post(
        "/appeals/new/",
        {
            "title": "t",
            "content": "c",
            "category": world.labour.code,
            "urgency": "normal",
            "idempotency_key": "k2",
            "attachments": big,
        },
    )
    assert r.status_code == 200
    assert "超过 0 MB" in r.content.decode() or "超过" in r.content.decode()
    assert Appeal.objects.count() == 0


def test_handler_cannot_open_submit_form(world):
    assert client_for(world.handler_hr).get("/appeals/new/").status_code == 404


def test_detail_shows_only_the_actions_of_the_role(world, clock):
    appeal = world.assigned()
    url = f"/appeals/{appeal.number}/"
    hr = client_for(world.handler_hr).get(url).content.decode()
    assert 'id="form-sign"' in hr and "退回营商办" in hr
    land = client_for(world.handler_land).get(url).content.decode()
    assert 'id="form-sign"' not in land and "协办意见" in land
    ent = client_for(world.ent_user_a).get(url).content.decode()
    assert 'id="form-sign"' not in ent and "撤回诉求" in ent
    assert "受理并分派" in ent  # the timeline shows the step, but no form
    assert 'id="form-assign"' not in ent


def test_actions_through_forms_and_timeline(world, clock):
    appeal = world.submit()
    disp = client_for(world.dispatcher)
    r = disp.post(
        f"/appeals/{appeal.number}/act/assign/",
        {"lead": world.hr.pk, "co": [world.land.pk], "handle_days": "10"},
    )
    assert r.status_code == 302
    client_for(world.handler_hr).post(f"/appeals/{appeal.number}/act/sign/")
    client_for(world.handler_hr).post(
        f"/appeals/{appeal.number}/act/reply/", {"measures": "m", "result": "r"}
    )
    client_for(world.ent_user_a).post(
        f"/appeals/{appeal.number}/act/rate/", {"satisfaction": "satisfied", "resolved": "1"}
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    html = client_for(world.ent_user_a).get(f"/appeals/{appeal.number}/").content.decode()
    for step in ("提交诉求", "受理并分派", "签收", "答复", "评价"):
        assert step in html


def test_refused_form_action_shows_message_and_changes_nothing(world, clock):
    appeal = world.in_progress()
    c = client_for(world.handler_hr)
    r = c.post(f"/appeals/{appeal.number}/act/reply/", {"measures": "", "result": ""}, follow=True)
    assert "请填写采取的措施" in r.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS
    r = c.post(
        f"/appeals/{appeal.number}/act/request_extension/", {"days": "abc", "reason": "r"}, follow=True
    )
    assert "延期天数：应为整数" in r.content.decode()


def test_unknown_action_is_404(world, clock):
    appeal = world.submit()
    assert client_for(world.dispatcher).post(f"/appeals/{appeal.number}/act/teleport/").status_code == 404


class TestPageDenials:
    def test_other_enterprise_gets_404_on_detail_action_and_attachment(
        self, world, clock, tmp_path, settings
    ):
        settings.MEDIA_ROOT = tmp_path
        pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
        appeal = world.submit(attachments=[pdf])
        att = appeal.attachments.get()
        b = client_for(world.ent_user_b)
        assert b.get(f"/appeals/{appeal.number}/").status_code == 404
        assert b.post(f"/appeals/{appeal.number}/act/withdraw/", {"reason": "x"}).status_code == 404
        assert b.get(f"/appeals/{appeal.number}/attachments/{att.pk}/").status_code == 404
        assert (
            client_for(world.ent_user_a).get(f"/appeals/{appeal.number}/attachments/{att.pk}/").status_code
            == 200
        )
        appeal.refresh_from_db()
        assert appeal.status == Status.SUBMITTED

    def test_department_not_involved_gets_404(self, world, clock):
        appeal = world.assigned()
        assert client_for(world.handler_power).get(f"/appeals/{appeal.number}/").status_code == 404
        assert client_for(world.handler_power).post(f"/appeals/{appeal.number}/act/sign/").status_code == 404

    def test_dispatcher_of_other_district_gets_404(self, world, clock):
        appeal = world.submit()  # east
        c = client_for(world.dispatcher_west)
        assert c.get(f"/appeals/{appeal.number}/").status_code == 404
        assert c.post(f"/appeals/{appeal.number}/act/assign/", {"lead": world.hr.pk}).status_code == 404
        assert appeal.number not in c.get("/appeals/?tab=all").content.decode()

    def test_auditor_reads_audit_log_but_no_case(self, world, clock):
        appeal = world.submit()
        c = client_for(world.auditor)
        assert appeal.number in c.get("/audit/").content.decode()
        assert c.get(f"/appeals/{appeal.number}/").status_code == 404
        assert c.get("/appeals/").status_code == 404

    def test_non_auditor_cannot_read_audit_log(self, world):
        assert client_for(world.dispatcher).get("/audit/").status_code == 404

    def test_handler_cannot_open_admin(self, world):
        r = client_for(world.handler_hr).get("/admin/")
        assert r.status_code == 302 and "login" in r.url


class TestListFilters:
    def test_dispatcher_filters(self, world, clock):
        a = world.in_progress()
        b = world.submit(by=world.ent_user_b, title="企业门前道路破损")
        c = client_for(world.dispatcher)
        html = c.get("/appeals/?tab=all&status=in_progress").content.decode()
        assert a.number in html and b.number not in html
        html = c.get("/appeals/?tab=all&q=道路破损").content.decode()
        assert b.number in html and a.number not in html
        html = c.get(f"/appeals/?tab=all&department={world.land.pk}").content.decode()  # co-handling counts
        assert a.number in html and b.number not in html
        html = c.get("/appeals/?tab=triage").content.decode()
        assert b.number in html and a.number not in html

    def test_work_queues_list_the_longest_waiting_first(self, world, clock):
        import datetime as dt

        first = world.submit(title="最早提交的诉求")
        clock.shift(dt.timedelta(hours=2))
        second = world.submit(title="随后提交的诉求")
        c = client_for(world.dispatcher)
        triage = c.get("/appeals/?tab=triage").content.decode()
        assert triage.index(first.number) < triage.index(second.number)
        everything = c.get("/appeals/?tab=all").content.decode()  # a record, not a queue: newest first
        assert everything.index(second.number) < everything.index(first.number)

    def test_bad_filter_value_is_a_message_not_a_500(self, world):
        r = client_for(world.dispatcher).get("/appeals/?tab=all&date_from=notadate&category=abc")
        assert r.status_code == 200
        assert "筛选条件有误" in r.content.decode()

    def test_pending_extension_tab(self, world, clock):
        a = world.in_progress()
        services.request_extension(appeal=a, by=world.handler_hr, days=2, reason="r")
        html = client_for(world.dispatcher).get("/appeals/?tab=extensions").content.decode()
        assert a.number in html


def _make_many(world, n):
    for i in range(n):
        appeal = world.submit(by=world.ent_user_a if i % 2 else world.ent_user_b, title=f"诉求{i}")
        if i % 3 == 0:
            services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr, co=[world.land])


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


class TestQueryCounts:
    """List pages and endpoints run a bounded number of queries whatever the page size."""

    def test_list_page_queries_do_not_grow_with_rows(self, world, clock, settings):
        c = client_for(world.dispatcher)
        _make_many(world, 4)
        settings.QINQING_PAGE_SIZE = 4
        small = _count_queries(lambda: c.get("/appeals/?tab=all"))
        _make_many(world, 30)
        settings.QINQING_PAGE_SIZE = 30
        large = _count_queries(lambda: c.get("/appeals/?tab=all"))
        assert large == small
        assert large <= 14

    def test_api_list_queries_do_not_grow_with_page_size(self, world, clock, django_assert_max_num_queries):
        from tests.appeals.test_api import Api

        _make_many(world, 40)
        a = Api(world, world.dispatcher)
        with django_assert_max_num_queries(6):
            r = a.get("/appeals", page_size=5)
        assert len(r.json()["items"]) == 5
        with django_assert_max_num_queries(6):
            r = a.get("/appeals", page_size=40, status="assigned", department=world.hr.pk)
        assert r.json()["count"] == 14

    def test_department_inbox_is_bounded(self, world, clock, django_assert_max_num_queries):
        _make_many(world, 30)
        c = client_for(world.handler_hr)
        with django_assert_max_num_queries(14):
            r = c.get("/appeals/?tab=to_sign")
        assert r.status_code == 200
