"""End to end in Debian's Chromium: an enterprise submits, the office assigns, the department signs and
replies, the enterprise rates, and the timeline shows every step."""

import os
import shutil

import pytest

from tests.conftest import require_browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        if require_browser():
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
    # itself are safe here because they are not inside that loop's coroutines.
    # Restored afterwards: left set, it would fail `check --deploy` run by a later test (async.E001).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        yield from _chromium(sync_playwright)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _chromium(sync_playwright):
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


def login(page, base, username, lands_on="/appeals/**"):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-qinqing-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{lands_on}")


def test_appeal_from_submission_to_rating(world, live_server, browser):
    base = live_server.url
    errors: list[str] = []

    def new_page(username):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        login(page, base, username)
        return page

    # The enterprise submits.
    ent = new_page("ent_a")
    ent.click("text=我要提诉求")
    ent.fill("input[name=title]", "新生产线用电增容")
    ent.fill("textarea[name=content]", "新上生产线需增容 800 千伏安，报装后未安排勘查。")
    ent.select_option("select[name=category]", label="用电")
    ent.click("#submit-form button[type=submit]")
    ent.wait_for_selector("#status")
    assert ent.inner_text("#status") == "待受理"
    number = ent.url.rstrip("/").split("/")[-1]

    # The office assigns, following the catalogue's suggestion (供电公司).
    disp = new_page("dispatcher_city")
    disp.goto(f"{base}/appeals/?tab=triage")
    disp.click(f"text={number}")
    assert disp.input_value("#form-assign select[name=lead]") == str(world.power.pk)
    disp.click("#form-assign button")
    disp.wait_for_selector("text=已受理分派")
    assert disp.inner_text("#status") == "待签收"

    # The department signs and replies.
    dept = new_page("handler_power")
    dept.goto(f"{base}/appeals/?tab=to_sign")
    dept.click(f"text={number}")
    dept.click("#form-sign button")
    dept.wait_for_selector("#form-reply")
    dept.fill("#form-reply textarea[name=measures]", "已安排现场勘查并制定增容方案。")
    dept.fill("#form-reply textarea[name=result]", "增容工程已完成，已送电。")
    # The quality check answers in place before sending.
    dept.click("#reply-check-btn")
    dept.wait_for_selector("#reply-check-result b")
    assert "得分" in dept.inner_text("#reply-check-result")
    dept.click("#form-reply button.primary")
    dept.wait_for_selector("text=已答复")

    # The enterprise rates it.
    ent.reload()
    ent.check("#form-rate input[name=satisfaction][value=satisfied]")
    ent.check("#form-rate input[name=resolved][value='1']")
    ent.click("#form-rate button")
    ent.wait_for_selector("text=已评价")
    assert ent.inner_text("#status") == "已办结"
    timeline = ent.inner_text("#timeline")
    for step in ("提交诉求", "受理并分派", "签收", "答复", "评价"):
        assert step in timeline
    ent.screenshot(path=os.environ.get("QINQING_SCREENSHOT", "/tmp/qinqing-e2e.png"), full_page=True)
    assert not errors, errors


def test_dashboard_renders_charts_and_drills_down(world, live_server, browser, clock):
    from qinqing.appeals import services

    for i in range(3):  # Monday 2026-11-16 on the frozen clock
        a = world.submit(title=f"诉求{i}", content="招工难")
        services.assign_appeal(appeal=a, by=world.dispatcher, lead=world.hr)
    from qinqing.dashboard.tasks import refresh_rollup
    from tests.worker import run_periodic

    run_periodic(refresh_rollup)  # the worker's minutely job: the dashboard itself only reads
    base = live_server.url
    errors: list[str] = []
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "dispatcher_city")
    page.goto(f"{base}/dashboard/?start=2026-11-01&end=2026-11-30")
    for chart in ("funnel", "trend", "category", "channel", "department", "region"):
        page.wait_for_selector(f"#chart-{chart}[data-ready='1'] canvas")
    assert page.inner_text("#kpi-collected b") == "3"
    page.click("#kpi-collected")
    page.wait_for_url(f"{base}/appeals/**")
    assert "date_from=2026-11-01" in page.url
    for i in range(3):
        assert f"诉求{i}" in page.content()
    assert errors == []


