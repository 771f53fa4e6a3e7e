"""The journeys of issue 13 in Chromium, each at 1366×768 and on a 390×844 phone: an enterprise signs itself up
(reading its SMS code from the logging sender), the office approves the link, the enterprise submits, follows the
department's progress and rates; the office reassigns (改派) from the appeal's page; the department head sends a
weak reply back (退回重答) from the 答复复核 page; a department returns a wrong assignment and lands on a page it
can see (no 404)."""

import pytest

from qinqing.appeals import services
from qinqing.appeals.models import Appeal
from qinqing.signup.models import LinkRequest
from qinqing.supervision.models import NotificationDelivery
from tests.conftest import make_uscc
from tests.test_browser import browser, login  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(DESKTOP, id="1366x768"), pytest.param(PHONE, id="390x844")]


def open_page(browser, viewport, errors):  # noqa: F811
    phone = viewport["width"] < 500
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def fits(page, viewport):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width}px wide at {viewport['width']}px"


def thumb_sized(page, selector):
    for control in page.locator(selector).all():
        if control.is_visible():
            assert control.bounding_box()["height"] >= 40, control.evaluate("e => e.outerHTML")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_enterprise_signs_up_is_approved_submits_follows_and_rates(
    world,
    live_server,
    browser,  # noqa: F811
    sms_inbox,
    viewport,
):
    base = live_server.url
    errors: list[str] = []
    uscc = make_uscc("339902")
    ent = open_page(browser, viewport, errors)

    # 企业注册, from the login page.
    ent.goto(f"{base}/login/")
    ent.click("#signup-link")
    ent.wait_for_url(f"{base}/signup/")
    fits(ent, viewport)
    if viewport is PHONE:
        thumb_sized(ent, "#signup-form input, #signup-form select, #signup-form button")
    ent.fill("input[name=uscc]", uscc)
    ent.fill("input[name=enterprise_name]", "东城新锐科技有限公司")
    ent.select_option("select[name=region]", str(world.east.pk))
    ent.select_option("select[name=industry]", "I")
    ent.select_option("select[name=scale]", "micro")
    ent.fill("input[name=contact_name]", "王小明")
    ent.fill("input[name=mobile]", "13700001234")
    ent.click("#send-code")
    ent.wait_for_selector(".messages >> text=验证码已发送")
    assert ent.input_value("input[name=enterprise_name]") == "东城新锐科技有限公司"  # kept across the send
    code = sms_inbox.code("13700001234")  # the phone: what the logging sender wrote
    ent.fill("input[name=code]", code)
    ent.fill("input[name=username]", "xinrui")
    ent.fill("input[name=password1]", "Xinrui-2026-ok")
    ent.fill("input[name=password2]", "Xinrui-2026-ok")
    ent.click("#signup-submit")
    ent.wait_for_url(f"{base}/login/")
    assert "注册成功" in ent.inner_text(".messages")

    # Signed in, it waits for the office and sees nothing of any enterprise.
    ent.fill("input[name=username]", "xinrui")
    ent.fill("input[name=password]", "Xinrui-2026-ok")
    ent.click("button[type=submit]")
    ent.wait_for_url(f"{base}/signup/pending/")
    assert "企业关联待营商办审核" in ent.inner_text("#pending") and "东城区" in ent.inner_text("#pending")
    fits(ent, viewport)
    ent.goto(f"{base}/appeals/")
    ent.wait_for_url(f"{base}/signup/pending/")

    # The district's office finds it in its menu and approves.
    office = open_page(browser, viewport, errors)
    login(office, base, "dispatcher_east")
    if viewport is PHONE:
        office.click("label.menu-button")
    office.click("summary:text('政企服务')")
    office.click("a:text('企业注册审核')")
    office.wait_for_url(f"{base}/signup/requests/")
    fits(office, viewport)
    office.click("text=东城新锐科技有限公司")
    assert "企业库中没有该统一社会信用代码" in office.inner_text("#registry")
    fits(office, viewport)
    office.click("#form-approve button")
    office.wait_for_url(f"{base}/signup/requests/")
    assert "已通过" in office.inner_text(".messages")
    link = LinkRequest.objects.get()
    assert link.state == "approved" and link.applicant.enterprise.uscc == uscc
    assert NotificationDelivery.objects.filter(
        kind="link_approved", channel="sms", address="13700001234"
    ).exists()

    # The enterprise submits.
    ent.goto(f"{base}/appeals/")
    ent.wait_for_url(f"{base}/appeals/")
    if viewport is PHONE:
        ent.click("header nav a.primary")
    else:
        ent.click("text=我要提诉求")
    ent.fill("input[name=title]", "新厂房招工难")
    ent.fill("textarea[name=content]", "新厂房投产需招一线操作工30人，请协助组织招聘。")
    ent.select_option("select[name=category]", label="用工")
    ent.click("#submit-form button[type=submit]")
    ent.wait_for_selector("#status")
    assert ent.inner_text("#status") == "待受理"
    fits(ent, viewport)
    appeal = Appeal.objects.get(title="新厂房招工难")
    assert appeal.enterprise.uscc == uscc

    # The office assigns and the department signs (services between the browser steps); the enterprise follows.
    services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr)
    services.sign_appeal(appeal=Appeal.objects.get(pk=appeal.pk), by=world.handler_hr)
    ent.reload()
    assert ent.inner_text("#status") == "办理中"
    assert "签收" in ent.inner_text("#timeline") and "市人社局" in ent.inner_text("#timeline")
    services.reply_to_appeal(
        appeal=Appeal.objects.get(pk=appeal.pk),
        by=world.handler_hr,
        measures="已在人力资源市场发布岗位并组织专场招聘会。",
        result="已招到操作工28人，余下2人下周到岗。",
    )
    ent.reload()
    assert ent.inner_text("#status") == "已答复"
    assert "已招到操作工28人" in ent.content()
    ent.check("#form-rate input[name=satisfaction][value=satisfied]")
    ent.check("#form-rate input[name=resolved][value='1']")
    ent.click("#form-rate button")
    ent.wait_for_selector("text=已评价")
    assert ent.inner_text("#status") == "已办结"
    fits(ent, viewport)
    assert not errors, errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_office_reassigns_from_the_appeal_page(world, live_server, browser, viewport):  # noqa: F811
    appeal = world.assigned(title="厂区供电线路老化", content="厂区线路老化，经常跳闸。")  # wrongly to 人社局
    base = live_server.url
    errors: list[str] = []
    office = open_page(browser, viewport, errors)
    login(office, base, "dispatcher_city")
    office.goto(f"{base}/appeals/{appeal.number}/")
    fits(office, viewport)
    office.select_option("#form-reassign select[name=lead]", str(world.power.pk))
    office.fill("#form-reassign textarea[name=reason]", "供电线路问题属供电公司职责")
    office.click("#form-reassign button")
    office.wait_for_selector("#timeline >> text=改派")
    assert office.inner_text("#status") == "待签收"
    appeal.refresh_from_db()
    assert appeal.lead_department == world.power
    # The new lead finds it to sign; the old one no longer sees it.
    dept = open_page(browser, viewport, errors)
    login(dept, base, "handler_power")
    dept.goto(f"{base}/appeals/?tab=to_sign")
    dept.click(f"text={appeal.number}")
    assert dept.is_visible("#form-sign")
    fits(dept, viewport)
    old = open_page(browser, viewport, errors)
    login(old, base, "handler_hr")
    assert old.goto(f"{base}/appeals/{appeal.number}/").status == 404
    assert not [e for e in errors if "404" not in e], errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_head_sends_a_weak_reply_back_from_the_review_page(world, live_server, browser, viewport):  # noqa: F811
    from tests.worker import run_worker

    world.city.hold_flagged_replies = True
    world.city.save()
    appeal = services.reply_to_appeal(
        appeal=world.in_progress(), by=world.handler_hr, measures="已处理", result="好的"
    )
    run_worker()  # the quality score flags it; it waits for the head
    appeal.refresh_from_db()
    assert appeal.status == "review"
    base = live_server.url
    errors: list[str] = []
    head = open_page(browser, viewport, errors)
    login(head, base, "head_hr")
    head.goto(f"{base}/insights/replies/")
    fits(head, viewport)
    row = head.locator("tr", has_text=appeal.number)
    row.locator("input[name=reason]").fill("答复过于简单，请写明措施、结果和联系人")
    row.locator("button:text('退回重答')").click()
    head.wait_for_selector(".messages")
    appeal.refresh_from_db()
    assert appeal.status == "in_progress" and appeal.replied_at is None
    assert head.locator("h1").count() and "未找到" not in head.content()
    fits(head, viewport)
    # The department sees it back in its work, with the reason, and may answer again.
    dept = open_page(browser, viewport, errors)
    login(dept, base, "handler_hr")
    dept.goto(f"{base}/appeals/{appeal.number}/")
    assert dept.inner_text("#status") == "办理中"
    assert "答复过于简单" in dept.inner_text("#timeline")
    assert dept.is_visible("#form-reply")
    # The enterprise never saw the weak reply.
    ent = open_page(browser, viewport, errors)
    login(ent, base, "ent_a")
    ent.goto(f"{base}/appeals/{appeal.number}/")
    assert "好的" not in ent.inner_text("#timeline")
    assert not errors, errors


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_department_returns_a_wrong_assignment_and_lands_where_it_can_see(
    world,
    live_server,
    browser,  # noqa: F811
    viewport,
):
    appeal = world.assigned(title="园区道路破损", content="园区道路破损，货车通行困难。")
    base = live_server.url
    errors: list[str] = []
    dept = open_page(browser, viewport, errors)
    login(dept, base, "handler_hr")
    dept.goto(f"{base}/appeals/{appeal.number}/")
    dept.fill("form[action$='/act/return/'] textarea[name=reason]", "道路维护不属于人社局职责")
    response = None
    with dept.expect_navigation() as nav:
        dept.click("form[action$='/act/return/'] button")
    response = nav.value
    assert response is not None and response.status == 200
    assert dept.url.rstrip("/").endswith("/appeals")
    assert "未找到" not in dept.content() and dept.is_visible(".messages")
    fits(dept, viewport)
    appeal.refresh_from_db()
    assert appeal.status == "submitted"
    # The office has it back to triage, with the reason.
    office = open_page(browser, viewport, errors)
    login(office, base, "dispatcher_city")
    office.goto(f"{base}/appeals/?tab=triage")
    office.click(f"text={appeal.number}")
    assert "道路维护不属于人社局职责" in office.inner_text("#timeline")
    assert not errors, errors
