"""In Chromium: a department files a progress report with evidence for a milestone, the 督办专员 accepts it, and the
task's light and progress change on the task page and on the indicator page (its 相关任务与举措)."""

import datetime as dt

import pytest

from qinqing.indices.hooks import contributions
from qinqing.plans.models import Milestone
from tests.conftest import at
from tests.plans.conftest import PDF
from tests.test_browser import browser, login  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_report_with_evidence_is_accepted_and_the_light_changes(
    plans,
    clock,
    live_server,
    browser,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    base = live_server.url
    clock.move_to(at(2026, 11, 20))  # 1.1's first milestone is due today: yellow
    task = plans.hr_task
    evidence = tmp_path / "稳岗细则.pdf"
    evidence.write_bytes(PDF)
    assert contributions(plans.world.leader, plans.ind_labour)[0].light == "yellow"

    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "handler_hr")
    desk.goto(f"{base}/plans/tasks/")
    desk.click("text=稳岗就业")
    desk.wait_for_url(f"{base}/plans/tasks/{task.pk}/")
    assert "黄灯" in desk.inner_text("#task-light")
    desk.fill("textarea[name=text]", "稳岗细则已印发，附正式文件")
    desk.select_option("select[name=milestone]", str(plans.m1.pk))
    desk.set_input_files("input[name=attachments]", str(evidence))
    desk.click("#form-report button.primary")
    desk.wait_for_load_state()
    assert "进展已报送" in desk.content()
    assert "待审核" in desk.inner_text(f"#milestone-{plans.m1.pk}")
    assert "稳岗细则.pdf" in desk.inner_text(f"#milestone-{plans.m1.pk}")

    lead = browser.new_context(locale="zh-CN").new_page()
    login(lead, base, "leader")
    indicator_page = f"{base}/indices/indicators/{plans.ind_labour.pk}/?region={plans.world.city.pk}"
    lead.goto(indicator_page)
    assert "稳岗就业" in lead.inner_text("#contributions")
    assert lead.locator("#contributions .light.yellow").count() == 1
    lead.goto(f"{base}/plans/tasks/{task.pk}/")
    assert "黄灯" in lead.inner_text("#task-light") and "0.0%" in lead.inner_text("#task-progress")
    lead.click(f"#accept-{plans.m1.pk}")
    lead.wait_for_load_state()
    assert "已完成" in lead.inner_text(f"#milestone-{plans.m1.pk}")
    assert "绿灯" in lead.inner_text("#task-light")
    assert "25.0%" in lead.inner_text("#task-progress")
    assert Milestone.objects.get(pk=plans.m1.pk).done_on == dt.date(2026, 11, 20)

    # The indicator page shows the task behind 劳动力市场监管 with its new light.
    lead.goto(indicator_page)
    assert lead.locator("#contributions .light.green").count() == 1
    assert lead.locator("#contributions .light.yellow").count() == 0

    desk.reload()
    assert "绿灯" in desk.inner_text("#task-light")
    # What the indicator page lists for 劳动力市场监管 changes with it.
    listed = contributions(plans.world.handler_hr, plans.ind_labour)[0]
    assert listed.light == "green" and "进度25%" in listed.detail
