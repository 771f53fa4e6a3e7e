"""台账导入: a template to fill in; every row checked, every problem named by its line, nothing saved unless the
whole file is right; imported appeals keep the ledger's dates and state and say where they came from."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import Workbook, load_workbook

from qinqing.appeals import ledger, services
from qinqing.appeals.models import Appeal, AppealEvent, AppealImport, Status
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.enterprises.models import Enterprise
from tests.conftest import at, make_uscc

pytestmark = pytest.mark.django_db


def xlsx(rows, headers=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(headers or ledger.HEADERS)
    for row in rows:
        ws.append([row.get(k) for k in ledger.KEYS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def closed_row(world, **kw):
    row = {
        "original_number": "TZ-001",
        "uscc": world.ent_a.uscc,
        "title": "招工难",
        "content": "缺一线操作工50人",
        "category": "用工",
        "channel": "政企交流主题日",
        "status": "已办结",
        "submitted_at": "2026-03-02 09:30",
        "lead": "市人社局",
        "co": "市自然资源局",
        "assigned_at": "2026-03-02 15:00",
        "measures": "组织专场招聘会",
        "result": "到岗38人",
        "replied_at": "2026/3/10 16:00",
        "satisfaction": "基本满意",
        "resolved": "是",
        "closed_at": "2026年3月12日",
    }
    row.update(kw)
    return row


def _category_name(world):
    return world.labour.name


@pytest.fixture
def rows(world):
    cat = _category_name(world)
    return [
        closed_row(world, category=cat),
        {
            "uscc": world.ent_a.uscc,
            "title": "用电增容",
            "content": "新产线需增容",
            "category": world.power_cat.name,
            "channel": "热线",
            "status": "办理中",
            "submitted_at": dt.datetime(2026, 10, 9, 8, 0),  # noqa: DTZ001 - an Excel date cell is naive
            "lead": "供电公司",
            "assigned_at": 46305.5,  # an Excel serial number: 2026-10-10 12:00
            "handle_deadline": "2026-10-30",
        },
        {
            "uscc": make_uscc("339902"),
            "enterprise_name": "东城新登记科技有限公司",
            "industry": "信息传输、软件和信息技术服务业",
            "scale": "微型",
            "contact_name": "李经理",
            "contact_mobile": "13700000009",
            "title": "办公场地",
            "content": "请求协调孵化器场地",
            "category": cat,
            "channel": "来访",
            "urgency": "紧急",
            "status": "待受理",
            "submitted_at": "2026-11-13",
        },
        {
            "uscc": world.ent_a.uscc,
            "title": "答复待评价",
            "content": "内容",
            "category": cat,
            "channel": "线上",
            "status": "已答复",
            "submitted_at": "2026-11-02 10:00",
            "lead": "市人社局",
            "assigned_at": "2026-11-02 11:00",
            "measures": "措施",
            "result": "结果",
            "replied_at": "2026-11-13 17:00",
        },
    ]


def test_a_good_ledger_is_imported_with_its_dates_and_states(world, clock, rows):
    batch = services.import_ledger(by=world.dispatcher, file_name="2026年台账.xlsx", content=xlsx(rows))
    assert batch.rows == 4
    closed, doing, new, replied = Appeal.objects.filter(import_batch=batch).order_by("pk")
    assert closed.status == Status.CLOSED
    assert closed.submitted_at == at(2026, 3, 2, 9, 30) and closed.assigned_at == at(2026, 3, 2, 15, 0)
    assert closed.replied_at == at(2026, 3, 10, 16, 0) and closed.closed_at == at(2026, 3, 12, 0, 0)
    assert (closed.satisfaction, closed.resolved, closed.auto_closed) == ("basic", True, False)
    assert closed.lead_department == world.hr and list(closed.co_departments.all()) == [world.land]
    assert closed.number.startswith("QQ20260302") and closed.deadline is None
    assert closed.contact_mobile == "13800000001"  # the enterprise's primary contact
    assert doing.status == Status.IN_PROGRESS and doing.lead_department == world.power
    assert doing.submitted_at == at(2026, 10, 9, 8, 0) and doing.assigned_at == at(2026, 10, 10, 12, 0)
    assert doing.deadline == doing.handle_deadline and doing.light() == "red"  # overdue since 2026-10-30
    assert new.status == Status.SUBMITTED and new.urgency == "urgent" and new.deadline is not None
    ent = Enterprise.objects.get(name="东城新登记科技有限公司")
    assert new.enterprise == ent and ent.primary_contact() == ("李经理", "13700000009")
    assert (ent.industry, ent.scale, ent.region) == ("I", "micro", world.city)
    assert replied.status == Status.REPLIED and replied.step == "rate"
    # Each says it was imported: one event, by the importer, naming the file and the row.
    event = closed.events.get()
    assert event.kind == AppealEvent.Kind.IMPORTED and event.actor == world.dispatcher
    assert event.note == "由台账导入：2026年台账.xlsx 第2行，原编号 TZ-001"
    assert event.to_status == "closed" and event.data["row"] == 2
    c = Client()
    c.force_login(world.dispatcher)
    page = c.get(f"/appeals/{closed.number}/").content.decode()
    assert "由台账导入" in page and "原台账记录：提交 2026-03-02" in page
    api = Client().get(
        f"/api/appeals/{closed.number}", headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"}
    )
    assert api.json()["imported"] is True
    # The enterprise sees its imported appeal like any other.
    c.force_login(world.ent_user_a)
    assert c.get(f"/appeals/{closed.number}/").status_code == 200
    # An imported closed appeal can be revisited like any other.
    services.record_revisit(appeal=closed, by=world.dispatcher, method="phone", reached=False)


def test_every_problem_is_listed_by_line_and_nothing_is_saved(world, clock, rows):
    cat = _category_name(world)
    bad = [
        rows[0],
        closed_row(
            world,
            category=cat,
            uscc="91339902MA00000011",
            lead="不存在局",
            replied_at="",
            satisfaction="很好",
        ),
        closed_row(world, category="飞行", channel="信鸽", status="已挂起", submitted_at="昨天"),
        {
            "uscc": make_uscc("339902"),
            "title": "x",
            "content": "y",
            "category": cat,
            "channel": "线上",
            "status": "待受理",
            "submitted_at": "2026-11-01",
        },
        closed_row(world, category=cat, uscc=world.ent_b.uscc),
        closed_row(world, category=cat, replied_at="2026-03-01 10:00"),
        closed_row(world, category=cat, submitted_at="2027-01-01"),
        closed_row(world, category=cat, contact_mobile="12345"),
    ]
    enterprises = Enterprise.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.import_ledger(by=world.dispatcher, file_name="台账.xlsx", content=xlsx(bad))
    problems = refused.value.errors["file"]
    assert "未导入任何诉求" in refused.value.message
    text = "\n".join(problems)
    assert not any(p.startswith("第2行") for p in problems)  # the good row has nothing to say
    assert "第3行：统一社会信用代码“91339902MA00000011”有误" in text
    assert "第3行：主办单位“不存在局”不是本区划可分派的部门" in text
    assert "第3行：状态为“已办结”时请填写答复时间" in text
    assert "第3行：满意度“很好”应为满意、基本满意或不满意" in text
    assert "第4行：类别“飞行”不存在" in text and "第4行：来源渠道“信鸽”不存在" in text
    assert "第4行：状态“已挂起”不能导入" in text
    assert "第4行：提交时间“昨天”不是有效的日期" in text
    assert "第5行：企业库中没有该统一社会信用代码，请填写企业名称" in text
    assert "第5行：新企业请填写行业门类" in text
    assert (
        "第6行：企业“西江鑫达物流有限公司”不在您的管辖区划内" not in text
    )  # the city's office reaches the west
    assert "第7行：答复时间不能早于分派时间" in text
    assert "第8行：提交时间不能晚于现在" in text
    assert "第9行：联系电话“12345”应为11位手机号码" in text
    assert Appeal.objects.count() == 0 and AppealImport.objects.count() == 0
    assert Enterprise.objects.count() == enterprises


def test_an_enterprise_outside_the_region_is_refused(world, clock, rows):
    row = closed_row(world, category=_category_name(world), uscc=world.ent_a.uscc)
    with pytest.raises(InvalidInput) as refused:
        services.import_ledger(by=world.dispatcher_west, file_name="t.xlsx", content=xlsx([row]))
    assert refused.value.errors["file"] == ["第2行：企业“东城恒信机械有限公司”不在您的管辖区划内"]


def test_the_same_file_is_not_imported_twice(world, clock, rows):
    content = xlsx(rows)
    services.import_ledger(by=world.dispatcher, file_name="a.xlsx", content=content)
    with pytest.raises(InvalidInput) as refused:
        services.import_ledger(by=world.dispatcher, file_name="b.xlsx", content=content)
    assert "不再重复导入" in refused.value.errors["file"][0]
    assert Appeal.objects.count() == 4


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.xlsx", b"not a spreadsheet", "不是有效的 Excel 文件"),
        ("a.csv", b"a,b", "请上传 .xlsx 格式的台账"),
        ("a.xlsx", b"", "文件为空"),
        ("a.xlsx", b"PK" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
    ],
)
def test_a_bad_file_is_refused_in_chinese(world, clock, name, content, expected):
    with pytest.raises(InvalidInput) as refused:
        services.import_ledger(by=world.dispatcher, file_name=name, content=content)
    assert expected in refused.value.errors["file"][0]


def test_wrong_headers_are_named(world, clock):
    headers = [h for h in ledger.HEADERS if h != "状态"] + ["备注"]
    with pytest.raises(InvalidInput) as refused:
        services.import_ledger(by=world.dispatcher, file_name="a.xlsx", content=xlsx([], headers=headers))
    assert "第1行：缺少列：状态" in refused.value.errors["file"]
    assert "第1行：模板中没有的列：备注" in refused.value.errors["file"]
    with pytest.raises(InvalidInput) as refused:
        services.import_ledger(by=world.dispatcher, file_name="a.xlsx", content=xlsx([]))
    assert "请从第2行起填写" in refused.value.errors["file"][0]


def test_only_an_office_imports(world, clock, rows):
    for user in (world.handler_hr, world.leader, world.ent_user_a):
        with pytest.raises(NotPermitted):
            services.import_ledger(by=user, file_name="a.xlsx", content=xlsx(rows))
        c = Client()
        c.force_login(user)
        assert c.get("/appeals/import/").status_code == 404
        assert c.get("/appeals/import/template/").status_code == 404
        r = Client().post(
            "/api/imports",
            {"file": SimpleUploadedFile("a.xlsx", xlsx(rows))},
            headers={"Authorization": f"Bearer {world.token(user)}"},
        )
        assert r.status_code == 403
    assert Appeal.objects.count() == 0


def test_the_template_imports_as_it_is(world, clock):
    c = Client()
    c.force_login(world.dispatcher)
    r = c.get("/appeals/import/template/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in wb["台账"][1]] == ledger.HEADERS
    allowed = {col[0].value: [c.value for c in col[1:] if c.value] for col in wb["可选值"].iter_cols()}
    assert world.labour.name in allowed["类别"] and "市人社局" in allowed["主办单位 / 协办单位"]
    assert "市营商办" not in allowed["主办单位 / 协办单位"]  # the office itself handles nothing
    assert allowed["状态"] == ["待受理", "办理中", "已答复", "已办结"]
    assert "政企交流主题日" in allowed["来源渠道"]
    # Upload it unchanged through the page: the example row is one appeal of a newly registered enterprise.
    r = c.post("/appeals/import/", {"file": SimpleUploadedFile("模板.xlsx", r.content)})
    assert r.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.enterprise.name == "示例机械有限公司" and appeal.status == Status.CLOSED
    page = c.get("/appeals/import/").content.decode()
    assert "已导入“模板.xlsx”中的 1 件诉求" in page and "导入记录" in page
    assert "{#" not in page and "Choose Files" not in page  # the file picker's comment stays a comment
    assert 'id="import-xlsx"' in c.get("/appeals/").content.decode()  # the way in, from the 调度台


def test_the_page_lists_every_problem_and_the_api_returns_them(world, clock, rows):
    bad = xlsx(
        [closed_row(world, category="飞行"), closed_row(world, category=_category_name(world), status="")]
    )
    c = Client()
    c.force_login(world.dispatcher)
    r = c.post("/appeals/import/", {"file": SimpleUploadedFile("台账.xlsx", bad)})
    assert r.status_code == 400
    html = r.content.decode()
    assert "台账有 2 处错误，未导入任何诉求" in html
    assert "第2行：类别“飞行”不存在" in html and "第3行：请填写状态" in html
    r = c.post("/appeals/import/", {})
    assert "请选择要导入的台账文件" in r.content.decode()
    api = Client().post(
        "/api/imports",
        {"file": SimpleUploadedFile("台账.xlsx", bad)},
        headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"},
    )
    assert api.status_code == 400
    assert "第2行：类别“飞行”不存在（见“可选值”）" in api.json()["errors"]["file"]
    assert Appeal.objects.count() == 0
    api = Client().post(
        "/api/imports",
        {"file": SimpleUploadedFile("台账.xlsx", xlsx(rows))},
        headers={"Authorization": f"Bearer {world.token(world.dispatcher)}"},
    )
    assert api.status_code == 201 and len(api.json()["appeals"]) == 4


def test_the_command_imports_as_the_named_office(world, clock, rows, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx(rows))
    with pytest.raises(CommandError, match="不属于区划"):
        call_command("import_appeals", xlsx=str(path), user="dispatcher_city", region="339903")
    with pytest.raises(CommandError, match="只有营商办可以导入台账"):
        call_command("import_appeals", xlsx=str(path), user="handler_hr")
    out = io.StringIO()
    call_command("import_appeals", xlsx=str(path), user="dispatcher_city", region="339900", stdout=out)
    assert "已导入“台账.xlsx”中的 4 件诉求" in out.getvalue()
    with pytest.raises(CommandError, match="不再重复导入"):
        call_command("import_appeals", xlsx=str(path), user="dispatcher_city")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-03-05", at(2026, 3, 5, 0, 0)),
        ("2026-03-05 14:30", at(2026, 3, 5, 14, 30)),
        ("2026/3/5", at(2026, 3, 5, 0, 0)),
        ("2026.03.05", at(2026, 3, 5, 0, 0)),
        ("2026年3月5日", at(2026, 3, 5, 0, 0)),
        ("2026年3月5日 9:05", at(2026, 3, 5, 9, 5)),
        (20260305, at(2026, 3, 5, 0, 0)),
        (dt.datetime(2026, 3, 5, 14, 30), at(2026, 3, 5, 14, 30)),  # noqa: DTZ001 - as Excel gives it
        (dt.date(2026, 3, 5), at(2026, 3, 5, 0, 0)),
        (46086.0, at(2026, 3, 5, 0, 0)),
        (None, None),
        ("", None),
    ],
)
def test_dates_in_the_forms_ledgers_use(settings, cell, expected):
    assert ledger.parse_moment(cell) == expected


@pytest.mark.parametrize("cell", ["昨天", "2026-02-30", "3/5", -5, True])
def test_dates_that_are_not_dates(cell):
    with pytest.raises((ValueError, OverflowError)):
        ledger.parse_moment(cell)
