"""Routing suggestions, similar appeals, common issues and reply checks inside the product, with denials."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Status
from qinqing.insights import routing, similar
from qinqing.insights.models import AppealLink, AppealText, CommonIssue, ReplyCheck
from qinqing.insights.tasks import analyse_new_appeals
from tests.worker import run_periodic, run_worker

pytestmark = pytest.mark.django_db

LABOUR = [
    "招工难，旺季缺一线操作工五十人，请求人社局组织专场招聘会",
    "员工社保缴费基数调整后企业负担加重，希望了解社保减免政策",
    "技术工人流失严重，希望享受稳岗补贴和职业技能培训补贴",
    "申请稳岗补贴一直没有到账，请人社部门帮助查询进度",
    "外地员工子女入学和社保转移接续问题，请人社局协助解决",
    "招聘高校毕业生能否享受就业见习补贴，请人社局答复",
    "劳动合同纠纷较多，希望人社部门提供用工指导和劳动仲裁咨询",
    "企业需要招聘电焊工和数控操作工，请帮助对接职业技能培训学校",
]
POWER = [
    "厂区经常停电，生产线被迫中断，请供电公司尽快检修线路",
    "新建车间需要用电增容，变压器报装申请三个月没有进展",
    "电压不稳导致设备损坏，请供电公司排查变压器和供电线路",
    "用电报装流程复杂，希望供电公司简化高压接电手续",
    "园区夜间频繁跳闸停电，影响企业冷库正常运行",
    "申请临时用电接入，供电公司迟迟不安排现场勘查",
    "电费计量异常，电表读数明显偏高，请供电公司核查",
    "新厂房投产急需通电，请供电公司加快配电线路施工",
]


def api_get(world, user, path, **params):
    return Client().get(f"/api{path}", params, headers={"Authorization": f"Bearer {world.token(user)}"})


def api_post(world, user, path, body):
    return Client().post(
        f"/api{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.token(user)}"},
    )


@pytest.fixture
def history(world, clock):
    appeals = []
    for i, (lab, pwr) in enumerate(zip(LABOUR, POWER, strict=True)):
        appeals.append(world.assigned(title=lab[:20], content=lab))
        a = world.submit(
            title=pwr[:20], content=pwr, category=world.power_cat, by=world.ent_user_b if i % 2 else None
        )
        appeals.append(appeal_services.assign_appeal(appeal=a, by=world.dispatcher, lead=world.power))
    run_periodic(analyse_new_appeals)
    return appeals


def test_words_are_stored_in_bulk_by_the_background_job_not_at_intake_nor_by_readers(world, clock):
    appeal = world.submit(title="申请稳岗补贴", content="稳岗补贴迟迟未到账")
    other = world.submit(title="用电增容", content="新厂房需要增容")
    assert not AppealText.objects.exists()  # intake stays one INSERT statement
    assert similar.similar_appeals(world.dispatcher, "稳岗补贴") == []  # a reader reads only what is there
    assert not AppealText.objects.exists()

    assert run_periodic(analyse_new_appeals) == 1
    assert AppealText.objects.count() == 2
    similar.index().refresh(force=True)
    assert [m.appeal for m in similar.similar_appeals(world.dispatcher, "稳岗补贴")] == [appeal]
    AppealText.objects.all().delete()

    assert AppealText.objects.fill_missing(appeal_ids=[appeal.pk]) == 1
    assert "稳岗补贴" in AppealText.objects.get(appeal=appeal).words.split()
    assert AppealText.objects.fill_missing() == 1  # only the one still missing
    assert AppealText.objects.fill_missing() == 0
    assert "增容" in AppealText.objects.get(appeal=other).words.split()


def test_fill_missing_works_in_batches(world, clock):
    appeals = [world.submit(title=f"诉求{i}", content="招工难") for i in range(5)]
    assert AppealText.objects.fill_missing(batch=2) == 5
    assert set(AppealText.objects.values_list("appeal_id", flat=True)) == {a.pk for a in appeals}


class TestRouting:
    def test_train_from_history_then_suggest_on_triage_screen_and_api(self, world, history):
        call_command("train_routing")
        assert routing.manifest("category")["active"] == 1
        assert routing.manifest("department")["active"] == 1
        fresh = world.submit(
            title="车间停电", content="我们车间昨天又停电了，变压器老化，请供电公司尽快抢修线路"
        )
        body = api_get(world, world.dispatcher, f"/insights/appeals/{fresh.number}/routing").json()
        assert body["model_version"] == 1
        assert body["categories"][0]["label"] == world.power_cat.name
        assert 0 < body["categories"][0]["confidence"] <= 1
        assert body["departments"][0]["label"] == "供电公司"
        client = Client()
        client.force_login(world.dispatcher)
        page = client.get(f"/appeals/{fresh.number}/").content.decode()
        assert "智能分拨建议" in page and "置信度" in page

    def test_retraining_makes_a_new_version(self, world, history):
        call_command("train_routing", scope="category")
        call_command("train_routing", scope="category")
        info = routing.manifest("category")
        assert [v["version"] for v in info["versions"]] == [1, 2] and info["active"] == 2

    def test_enterprise_and_departments_get_no_routing(self, world, history):
        number = history[0].number
        assert api_get(world, world.ent_user_a, f"/insights/appeals/{number}/routing").status_code == 403
        assert api_get(world, world.handler_hr, f"/insights/appeals/{number}/routing").status_code == 403
        # A dispatcher of another district cannot even learn that the appeal exists.
        assert api_get(world, world.dispatcher_west, f"/insights/appeals/{number}/routing").status_code == 404

    def test_without_a_model_the_screen_says_so(self, world, clock):
        appeal = world.submit()
        client = Client()
        client.force_login(world.dispatcher)
        assert "分拨模型尚未训练" in client.get(f"/appeals/{appeal.number}/").content.decode()

    def test_evaluate_without_model_or_with_bad_csv_is_a_clear_error(self, tmp_path, db):
        bad = tmp_path / "bad.csv"
        bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
        with pytest.raises(CommandError, match="train_routing"):
            call_command("evaluate_routing", csv=str(bad))
        with pytest.raises(CommandError, match="label"):
            call_command("train_routing", csv=str(bad))
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("train_routing", csv=str(tmp_path / "missing.csv"))


class TestSimilar:
    def test_enterprise_sees_only_its_own_similar_appeals(self, world, history):
        text = "厂区停电影响生产，请供电公司检修线路"
        mine = api_get(world, world.ent_user_a, "/insights/similar", text=text).json()
        theirs = api_get(world, world.ent_user_b, "/insights/similar", text=text).json()
        assert mine and theirs
        own_a = {a.number for a in history if a.enterprise_id == world.ent_a.pk}
        own_b = {a.number for a in history if a.enterprise_id == world.ent_b.pk}
        assert {r["number"] for r in mine} <= own_a
        assert {r["number"] for r in theirs} <= own_b
        assert "停电" in mine[0]["title"] or "电" in mine[0]["title"]
        assert len(mine) <= 5 and mine == sorted(mine, key=lambda r: -r["similarity"])

    def test_dispatcher_of_another_region_sees_nothing_from_here(self, world, history):
        text = "招工难，缺一线操作工，请求专场招聘会"
        city = api_get(world, world.dispatcher, "/insights/similar", text=text).json()
        west = api_get(world, world.dispatcher_west, "/insights/similar", text=text).json()
        assert city[0]["title"].startswith("招工难")
        west_ids = {a.number for a in history if a.enterprise_id == world.ent_b.pk}
        assert {r["number"] for r in west} <= west_ids

    def test_new_appeals_are_found_after_refresh_and_self_is_excluded(self, world, history):
        similar.index().refresh(force=True)
        a = world.submit(title="污水管网堵塞", content="园区污水管网堵塞倒灌进厂房，请水务部门疏通")
        b = world.submit(title="污水倒灌", content="园区污水管网堵塞，雨天污水倒灌厂房", by=world.ent_user_b)
        run_periodic(analyse_new_appeals)
        similar.index().refresh(force=True)
        found = similar.similar_appeals(world.dispatcher, f"{a.title}{a.content}", exclude=a.pk)
        assert found[0].appeal == b and found[0].similarity > 0.3
        assert all(m.appeal != a for m in found)

    def test_dispatcher_links_and_page_shows_panel(self, world, history):
        a, b = history[0], history[2]
        response = api_post(
            world, world.dispatcher, f"/insights/appeals/{a.number}/links", {"related": b.number}
        )
        assert response.status_code == 201
        assert AppealLink.objects.filter(appeal=a, related=b).exists()
        assert a.events.filter(kind="note", note__contains=b.number).exists()
        denied = api_post(
            world, world.handler_hr, f"/insights/appeals/{a.number}/links", {"related": b.number}
        )
        assert denied.status_code == 403
        client = Client()
        client.force_login(world.dispatcher)
        assert "相似诉求" in client.get(f"/appeals/{a.number}/").content.decode()

    def test_odd_query_text_is_fine(self, world, history):
        for text in ["😀😀", "。。。", "x" * 30000]:
            response = api_get(world, world.dispatcher, "/insights/similar", text=text)
            assert response.status_code in (200, 422)
            if response.status_code == 422:
                assert "长度" in response.json()["message"] or response.json()["errors"]


class TestCommonIssues:
    def _group(self, world):
        texts = [
            (
                world.ent_user_a,
                "园区道路破损严重货车无法通行",
                "开发区创业路路面大面积破损，货车无法通行，请尽快修复创业路路面",
            ),
            (
                world.ent_user_b,
                "创业路路面破损影响物流",
                "开发区创业路路面破损坑洼，物流货车无法通行，请求修复创业路路面",
            ),
            (world.ent_user_a, "创业路坑洼货车难行", "开发区创业路路面坑洼破损，货车通行困难，请修复路面"),
        ]
        return [world.submit(title=t, content=c, by=u, category=world.labour) for u, t, c in texts]

    def test_candidates_confirm_and_joint_answer(self, world, clock):
        members = self._group(world)
        for i in range(6):
            world.submit(title=f"其他诉求{i}", content=f"完全不同的问题编号{i}：{LABOUR[i]}")
        run_periodic(analyse_new_appeals)
        groups = api_get(
            world, world.dispatcher, "/insights/common-candidates", start="2026-11-01", end="2026-11-30"
        ).json()
        assert groups, "the three road appeals from two enterprises form a candidate"
        top = groups[0]
        assert set(top["members"]) == {m.number for m in members}
        assert len(top["enterprises"]) == 2 and "创业" in top["keywords"]

        created = api_post(
            world,
            world.dispatcher,
            "/insights/common-issues",
            {
                "title": "开发区创业路路面破损",
                "lead": world.land.pk,
                "co": [world.power.pk],
                "appeals": top["members"],
            },
        )
        assert created.status_code == 201, created.content
        issue = CommonIssue.objects.get()
        for m in members:
            m.refresh_from_db()
            assert m.status == Status.ASSIGNED and m.lead_department == world.land

        # Only the lead department answers; a co-department or an enterprise cannot.
        assert (
            api_post(
                world,
                world.handler_power,
                f"/insights/common-issues/{issue.pk}/answer",
                {"measures": "x", "result": "y"},
            ).status_code
            == 403
        )
        assert (
            api_post(
                world,
                world.ent_user_a,
                f"/insights/common-issues/{issue.pk}/answer",
                {"measures": "x", "result": "y"},
            ).status_code
            == 404
        )
        answered = api_post(
            world,
            world.handler_land,
            f"/insights/common-issues/{issue.pk}/answer",
            {
                "measures": "会同交通部门现场勘查并列入道路维修计划",
                "result": "已于11月20日完成创业路路面修复",
            },
        )
        assert answered.status_code == 200, answered.content
        assert answered.json()["replied"] == 3 and answered.json()["status"] == "solved"
        for m in members:
            m.refresh_from_db()
            assert m.status == Status.REPLIED and "统一答复" in m.reply_result
        again = api_post(
            world,
            world.handler_land,
            f"/insights/common-issues/{issue.pk}/answer",
            {"measures": "x", "result": "y"},
        )
        assert again.status_code == 400 and "已统一答复" in again.json()["message"]

        page = Client()
        page.force_login(world.dispatcher)
        assert "开发区创业路路面破损" in page.get(f"/insights/common/{issue.pk}/").content.decode()

    def test_one_enterprise_repeating_itself_is_not_a_common_issue(self, world, clock):
        for _ in range(3):
            world.submit(
                title="创业路路面破损", content="开发区创业路路面破损坑洼，货车无法通行，请修复创业路路面"
            )
        run_periodic(analyse_new_appeals)
        groups = api_get(
            world, world.dispatcher, "/insights/common-candidates", start="2026-11-01", end="2026-11-30"
        ).json()
        assert groups == []

    def test_denials_and_bad_input(self, world, clock):
        members = self._group(world)
        numbers = [m.number for m in members]
        assert (
            api_get(
                world, world.ent_user_a, "/insights/common-candidates", start="2026-11-01", end="2026-11-30"
            ).status_code
            == 403
        )
        west = api_get(
            world, world.dispatcher_west, "/insights/common-candidates", start="2026-11-01", end="2026-11-30"
        ).json()
        assert all(n not in numbers for g in west for n in g["members"])
        backwards = api_get(
            world, world.dispatcher, "/insights/common-candidates", start="2026-11-30", end="2026-11-01"
        )
        assert backwards.status_code == 400 and "开始日期" in backwards.json()["message"]
        assert api_post(
            world,
            world.dispatcher_west,
            "/insights/common-issues",
            {"title": "t", "lead": world.land.pk, "appeals": numbers},
        ).status_code in (400, 404)
        one = api_post(
            world,
            world.dispatcher,
            "/insights/common-issues",
            {"title": "t", "lead": world.land.pk, "appeals": numbers[:1]},
        )
        assert one.status_code == 400 and "两件" in json.dumps(one.json(), ensure_ascii=False)
        assert CommonIssue.objects.count() == 0


class TestReplyQuality:
    def test_every_reply_is_checked_and_weak_ones_flagged_for_the_head(self, world, clock):
        weak = world.in_progress()
        appeal_services.reply_to_appeal(appeal=weak, by=world.handler_hr, measures="已处理", result="好的")
        good = world.in_progress(title="招工难", content="旺季缺一线操作工约50人，请求人社局组织专场招聘会")
        appeal_services.reply_to_appeal(
            appeal=good,
            by=world.handler_hr,
            measures="您好，感谢您的反映。经核实，我局已于11月18日协调人力资源市场为贵公司举办专场招聘会，并推送岗位信息。",
            result="目前已招到一线操作工45人，剩余缺口将在12月15日前通过劳务协作补齐。如有疑问请联系就业科王科长，电话0571-88001234。",
        )
        # Replying only queued the check: no segmentation ran under the appeal's row lock.
        assert [c.pending for c in ReplyCheck.objects.order_by("id")] == [True, True]
        page = Client()
        page.force_login(world.head_hr)
        listing = page.get("/insights/replies/").content.decode()
        assert f'href="/appeals/{weak.number}/"' in listing and f'href="/appeals/{good.number}/"' in listing
        assert listing.count('<span class="hint">评分中</span>') == 2
        assert "评分中" in page.get(f"/appeals/{weak.number}/").content.decode()
        pending = api_get(world, world.head_hr, "/insights/reply-checks").json()
        assert {r["number"] for r in pending} == {weak.number, good.number}
        assert all(r["pending"] and r["score"] is None for r in pending)

        run_worker()  # the two scores, and the deliveries of the steps' notices
        scored = DBTaskResult.objects.filter(
            task_path="qinqing.insights.tasks.score_reply", status="SUCCESSFUL"
        )
        assert scored.count() == 2
        weak_check = ReplyCheck.objects.get(appeal=weak)
        good_check = ReplyCheck.objects.get(appeal=good)
        assert weak_check.flagged and any("过短" in r for r in weak_check.reasons)
        assert not good_check.flagged and good_check.score >= 80

        rows = api_get(world, world.head_hr, "/insights/reply-checks").json()
        assert [r["number"] for r in rows] == [weak.number] and not rows[0]["pending"]
        assert api_get(world, world.ent_user_a, "/insights/reply-checks").status_code == 403
        assert api_get(world, world.head_hr, "/insights/reply-checks").status_code == 200
        assert api_get(world, world.dispatcher_west, "/insights/reply-checks").json() == []
        listing = page.get("/insights/replies/").content.decode()
        assert (
            f'href="/appeals/{weak.number}/"' in listing and f'href="/appeals/{good.number}/"' not in listing
        )
        assert '<span class="hint">评分中</span>' not in listing
        assert "需复核" in page.get(f"/appeals/{weak.number}/").content.decode()

    def test_precheck_before_sending(self, world, clock):
        appeal = world.in_progress()
        body = api_post(
            world,
            world.handler_hr,
            f"/insights/appeals/{appeal.number}/reply-check",
            {"measures": "", "result": "已阅"},
        ).json()
        assert body["flagged"] and body["reasons"]
        empty = api_post(world, world.handler_hr, f"/insights/appeals/{appeal.number}/reply-check", {})
        assert empty.status_code == 400 and "答复内容" in empty.json()["message"]
        assert (
            api_post(
                world, world.handler_power, f"/insights/appeals/{appeal.number}/reply-check", {"result": "x"}
            ).status_code
            == 404
        )
