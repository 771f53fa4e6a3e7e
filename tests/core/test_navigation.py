"""The menu each role sees, recorded from the hand-written menu of base.html before it became a registry
(core/navigation.py): every role must keep exactly these entries, in this order. And no page's <title> may
carry markup."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from qinqing.accounts.models import Role, User
from qinqing.organisation.models import Department

pytestmark = pytest.mark.django_db

ENTERPRISE = [
    ("/appeals/", "我的诉求"),
    ("/appeals/new/", "我要提诉求"),
    ("/policies/mine/", "可享政策"),
    ("/policies/file/", "企业档案"),
    ("/policies/redemption/", "我的兑现"),
    ("/my-data/", "我的数据"),
    ("/credit/", "我的信用"),
    ("/credit/loans/products/", "信易贷"),
    ("/public/honours/", "红黑榜"),
]
DISPATCHER = [
    ("/appeals/", "调度台"),
    ("/appeals/new/", "代企业登记"),
    ("/insights/common/", "共性问题"),
    ("/insights/replies/", "答复复核"),
    ("/supervision/orders/", "督办"),
    ("/supervision/evaluation/", "部门考评"),
    ("/supervision/weekly/", "每周督办"),
    ("/supervision/honours/", "红黑榜"),
    ("/dashboard/", "驾驶舱"),
    ("/plans/dashboard/", "领导看板"),
    ("/plans/", "行动方案"),
    ("/plans/tasks/", "任务清单"),
    ("/plans/slips/", "任务督办单"),
    ("/plans/rankings/", "任务推进排名"),
    ("/plans/assessment/", "四挂钩考核"),
    ("/indices/", "评价指标"),
    ("/projects/", "重点项目"),
    ("/projects/batches/", "四个一批"),
    ("/policies/figures/", "惠企政策"),
    ("/policies/redemption/queue/", "兑现办理"),
    ("/policies/redemption/figures/", "兑现统计"),
    ("/credit/entries/", "信用名单"),
    ("/credit/requests/", "信用异议与修复"),
    ("/credit/loans/", "信易贷申请"),
    ("/fieldwork/meetings/", "政企活动"),
    ("/fieldwork/reports/officers/", "服务官季报"),
    ("/fieldwork/supervisors/", "特约监督员"),
    ("/fieldwork/contact-points/", "联系点"),
    ("/fieldwork/task-forces/", "专班"),
    ("/signup/requests/", "企业注册审核"),
]
HANDLER = [
    ("/appeals/", "部门收件箱"),
    ("/plans/tasks/", "我的任务"),
    ("/plans/slips/", "任务督办单"),
    ("/indices/mine/", "牵头指标"),
    ("/projects/", "重点项目审批"),
    ("/fieldwork/task-forces/", "专班"),
    ("/policies/figures/", "政策事项"),
    ("/policies/redemption/queue/", "兑现办理"),
    ("/policies/redemption/figures/", "兑现统计"),
    ("/credit/entries/", "信用名单"),
    ("/credit/requests/", "信用异议与修复"),
    ("/insights/common/", "共性问题"),
    ("/supervision/orders/", "督办"),
]
DISCIPLINE_HANDLER = [
    ("/appeals/", "部门收件箱"),
    ("/plans/tasks/", "我的任务"),
    ("/plans/slips/", "任务督办单"),
    ("/indices/mine/", "牵头指标"),
    ("/projects/", "重点项目审批"),
    ("/fieldwork/task-forces/", "专班"),
    ("/policies/figures/", "政策事项"),
    ("/policies/redemption/queue/", "兑现办理"),
    ("/policies/redemption/figures/", "兑现统计"),
    ("/credit/entries/", "信用名单"),
    ("/credit/requests/", "信用异议与修复"),
    ("/fieldwork/clues/", "问题线索"),
    ("/insights/common/", "共性问题"),
    ("/supervision/orders/", "督办"),
]
DEPT_HEAD = [
    ("/appeals/", "部门收件箱"),
    ("/plans/tasks/", "我的任务"),
    ("/plans/slips/", "任务督办单"),
    ("/indices/mine/", "牵头指标"),
    ("/projects/", "重点项目审批"),
    ("/fieldwork/task-forces/", "专班"),
    ("/policies/figures/", "政策事项"),
    ("/policies/redemption/queue/", "兑现办理"),
    ("/policies/redemption/figures/", "兑现统计"),
    ("/credit/entries/", "信用名单"),
    ("/credit/requests/", "信用异议与修复"),
    ("/insights/common/", "共性问题"),
    ("/insights/replies/", "答复复核"),
    ("/supervision/orders/", "督办"),
]
DISCIPLINE_HEAD = [
    ("/appeals/", "部门收件箱"),
    ("/plans/tasks/", "我的任务"),
    ("/plans/slips/", "任务督办单"),
    ("/indices/mine/", "牵头指标"),
    ("/projects/", "重点项目审批"),
    ("/fieldwork/task-forces/", "专班"),
    ("/policies/figures/", "政策事项"),
    ("/policies/redemption/queue/", "兑现办理"),
    ("/policies/redemption/figures/", "兑现统计"),
    ("/credit/entries/", "信用名单"),
    ("/credit/requests/", "信用异议与修复"),
    ("/fieldwork/clues/", "问题线索"),
    ("/insights/common/", "共性问题"),
    ("/insights/replies/", "答复复核"),
    ("/supervision/orders/", "督办"),
]
LEADER = [
    ("/appeals/", "诉求总览"),
    ("/insights/common/", "共性问题"),
    ("/supervision/orders/", "督办"),
    ("/supervision/evaluation/", "部门考评"),
    ("/supervision/weekly/", "每周督办"),
    ("/supervision/honours/", "红黑榜"),
    ("/dashboard/", "驾驶舱"),
    ("/plans/dashboard/", "领导看板"),
    ("/plans/", "行动方案"),
    ("/plans/tasks/", "任务清单"),
    ("/plans/slips/", "任务督办单"),
    ("/plans/rankings/", "任务推进排名"),
    ("/plans/assessment/", "四挂钩考核"),
    ("/indices/", "评价指标"),
    ("/projects/", "重点项目"),
    ("/projects/batches/", "四个一批"),
    ("/policies/figures/", "惠企政策"),
    ("/policies/redemption/queue/", "兑现办理"),
    ("/policies/redemption/figures/", "兑现统计"),
    ("/credit/entries/", "信用名单"),
    ("/credit/requests/", "信用异议与修复"),
    ("/credit/loans/", "信易贷申请"),
    ("/fieldwork/meetings/", "政企活动"),
    ("/fieldwork/linked/", "挂钩企业"),
    ("/fieldwork/reports/officers/", "服务官季报"),
]
OFFICER = [
    ("/fieldwork/officer/", "我的企业"),
    ("/policies/tasks/", "政策任务"),
    ("/policies/matches/", "惠企政策"),
    ("/appeals/", "服务企业诉求"),
    ("/projects/", "我服务的项目"),
    ("/fieldwork/reports/officers/", "工作季报"),
]
SUPERVISOR = [
    ("/fieldwork/supervisor/", "监督员工作台"),
    ("/appeals/", "我登记的诉求"),
    ("/public/honours/", "红黑榜"),
]
AUDITOR = [("/audit/", "审计日志")]
SYSADMIN = [("/admin/", "系统管理")]


def menu_of(user) -> list[tuple[str, str]]:
    request = RequestFactory().get("/")
    request.user = user
    html = render_to_string("base.html", request=request)
    nav = re.search(r"<nav>(.*?)</nav>", html, re.S)
    if nav is None:
        return []
    return [
        (href, label.strip()) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav[1])
    ]


@pytest.fixture
def discipline(world):
    return Department.objects.create(name="市纪委监委", kind=Department.Kind.DISCIPLINE, region=world.city)


def persona(world, discipline, name):
    def user(username, role, **kw):
        return User.objects.create_user(username=username, password="x", role=role, **kw)

    return {
        "enterprise": lambda: world.ent_user_a,
        "dispatcher": lambda: world.dispatcher,
        "handler": lambda: world.handler_hr,
        "discipline_handler": lambda: user("dh", Role.HANDLER, department=discipline),
        "dept_head": lambda: world.head_hr,
        "discipline_head": lambda: user("dd", Role.DEPT_HEAD, department=discipline),
        "leader": lambda: world.leader,
        "officer": lambda: user("officer", Role.OFFICER, region=world.east),
        "supervisor": lambda: user("supervisor", Role.SUPERVISOR, region=world.east),
        "auditor": lambda: world.auditor,
        "sysadmin": lambda: world.sysadmin,
    }[name]()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("enterprise", ENTERPRISE),
        ("dispatcher", DISPATCHER),
        ("handler", HANDLER),
        ("discipline_handler", DISCIPLINE_HANDLER),
        ("dept_head", DEPT_HEAD),
        ("discipline_head", DISCIPLINE_HEAD),
        ("leader", LEADER),
        ("officer", OFFICER),
        ("supervisor", SUPERVISOR),
        ("auditor", AUDITOR),
        ("sysadmin", SYSADMIN),
    ],
)
def test_each_role_sees_exactly_its_menu(world, discipline, name, expected):
    assert menu_of(persona(world, discipline, name)) == expected


def top_level_of(user) -> list[str]:
    """The menu's first level: a link's label, or a group's name followed by ▾."""
    request = RequestFactory().get("/")
    request.user = user
    html = render_to_string("base.html", request=request)
    nav = re.search(r"<nav>(.*?)</nav>", html, re.S)[1]
    nav = re.sub(r'<div class="menu-items">.*?</div>', "", nav, flags=re.S)
    return [
        (label or group + " ▾").strip()
        for label, group in re.findall(r"<a [^>]*>([^<]+)</a>|<summary>([^<]+)</summary>", nav)
    ]