def test_officer_visit_raises_an_appeal_that_reaches_the_dispatcher_queue(world, live_server, browser):
    """A chief service officer logs a visit with one problem; it is in the office's triage queue as 首席服务官."""
    import datetime as dt

    from qinqing.accounts.models import Role, User
    from qinqing.fieldwork import services

    officer = User.objects.create_user(
        username="officer_lin",
        password="pw-qinqing-1",
        role=Role.OFFICER,
        full_name="林服务",
        region=world.city,
    )
    services.assign_officer(
        by=world.dispatcher, enterprise=world.ent_a, user=officer, role="chief", on=dt.date(2026, 1, 5)
    )
    base = live_server.url
    errors: list[str] = []
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, base, "officer_lin", lands_on="/fieldwork/officer/")
    assert world.ent_a.name in page.inner_text("#my-enterprises")
    page.click("#my-enterprises >> text=记录走访/登记诉求")
    page.fill("input[name=people_met]", "总经理 陈某")
    page.fill("textarea[name=findings]", "订单增长，扩产后一线工人紧缺。")
    page.select_option("select[name=issue1_category]", label="用工")
    page.fill("input[name=issue1_title]", "扩产缺一线操作工")
    page.fill("textarea[name=issue1_content]", "扩产后缺一线操作工约60人，希望组织专场招聘。")
    page.click("#save-visit")
    page.wait_for_selector(".messages")
    message = page.inner_text(".messages")
    assert "走访已记录" in message and "QQ" in message
    number = "QQ" + message.split("QQ")[1][:12]

    disp = browser.new_context(locale="zh-CN").new_page()
    disp.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(disp, base, "dispatcher_city")
    disp.goto(f"{base}/appeals/?tab=triage")
    row = disp.locator("tr", has_text=number)
    assert row.count() == 1
    cells = row.inner_text()
    assert "扩产缺一线操作工" in cells and "首席服务官" in cells and world.ent_a.name in cells
    assert not errors, errors


def test_similar_appeals_appear_while_the_enterprise_types(world, live_server, browser):
    from qinqing.insights.tasks import analyse_new_appeals
    from tests.worker import run_periodic

    earlier = world.submit(
        title="厂区经常停电影响生产",
        content="厂区经常停电，生产线被迫中断，请供电公司尽快检修线路",
        category=world.power_cat,
    )
    run_periodic(analyse_new_appeals)
    base = live_server.url
    errors: list[str] = []
    page = browser.new_context(locale="zh-CN").new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "ent_a")
    page.click("text=我要提诉求")
    assert page.is_hidden("#similar-live")
    page.fill("input[name=title]", "厂区停电")
    page.fill("textarea[name=content]", "生产线经常停电，请供电公司检修线路")
    page.wait_for_selector("#similar-live:not([hidden]) li a")
    assert earlier.number in page.inner_text("#similar-live")
    # The panel is re-rendered by the server each time: clearing the text hides it again.
    page.fill("input[name=title]", "")
    page.fill("textarea[name=content]", "")
    page.wait_for_selector("#similar-live", state="hidden")
    assert errors == []


PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def test_enterprise_journey_on_a_390px_phone(world, live_server, browser, tmp_path):
    """On a 390×844 phone: the header fits with its menu folded, the list is one card per appeal, the file
    picker speaks Chinese, controls are thumb-sized, and no page of the enterprise scrolls sideways."""
    world.submit(title="厂区道路破损影响货车通行", content="厂区门口道路破损严重，货车进出困难。")
    base = live_server.url
    errors: list[str] = []
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{base}/public/honours/")
    _no_sideways_scroll(page)
    login(page, base, "ent_a")
    _no_sideways_scroll(page)
    # The header: one row, the menu folded behind 菜单 except the primary action.
    header = page.locator("header.top").bounding_box()
    assert header["height"] < 140, header
    assert page.is_visible("header nav a.primary")
    assert page.is_hidden("header nav a:not(.primary) >> nth=0")
    page.click("label.menu-button")
    assert page.is_visible("header nav a:not(.primary) >> nth=0")
    # The list: cards, not a table with a header row.
    assert page.is_hidden("table.list thead")
    card = page.locator("table.list tbody tr").first
    assert "厂区道路破损影响货车通行" in card.inner_text()
    # each cell says what it is (the label is drawn from data-label by CSS)
    label = page.evaluate(
        "getComputedStyle(document.querySelector(\"table.list td[data-label='状态']\"), '::before').content"
    )
    assert "状态" in label, label
    for control in page.locator("form.filters select, form.filters button").all():
        assert control.bounding_box()["height"] >= 40

    # Submit with an attachment through the Chinese file picker.
    page.click("header nav a.primary")
    _no_sideways_scroll(page)
    assert page.inner_text(".file-picker .file-button") == "选择文件"
    assert page.inner_text(".file-picker .file-names") == "未选择文件"
    proof = tmp_path / "现场照片.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("input[name=attachments]", str(proof))
    assert page.inner_text(".file-picker .file-names") == "现场照片.pdf"
    page.fill("input[name=title]", "园区路灯夜间不亮")
    page.fill("textarea[name=content]", "园区主干道路灯已连续一周夜间不亮，员工下夜班出行不安全。")
    page.select_option("select[name=category]", label="用电")
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#status")
    assert page.inner_text("#status") == "待受理"
    assert "现场照片.pdf" in page.content()
    _no_sideways_scroll(page)

    page.goto(f"{base}/supervision/notifications/")
    _no_sideways_scroll(page)
    assert not errors, errors


