"""In Chromium: the office prints a 交办单 and a 答复函 (A4, the tools hidden on paper, 打印 opens the print dialog)
and records a 回访 that finds the problem unsolved, which sends the appeal back to its department."""

import pytest

from tests.test_browser import browser, login  # noqa: F401 - the fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

A4_POINTS = (595.92, 842.88)


def _media_box(pdf: bytes) -> tuple[float, float]:
    import re

    found = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert found, "no page size in the PDF"
    return float(found[1]), float(found[2])


def test_print_the_papers_and_revisit_an_unsolved_appeal(world, live_server, browser):  # noqa: F811
    appeal = world.closed()
    base = live_server.url
    errors: list[str] = []
    context = browser.new_context(locale="zh-CN")
    # Record calls to the print dialog instead of opening it (headless Chromium has none).
    context.add_init_script("window.__printed = 0; window.print = function () { window.__printed += 1; };")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, base, "dispatcher_city")

    page.goto(f"{base}/appeals/{appeal.number}/")
    assert page.is_visible("#print-assignment") and page.is_visible("#print-reply")
    with context.expect_page() as opened:
        page.click("#print-assignment")
    sheet = opened.value
    sheet.wait_for_load_state()
    assert "交办单" in sheet.inner_text("h1")
    assert sheet.inner_text("#lead") == "市人社局"
    sheet.click("button[data-print]")
    assert sheet.evaluate("window.__printed") == 1
    # On paper: the tools are gone and the page is A4.
    sheet.emulate_media(media="print")
    assert not sheet.is_visible(".paper-tools")
    assert sheet.is_visible(".seal-space")
    width, height = _media_box(sheet.pdf(prefer_css_page_size=True))
    assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2

    letter = context.new_page()
    letter.goto(f"{base}/appeals/{appeal.number}/print/reply/")
    assert "答复函" in letter.inner_text("h1")
    assert "已招到45人" in letter.inner_text("#result")

    # 回访: reached, dissatisfied, the problem unsolved: the appeal goes back to 市人社局.
    page.goto(f"{base}/appeals/{appeal.number}/")
    page.select_option("#form-revisit select[name=method]", "phone")
    page.check("#form-revisit input[name=reached][value='1']")
    page.check("#form-revisit input[name=satisfaction][value=dissatisfied]")
    page.check("#form-revisit input[name=resolved][value='0']")
    page.fill("#form-revisit textarea[name=comments]", "企业反映招到的工人已大多离职")
    page.click("#form-revisit button")
    page.wait_for_selector("text=已回访")
    assert page.inner_text("#status") == "办理中"
    assert "未解决，退回主办单位重办" in page.inner_text("#timeline")
    assert "企业反映招到的工人已大多离职" in page.inner_text("#revisits")
    assert not errors, errors
