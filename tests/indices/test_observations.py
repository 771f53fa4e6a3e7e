"""Observations: who enters and who verifies (never the same person), what a district office and a department
see (404 beyond), the Excel import (line-numbered, all or nothing, idempotent), computed leaves, the summary."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.indices import actions, inputs, selectors, services
from qinqing.indices.models import Benchmark, Framework, Indicator, Observation, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def fw(world):
    fw = Framework.objects.get(code="cn-national-2020")
    Indicator.objects.filter(framework=fw, owner_name="人力资源社会保障部门").update(owner=world.hr)
    return fw


def ind(fw, code):
    return Indicator.objects.get(framework=fw, code=code)


def record(user, indicator, region, value, period="2025", **kw):
    return actions.record(
        user,
        inputs.ObservationIn(
            indicator_id=indicator.pk, region_id=region.pk, period=period, value=value, **kw
        ),
    )


def test_enter_then_verify_by_someone_else(world, fw):
    rate = ind(fw, "CN02.03")  # 劳动人事争议仲裁结案率, owned by 市人社局
    obs = record(world.handler_hr, rate, world.city, 92.5, evidence_link="https://example.gov.cn/a")
    assert obs.state == "pending" and obs.entered_by == world.handler_hr
    with pytest.raises(NotPermitted):
        actions.verify(world.handler_hr, obs.pk)  # a handler does not verify
    obs = actions.verify(world.head_hr, obs.pk)
    assert obs.state == "verified" and obs.verified_by == world.head_hr
    assert [e.kind for e in obs.events.all()] == ["entered", "verified"]
    # The same value again changes nothing; a new value goes back to 待核实.
    assert (
        record(world.handler_hr, rate, world.city, 92.5, evidence_link="https://example.gov.cn/a").state
        == "verified"
    )
    assert record(world.handler_hr, rate, world.city, 95).state == "pending"


def test_the_verifier_must_differ_from_the_enterer(world, fw):
    obs = record(world.dispatcher, ind(fw, "CN01.01"), world.city, 3)
    with pytest.raises(NotPermitted, match="核实人不能是填报人本人"):
        actions.verify(world.dispatcher, obs.pk)
    obs = record(world.head_hr, ind(fw, "CN02.01"), world.city, 80)
    with pytest.raises(NotPermitted, match="核实人不能是填报人本人"):
        actions.verify(world.head_hr, obs.pk)
    assert actions.verify(world.dispatcher, obs.pk).state == "verified"


def test_return_and_enter_again(world, fw):
    obs = record(world.handler_hr, ind(fw, "CN02.01"), world.city, 80)
    obs = actions.return_(world.dispatcher, obs.pk, inputs.ReturnIn(reason="缺少证明材料"))
    assert obs.state == "returned"
    with pytest.raises(Exception, match="不能核实"):
        actions.verify(world.dispatcher, obs.pk)
    assert record(world.handler_hr, ind(fw, "CN02.01"), world.city, 81).state == "pending"


def test_departments_enter_only_what_they_own_and_frequency_and_leaves_are_checked(world, fw):
    with pytest.raises(NotPermitted):
        record(world.handler_power, ind(fw, "CN02.01"), world.city, 80)
    with pytest.raises(NotPermitted):
        record(world.handler_hr, ind(fw, "CN01.01"), world.city, 3)  # owned by nobody in this city
    with pytest.raises(InvalidInput, match="只能填报末级指标"):
        record(world.dispatcher, ind(fw, "CN01"), world.city, 3)
    with pytest.raises(InvalidInput, match="期间与指标频次不符"):
        record(world.dispatcher, ind(fw, "CN01.01"), world.city, 3, period="2025Q1")
    with pytest.raises(InvalidInput, match="期间格式不正确"):
        record(world.dispatcher, ind(fw, "CN01.01"), world.city, 3, period="25")
    with pytest.raises(NotPermitted, match="系统计算"):
        record(world.dispatcher, ind(fw, "CN17.04"), world.city, 90)
    with pytest.raises(InvalidInput, match="链接"):
        record(world.dispatcher, ind(fw, "CN01.01"), world.city, 3, evidence_link="javascript:alert(1)")
    # A district office enters for its district only.
    with pytest.raises(NotVisible):
        record(world.dispatcher_east, ind(fw, "CN01.01"), world.west, 3)
    assert record(world.dispatcher_east, ind(fw, "CN01.01"), world.east, 3).region == world.east


def test_evidence_file_is_checked_by_content(world, fw):
    upload = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    with pytest.raises(InvalidInput, match="证明材料内容与类型不符"):
        actions.record(
            world.dispatcher,
            inputs.ObservationIn(
                indicator_id=ind(fw, "CN01.01").pk, region_id=world.city.pk, period="2025", value=3
            ),
            upload,
        )
    pdf = SimpleUploadedFile(
        "证明.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="application/pdf"
    )
    obs = actions.record(
        world.dispatcher,
        inputs.ObservationIn(
            indicator_id=ind(fw, "CN01.01").pk, region_id=world.city.pk, period="2025", value=3
        ),
        pdf,
    )
    assert obs.evidence_name == "证明.pdf"
    c = Client()
    c.force_login(world.dispatcher)
    assert c.get(f"/indices/observations/{obs.pk}/evidence/").status_code == 200
    c.force_login(world.dispatcher_east)
    assert c.get(f"/indices/observations/{obs.pk}/evidence/").status_code == 404


def test_a_district_office_sees_only_its_districts(world, fw):
    city_obs = record(world.dispatcher, ind(fw, "CN01.01"), world.city, 3)
    west_obs = record(world.dispatcher, ind(fw, "CN01.01"), world.west, 4)
    east_obs = record(world.dispatcher, ind(fw, "CN01.01"), world.east, 5)
    seen = set(selectors.observations_visible_to(world.dispatcher_east).values_list("pk", flat=True))
    assert seen == {east_obs.pk}
    assert set(selectors.observations_visible_to(world.dispatcher).values_list("pk", flat=True)) == {
        city_obs.pk,
        west_obs.pk,
        east_obs.pk,
    }
    page = Client()
    page.force_login(world.dispatcher_east)
    assert page.get(f"/indices/cn-national-2020/?region={world.east.pk}").status_code == 200
    assert page.get(f"/indices/cn-national-2020/?region={world.west.pk}").status_code == 404
    assert page.get(f"/indices/cn-national-2020/?region={world.city.pk}").status_code == 404
    assert page.get(f"/indices/indicators/{ind(fw, 'CN01.01').pk}/?region={world.west.pk}").status_code == 404
    api = Client(headers={"Authorization": f"Bearer {world.token(world.dispatcher_east)}"})
    r = api.get(f"/api/indices/frameworks/cn-national-2020/scores?region_id={world.west.pk}&period=2025")
    assert r.status_code == 404 and r.json()["message"] == "未找到该区划"
    listed = api.get("/api/indices/observations").json()
    assert [o["id"] for o in listed] == [east_obs.pk]
    r = api.post(
        "/api/indices/observations",
        {"indicator_id": ind(fw, "CN01.01").pk, "region_id": world.west.pk, "period": "2025", "value": 1},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert api.post(f"/api/indices/observations/{west_obs.pk}/verify").status_code == 404


def test_a_department_sees_the_indicators_it_owns(world, fw):
    own = record(world.handler_hr, ind(fw, "CN02.01"), world.city, 80)
    other = record(world.dispatcher, ind(fw, "CN01.01"), world.city, 3)
    assert set(selectors.observations_visible_to(world.handler_hr).values_list("pk", flat=True)) == {own.pk}
    assert set(selectors.observations_visible_to(world.handler_power).values_list("pk", flat=True)) == set()
    assert set(selectors.indicators_owned_by(world.handler_hr).values_list("code", flat=True)) >= {"CN02.01"}
    api = Client(headers={"Authorization": f"Bearer {world.token(world.handler_hr)}"})
    assert api.get(f"/api/indices/observations?region_id={world.city.pk}").json()[0]["id"] == own.pk
    assert api.post(f"/api/indices/observations/{other.pk}/verify").status_code == 404
    page = Client()
    page.force_login(world.handler_hr)
    assert "CN02.01" in page.get("/indices/mine/").content.decode()
    assert page.get("/indices/cn-national-2020/").status_code == 404  # the tree is the office's


def test_enterprise_and_other_roles_see_nothing(world):
    for user in (world.ent_user_a, world.auditor):
        page = Client()
        page.force_login(user)
        assert page.get("/indices/").status_code == 404
    api = Client(headers={"Authorization": f"Bearer {world.token(world.ent_user_a)}"})
    assert api.get("/api/indices/frameworks").json() == []
    assert api.get("/api/indices/frameworks/cn-national-2020/scores").status_code == 404


def test_api_refuses_bad_input_in_chinese(world, fw):
    api = Client(headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"})
    r = api.post(
        "/api/indices/observations",
        {"indicator_id": ind(fw, "CN01.01").pk, "region_id": world.city.pk, "period": "20x5", "value": 1},
        content_type="application/json",
    )
    assert r.status_code == 400 and "期间" in str(r.json())
    r = api.post("/api/indices/observations", {"indicator_id": "x"}, content_type="application/json")
    assert 400 <= r.status_code < 500


def _sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["指标代码", "区划代码", "期间", "数值", "证明材料链接", "说明"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_is_all_or_nothing_with_line_numbers_and_idempotent(world, fw):
    bad = _sheet(
        [
            ["CN01.01", "339900", "2025", 3, "", ""],
            ["CN01.99", "339900", "2025", 3, "", ""],
            ["CN01.02", "999999", "2025", "三天", "", ""],
            ["CN01", "339900", "2025", 1, "", ""],
            ["CN17.04", "339900", "2025", 90, "", ""],
            ["CN01.01", "339900", "2025", 4, "", ""],
        ]
    )
    with pytest.raises(InvalidInput) as exc:
        actions.import_observations(world.dispatcher, fw.code, bad)
    rows = exc.value.errors["rows"]
    assert rows[0].startswith("第3行：指标代码“CN01.99”")
    assert rows[1].startswith("第4行：") and "区划代码“999999”不存在" in rows[1] and "不是数字" in rows[1]
    assert rows[2].startswith("第5行：") and "不是末级指标" in rows[2]
    assert rows[3].startswith("第6行：") and "系统计算" in rows[3]
    assert rows[4].startswith("第7行：与第2行重复")
    assert not Observation.objects.exists()
    good = _sheet(
        [
            ["CN01.01", "339900", "2025", 3, "https://example.gov.cn/x", "窗口统计"],
            ["CN01.02", "339902", "2025", 1.5, "", ""],
        ]
    )
    r = actions.import_observations(world.dispatcher, fw.code, good)
    assert (r.created, r.changed, r.unchanged) == (2, 0, 0)
    r = actions.import_observations(world.dispatcher, fw.code, good)
    assert (r.created, r.changed, r.unchanged) == (0, 0, 2)
    assert Observation.objects.count() == 2
    # A district office may not import its neighbour's values.
    with pytest.raises(InvalidInput) as exc:
        actions.import_observations(
            world.dispatcher_east, fw.code, _sheet([["CN01.01", "339903", "2025", 2, "", ""]])
        )
    assert exc.value.errors["rows"][0].startswith("第2行：您无权填报西江区")


def test_import_page_shows_the_errors(world, fw):
    page = Client()
    page.force_login(world.dispatcher)
    upload = SimpleUploadedFile("obs.xlsx", _sheet([["CN01.99", "339900", "2025", 3, "", ""]]))
    r = page.post(f"/indices/{fw.code}/import/?region={world.city.pk}", {"file": upload})
    assert r.status_code == 200 and "第2行：指标代码“CN01.99”" in r.content.decode()
    assert (
        page.get(f"/indices/{fw.code}/import/?region={world.city.pk}&period=2025&template=1").status_code
        == 200
    )


def test_tree_scores_targets_benchmarks_and_summary(world, fw):
    steps, days = ind(fw, "CN01.01"), ind(fw, "CN01.02")  # best 1 / worst 7; best 0.5 / worst 10
    record(world.dispatcher, steps, world.city, 4, period="2025")  # 50
    record(world.dispatcher, days, world.city, 5.25, period="2025")  # 50
    record(world.dispatcher, steps, world.city, 7, period="2024")  # 0
    Benchmark.objects.create(indicator=steps, comparator="深圳", period="2025", value=1, source="测试")
    Benchmark.objects.create(indicator=days, comparator="深圳", period="2024", value="0.5", source="测试")
    Target.objects.create(indicator=ind(fw, "CN01"), region=world.city, period="2025", value=52)
    s = selectors.scored_tree(world.dispatcher, fw, world.city, "2025", comparator="深圳")
    node = {n.indicator.code: n for n in s.nodes}
    assert node["CN01"].score == 50.0 and node["CN01"].previous == 0.0 and node["CN01"].delta == 50.0
    assert node["CN01"].light == "yellow"  # 50 is within 5 points below 52
    assert node["CN01"].benchmark == 100.0  # 2025 for one leaf, 2024 (latest earlier year) for the other
    assert node["CN01"].gap == -50.0
    assert s.total == 50.0  # only 开办企业 has values
    summary = selectors.region_summary(world.leader, fw, world.city, "2025")
    assert summary["score"] == 50.0 and summary["gaps"] == {"深圳": -50.0}
    assert summary["url"] == f"/indices/cn-national-2020/?region={world.city.pk}&period=2025"
    with pytest.raises(NotVisible):
        selectors.region_summary(world.handler_hr, fw, world.city, "2025")
    page = Client()
    page.force_login(world.leader)
    r = page.get(summary["url"] + "&benchmark=深圳")
    assert r.status_code == 200 and "50.0" in r.content.decode()
    assert page.get(f"/indices/{fw.code}/export/?region={world.city.pk}&period=2025").status_code == 200


def test_computed_leaves_come_from_the_evaluation(world, fw, clock):
    world.closed()
    world.closed(satisfaction="dissatisfied")
    world.replied()
    r = services.compute_observations(regions=[world.city], years=[2026])
    assert r.written == 3
    values = {o.indicator.code: o for o in Observation.objects.filter(region=world.city, period="2026")}
    import datetime as dt

    from qinqing.supervision.evaluation import evaluate

    rows = evaluate(world.city, dt.date(2026, 1, 1), dt.date(2026, 11, 16))
    rated = sum(x.den("satisfaction") for x in rows)
    satisfied = sum(x.num("satisfaction") for x in rows)
    assert values["CN17.05"].value == (Decimal(satisfied) * 100 / rated).quantize(Decimal("0.01"))
    assert values["CN17.05"].computed and values["CN17.05"].state == "verified"
    assert "满意率" in values["CN17.05"].formula
    assert services.compute_observations(regions=[world.city], years=[2026]).written == 0
    page = Client()
    page.force_login(world.dispatcher)
    body = page.get(f"/indices/indicators/{ind(fw, 'CN17.05').pk}/?region={world.city.pk}").content.decode()
    assert "系统计算" in body and "评价为“满意”或“基本满意”" in body


def test_settings_choose_grouping_and_comparator(world, fw):
    from qinqing.indices.models import Grouping

    grouping = Grouping.objects.get(framework=fw)
    actions.choose_setting(
        world.dispatcher,
        fw.code,
        inputs.SettingIn(region_id=world.city.pk, grouping_id=grouping.pk, comparator="广州"),
    )
    record(world.dispatcher, ind(fw, "CN01.01"), world.city, 4)
    s = selectors.scored_tree(world.leader, fw, world.city, "2025")
    assert s.comparator == "广州"
    assert [g["name"] for g in s.groups] == ["法治环境", "政务环境", "市场环境", "社会环境"]
    assert s.groups[1]["score"] == 50.0
    with pytest.raises(NotPermitted):
        actions.choose_setting(world.leader, fw.code, inputs.SettingIn(region_id=world.city.pk))


def test_owner_scores_feed_the_assessment_sheet(world, fw):
    """The 四挂钩 sheet's 指标牵头 column: the mean score of the leaves a department owns, by the leaf formula."""
    rate = ind(fw, "CN02.03")  # owned by 市人社局 (the fixture)
    record(world.handler_hr, rate, world.city, 92.5, period="2026")
    expected = scoring_of(rate, Decimal("92.5"))
    assert selectors.owner_scores(world.city, 2026) == {world.hr.pk: expected}
    assert selectors.owner_scores(world.city, 2025) == {}  # nothing observed that year
    from qinqing.plans import assessment

    row = next(r for r in assessment.sheet(world.city, 2026) if r.department_id == world.hr.pk)
    assert row.scores["indicators"] == expected


def scoring_of(indicator, value):
    from qinqing.indices.scoring import leaf_score

    return round(leaf_score(indicator, value), 1)
