"""The shipped frameworks, the Excel round trip through the exact commands, a framework of our own that imports
and scores as the formula says, and refused files with their line numbers."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from qinqing.core.errors import InvalidInput
from qinqing.indices import frameworks
from qinqing.indices.models import Framework, Grouping, Indicator, IndicatorMapping
from qinqing.indices.scoring import Tree

pytestmark = pytest.mark.django_db


def _cells(path):
    wb = load_workbook(path)
    return {name: [[c.value for c in row] for row in wb[name].iter_rows()] for name in wb.sheetnames}


def test_shipped_frameworks_are_there_with_their_shape():
    national = Framework.objects.get(code="cn-national-2020")
    first = list(national.indicators.filter(parent=None).order_by("position"))
    assert len(first) == 18
    assert first[0].name == "开办企业" and first[-1].name == "包容普惠创新"
    assert "中国营商环境报告" in national.source
    gd = Framework.objects.get(code="gd-provincial-2023")
    gd_first = list(gd.indicators.filter(parent=None).order_by("position"))
    assert len(gd_first) == 12
    assert [i.name for i in gd_first[-2:]] == ["政务服务", "经营主体满意度"]
    for ind in gd_first:
        assert [c.name for c in ind.children.order_by("position")] == [
            "制度规范化建设",
            "公共服务质量",
            "便利度",
        ]
    bready = Framework.objects.get(code="wb-bready-2024")
    assert bready.indicators.filter(parent=None).count() == 10
    assert bready.indicators.filter(level=2).count() == 30
    assert "World Bank" in bready.source
    assert IndicatorMapping.objects.filter(source__code="CN01", target__framework=bready).exists()
    four = Grouping.objects.get(code="four-environments")
    assert [i.name for i in four.items.order_by("position")] == [
        "法治环境",
        "政务环境",
        "市场环境",
        "社会环境",
    ]
    assert sum(i.indicators.count() for i in four.items.all()) == 18
    assert national.indicators.exclude(computed="").count() == 4  # 3 from the appeals, 1 from redemption


def test_list_prints_one_code_a_line(capsys):
    out = io.StringIO()
    call_command("export_framework", "--list", stdout=out)
    assert out.getvalue().split() == ["cn-national-2020", "gd-provincial-2023", "wb-bready-2024"]


@pytest.mark.parametrize("code", frameworks.SHIPPED)
def test_every_shipped_framework_round_trips(code, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    call_command("export_framework", "--code", code, "--out", str(first), stdout=io.StringIO())
    Framework.objects.all().delete()
    out = io.StringIO()
    call_command("import_framework", "--file", str(first), stdout=out)
    n = Indicator.objects.filter(framework__code=code).count()
    assert out.getvalue().strip().splitlines()[-1] == f"indicators={n}"
    call_command("export_framework", "--code", code, "--out", str(second), stdout=io.StringIO())
    a, b = _cells(first), _cells(second)
    assert a == b
    assert a["指标"][0][:11] == [
        "指标代码",
        "上级指标代码",
        "指标名称",
        "权重",
        "单位",
        "方向",
        "计分方法",
        "最优值",
        "最差值",
        "数据来源",
        "牵头部门",
    ]
    assert len(a["指标"]) == n + 1
    head = dict(a["体系"][1:])
    fw = Framework.objects.get(code=code)
    assert head == {
        "体系代码": fw.code,
        "体系名称": fw.name,
        "版本": fw.version,
        "年度": fw.year,
        "来源": fw.source,
        "说明": fw.description or None,
    }


def _own(rows, head=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(
        [
            "指标代码",
            "上级指标代码",
            "指标名称",
            "权重",
            "单位",
            "方向",
            "计分方法",
            "最优值",
            "最差值",
            "数据来源",
            "牵头部门",
        ]
    )
    for r in rows:
        ws.append(r)
    meta = wb.create_sheet("体系")
    meta.append(["项目", "内容"])
    for k, v in (
        head
        or {"体系代码": "own-test", "体系名称": "自编测试体系", "版本": "v1", "年度": 2025, "来源": "本测试"}
    ).items():
        meta.append([k, v])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_framework_we_wrote_imports_and_scores_as_the_formula_says(tmp_path):
    path = tmp_path / "own.xlsx"
    path.write_bytes(
        _own(
            [
                ["A", "", "效率", 2, "分", "higher", "points", None, None, "", ""],
                ["A1", "A", "办理时间", 1, "天", "越低越好", "前沿距离法", 1, 11, "部门填报", "某局"],
                ["A2", "A", "办结率", 3, "%", "higher", "frontier", 100, 50, "部门填报", "某局"],
                ["B", "", "满意", 1, "分", "越高越好", "计分", None, None, "", ""],
                ["B1", "B", "满意度", 1, "分", "越高越好", "满意度调查得分", None, None, "调查", ""],
                ["B2", "B", "一网通办", 1, "", "higher", "yesno", None, None, "", ""],
            ]
        )
    )
    out = io.StringIO()
    call_command("import_framework", "--file", str(path), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "indicators=6"
    fw = Framework.objects.get(code="own-test")
    inds = {i.code: i for i in fw.indicators.all()}
    assert inds["A1"].direction == "lower" and inds["A1"].method == "frontier" and inds["A1"].level == 2
    assert inds["B1"].method == "survey" and inds["B2"].method == "yesno"
    tree = Tree.of(inds.values())
    scores = tree.scores(
        {
            inds["A1"].pk: Decimal(3),
            inds["A2"].pk: Decimal(90),
            inds["B1"].pk: Decimal(70),
            inds["B2"].pk: Decimal(0),
        }
    )
    a1 = (11 - 3) / (11 - 1) * 100  # 80
    a2 = (50 - 90) / (50 - 100) * 100  # 80
    assert scores[inds["A1"].pk] == pytest.approx(a1)
    assert scores[inds["A2"].pk] == pytest.approx(a2)
    assert scores[inds["A"].pk] == pytest.approx((a1 * 1 + a2 * 3) / 4)
    assert scores[inds["B"].pk] == pytest.approx((70 + 0) / 2)
    assert scores[None] == pytest.approx((80 * 2 + 35 * 1) / 3, abs=0.01)
    # Importing the same file again changes nothing.
    call_command("import_framework", "--file", str(path), stdout=io.StringIO())
    assert fw.indicators.count() == 6


def test_a_wrong_file_is_refused_line_by_line_and_nothing_is_saved():
    data = _own(
        [
            ["A", "", "效率", 1, "", "higher", "points", None, None, "", ""],
            ["A1", "A", "办理时间", "很多", "天", "越低越好", "前沿距离法", 11, 1, "", ""],
            ["A1", "Z", "重复", 1, "", "sideways", "magic", None, None, "", ""],
            ["A3", "A", "没有最差值", 1, "", "lower", "frontier", 1, None, "", ""],
        ]
    )
    with pytest.raises(InvalidInput) as exc:
        frameworks.save(frameworks.read_xlsx(data))
    rows = exc.value.errors["rows"]
    assert any(r.startswith("第3行：权重应为数值") for r in rows)
    assert any(r.startswith("第4行：") and "与第3行重复" in r and "方向“sideways”无法识别" in r for r in rows)
    assert any(r.startswith("第4行：上级指标代码“Z”") for r in rows)
    assert any(r.startswith("第3行：方向为“越低越好”时最优值应小于最差值") for r in rows)
    assert any(r.startswith("第5行：前沿距离法须填写最优值和最差值") for r in rows)
    assert not Framework.objects.filter(code="own-test").exists()


def test_the_command_reports_errors_in_chinese(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="Excel 文件无法读取"):
        call_command("import_framework", "--file", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_removing_an_indicator_with_observations_is_refused(world):
    from qinqing.indices.models import Observation

    fw = Framework.objects.get(code="wb-bready-2024")
    leaf = fw.indicators.get(code="BR01.P1")
    Observation.objects.create(indicator=leaf, region=world.city, period="2025", value=50)
    spec = frameworks.read_xlsx(frameworks.export_xlsx(fw))
    spec.indicators = [i for i in spec.indicators if i["code"] != "BR01.P1"]
    with pytest.raises(InvalidInput) as exc:
        frameworks.save(spec)
    assert "BR01.P1" in exc.value.errors["rows"][0]
    assert fw.indicators.filter(code="BR01.P1").exists()
