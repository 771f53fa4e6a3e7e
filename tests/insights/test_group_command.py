"""``manage.py group_common_issues``: the CSV entry point to the common-issue grouping, on awkward files."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

PARKING = [
    "伊景园滨河苑小区开发商捆绑销售车位，要求业主购房必须同时购买车位，否则不给办理交房手续。",
    "伊景园滨河苑强制捆绑销售车位，业主不买车位就不能收房，请有关部门查处开发商。",
    "投诉伊景园滨河苑开发商捆绑出售车位，业主被迫购买车位，希望住建部门介入。",
]
OTHERS = [
    "学校食堂饭菜价格上涨太快，学生家长负担加重。",
    "高速公路收费站排队时间过长，建议增加人工通道。",
    "农村医保报销比例偏低，看病仍然很贵。",
]


def write(path, rows, encoding="utf-8", header=("id", "text", "label")):
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def run(source, target):
    out = io.StringIO()
    call_command("group_common_issues", "--csv", str(source), "--out", str(target), stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def read_groups(path):
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["id", "group"]
        return dict(reader)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_groups_the_same_complaint_and_leaves_the_rest_alone(tmp_path, encoding):
    rows = [(f"p{i}", t, "x") for i, t in enumerate(PARKING)] + [
        (f"o{i}", t, "y") for i, t in enumerate(OTHERS)
    ]
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write(source, rows, encoding)
    assert run(source, target) == "messages=6 groups=1 grouped=3"
    groups = read_groups(target)
    assert list(groups) == ["p0", "p1", "p2", "o0", "o1", "o2"]  # every message, in the input's order
    assert groups["p0"] == groups["p1"] == groups["p2"] == "1"
    assert groups["o0"] == groups["o1"] == groups["o2"] == ""


def test_other_columns_in_any_order_are_ignored_and_empty_text_is_in_no_group(tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [("x", PARKING[0], "7"), ("2", "", "8"), ("y", PARKING[1], "9")]
    write(source, [(r[2], r[1], r[0]) for r in rows], header=("likes", "text", "id"))
    assert run(source, target) == "messages=3 groups=1 grouped=2"
    assert read_groups(target) == {"x": "1", "2": "", "y": "1"}


def test_a_file_without_the_columns_is_refused_in_chinese(tmp_path):
    source = tmp_path / "in.csv"
    write(source, [("1", "厂区停电")], header=("编号", "text"))
    with pytest.raises(CommandError, match="缺少必需的列：id"):
        run(source, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_empty_and_repeated_ids_are_refused_with_line_numbers(tmp_path):
    source = tmp_path / "in.csv"
    write(source, [("1", "厂区停电"), ("", "道路破损"), ("1", "招工难")])
    with pytest.raises(CommandError) as exc:
        run(source, tmp_path / "out.csv")
    assert "第 3 行：id 为空" in str(exc.value) and "第 4 行：id“1”重复" in str(exc.value)


def test_a_missing_or_undecodable_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="找不到输入文件"):
        run(tmp_path / "nope.csv", tmp_path / "out.csv")
    source = tmp_path / "in.csv"
    source.write_bytes(b"id,text\n1,\xff\xfe\xff\n")
    with pytest.raises(CommandError, match="无法识别文件编码"):
        run(source, tmp_path / "out.csv")


def test_an_unwritable_output_is_a_chinese_error(tmp_path):
    source = tmp_path / "in.csv"
    write(source, [("1", PARKING[0])])
    with pytest.raises(CommandError, match="无法写入输出文件"):
        run(source, tmp_path / "no-such-folder" / "out.csv")


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    source = tmp_path / "in.csv"
    write(source, [("1", "厂区停电")], header=("编号", "内容"))
    done = subprocess.run(  # noqa: S603 - our own manage.py with a temporary file
        [
            sys.executable,
            str(settings.PROJECT_DIR / "manage.py"),
            "group_common_issues",
            "--csv",
            str(source),
            "--out",
            str(tmp_path / "out.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "缺少必需的列：id、text" in done.stderr