def test_policy_redemption_from_eligible_to_paid(world, live_server, browser):
    """可享政策 on a phone: one eligible item and one blocked by credit, each with its reason; the enterprise
    confirms a 免申即享 payment with its account; the department finds the case in 兑现办理, publishes it and, once
    the 公示 window is over, records the payment; the office's figures change."""
    import datetime as dt
    from decimal import Decimal

    from qinqing.credit.models import CreditEntry, CreditList, ListKind
    from qinqing.policies import inputs, matching
    from qinqing.policies import redemption_services as redemption
    from qinqing.policies.models import GateRule, RedemptionCase
    from tests.policies.conftest import Library

    lib = Library(world)
    lib.attr(world.ent_a, "employees", "50")
    lib.item(
        "稳岗返还", conditions=[("employees", "gte", "10")], amount_rule="固定 20", budget=Decimal("100")
    )
    blocked = lib.item("研发费用补助", conditions=[("employees", "gte", "10")], amount_rule="固定 10")
    GateRule.objects.create(
        item=blocked, effect=GateRule.Effect.REFUSE, kinds="serious", measure="《联合惩戒备忘录》第二条"
    )
    wages = CreditList.objects.create(
        code="wages",
        kind=ListKind.SERIOUS,
        name="拖欠农民工工资失信联合惩戒对象名单",
        legal_basis="暂行办法",
        authority=world.hr,
    )
    CreditEntry.objects.create(
        credit_list=wages,
        uscc=world.ent_a.uscc,
        name=world.ent_a.name,
        enterprise=world.ent_a,
        reason="拖欠农民工工资",
        decided_on=dt.date(2026, 1, 1),
        display_until=dt.date(2030, 1, 1),
    )
    matching.run(push=False)
    redemption.open_candidates()
    case = RedemptionCase.objects.get(item__name="稳岗返还", enterprise=world.ent_a)
    redemption.confirm(case=case, by=world.handler_hr, data=inputs.CaseConfirmIn())

    base = live_server.url
    errors: list[str] = []

    def new_page(username, **kw):
        context = browser.new_context(locale="zh-CN", **kw)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, base, username)
        return page

    office = new_page("dispatcher_city")
    office.goto(f"{base}/policies/redemption/figures/")
    assert office.inner_text("#redemption-figures tbody tr:has-text('稳岗返还') .paid-amount") == "0"

    ent = new_page("ent_a", viewport=PHONE, is_mobile=True, has_touch=True)
    ent.goto(f"{base}/policies/mine/")
    _no_sideways_scroll(ent)
    assert "稳岗返还" in ent.inner_text("#eligible")
    assert "研发费用补助" in ent.inner_text("#blocked")
    assert "兑现免费，无需中介" in ent.inner_text("#free-notice")
    ent.click("#blocked a:has-text('研发费用补助')")
    assert "拖欠农民工工资失信联合惩戒对象名单" in ent.inner_text("#my-result")
    ent.goto(f"{base}/policies/redemption/")
    _no_sideways_scroll(ent)
    ent.click("#cases a:has-text('稳岗返还')")
    assert ent.inner_text("#case-state") == "部门已确认"
    ent.fill("#form-accept input[name=bank_name]", "青川农商银行")
    ent.fill("#form-accept input[name=account_no]", "6222 0202 0011 2233")
    ent.click("#form-accept button")
    ent.wait_for_selector("text=已确认兑现")
    assert ent.inner_text("#case-state") == "企业已确认"
    _no_sideways_scroll(ent)

    dept = new_page("handler_hr")
    dept.goto(f"{base}/policies/redemption/queue/")
    dept.click(f"#cases tr[data-case='{case.pk}'] a >> nth=0")
    assert dept.inner_text("#account") == "6222020200112233"  # the paying department sees the whole account
    dept.click("#form-publish button")
    dept.wait_for_selector("text=已发布公示")
    assert dept.inner_text("#case-state") == "公示中"
    case.refresh_from_db()
    redemption.close_publicity(
        case=case, today=case.objection_until + dt.timedelta(days=1)
    )  # the sweep, later
    dept.reload()
    assert dept.inner_text("#case-state") == "待拨付"
    dept.fill("#form-pay input[name=voucher_no]", "青财拨〔2026〕88号")
    dept.click("#form-pay button")
    dept.wait_for_selector("text=已登记拨付")
    assert dept.inner_text("#case-state") == "已拨付"
    assert "青财拨〔2026〕88号" in dept.inner_text("#timeline")

    office.reload()
    row = office.locator("#redemption-figures tbody tr:has-text('稳岗返还')")
    assert row.locator(".paid-amount").inner_text() == "20"
    assert row.locator(".paid-count").inner_text() == "1"
    ent.goto(f"{base}/supervision/notifications/")
    assert "政策资金已拨付" in ent.content()
    assert not errors, errors