def test_an_office_menu_folds_into_groups_that_fit_one_row(world, discipline):
    assert top_level_of(world.dispatcher) == [
        "调度台",
        "代企业登记",
        "诉求研判 ▾",
        "督查考评 ▾",
        "驾驶舱",
        "任务与项目 ▾",
        "惠企与信用 ▾",
        "政企服务 ▾",
    ]
    # A group a user sees one entry of stays a plain link: a handler's only 督查考评 page is 督办.
    handler = top_level_of(world.handler_hr)
    assert "督办" in handler and "督查考评 ▾" not in handler and "共性问题" in handler
    assert "诉求研判 ▾" in top_level_of(world.head_hr)
    assert top_level_of(world.handler_hr)[:2] == ["部门收件箱", "任务与项目 ▾"]
    # The enterprise's short menu has no groups.
    assert not any(item.endswith("▾") for item in top_level_of(world.ent_user_a))


def test_the_enterprise_entry_to_submit_is_highlighted(world):
    request = RequestFactory().get("/")
    request.user = world.ent_user_a
    html = render_to_string("base.html", request=request)
    assert '<a href="/appeals/new/" class="primary">我要提诉求</a>' in html


def test_signed_out_visitors_see_no_menu(db):
    from django.contrib.auth.models import AnonymousUser

    assert menu_of(AnonymousUser()) == []


TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "qinqing" / "templates"


def test_no_template_puts_markup_in_the_page_title():
    bad = []
    for path in TEMPLATES.rglob("*.html"):
        for block in re.findall(r"{% block title %}(.*?){% endblock", path.read_text(encoding="utf-8"), re.S):
            if "<" in block or "script" in block.lower():
                bad.append(str(path.relative_to(TEMPLATES)))
    assert bad == []


def test_rendered_titles_carry_no_markup(world, clock):
    appeal = world.in_progress()
    pages = {
        world.handler_hr: [
            "/appeals/",
            f"/appeals/{appeal.number}/",
            "/insights/common/",
            "/supervision/orders/",
        ],
        world.ent_user_a: ["/appeals/new/", f"/appeals/{appeal.number}/"],
        world.dispatcher: ["/insights/common/", "/insights/replies/", "/dashboard/"],
        world.auditor: ["/audit/"],
    }
    for user, paths in pages.items():
        c = Client()
        c.force_login(user)
        for path in paths:
            html = c.get(path).content.decode()
            title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
            assert "<" not in title and "script" not in title.lower(), (path, title)
            assert title.endswith(" · 亲清营商环境服务平台")


def test_an_entry_shows_to_its_roles_only_and_re_registering_replaces_it(world):
    from qinqing.core import navigation

    navigation.discover()
    before = dict(navigation._entries)
    try:
        navigation.register("试验页", "home", roles=[Role.AUDITOR], order=1)
        navigation.register("试验页", "home", roles=[Role.AUDITOR], order=1000)
        assert menu_of(world.auditor) == [*AUDITOR, ("/", "试验页")]
        assert ("/", "试验页") not in menu_of(world.sysadmin)
    finally:
        navigation._entries.clear()
        navigation._entries.update(before)
    assert menu_of(world.auditor) == AUDITOR
