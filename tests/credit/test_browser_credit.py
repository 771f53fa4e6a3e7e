"""In Chromium at 390 px: an enterprise reads why it is on a list and files an objection; the authority refuses it
with a reason; the enterprise pages never scroll sideways."""

import pytest

from qinqing.credit.models import CreditRequest
from tests.test_browser import browser, login  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_enterprise_objects_on_a_phone_and_the_authority_decides(credit, live_server, browser):  # noqa: F811
    base = live_server.url
    credit.product(exclude_restricted=True)
    phone = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    login(phone, base, "ent_a")
    phone.goto(f"{base}/credit/")
    assert "拖欠农民工工资失信联合惩戒对象名单" in phone.content()
    assert "经责令限期支付逾期未支付" in phone.content()
    assert no_sideways_scroll(phone)
    phone.goto(f"{base}/credit/loans/products/")
    assert "暂不符合申请条件" in phone.content()
    assert no_sideways_scroll(phone)
    phone.goto(f"{base}/credit/entries/{credit.entry_a.pk}/")
    assert no_sideways_scroll(phone)
    phone.select_option("select[name=kind]", "objection")
    phone.fill("textarea[name=reason]", "工资已全部结清，附银行回单")
    phone.click("#request-form button[type=submit]")
    phone.wait_for_url(f"{base}/credit/requests/**")
    assert "待办理" in phone.content() and no_sideways_scroll(phone)

    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "handler_hr", lands_on="/appeals/**")
    desk.goto(f"{base}/credit/requests/")
    desk.click(f"text={credit.world.ent_a.name}")
    desk.fill("textarea[name=outcome]", "经复核，列入事实清楚，不予支持")
    desk.click("text=不予支持")
    desk.wait_for_load_state()
    assert CreditRequest.objects.get().state == CreditRequest.State.REFUSED
    phone.reload()
    assert "不予支持" in phone.content()
