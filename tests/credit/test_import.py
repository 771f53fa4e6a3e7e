"""import_credit_list: the traps a department's file carries, through the command as the checkers call it."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from qinqing.credit import selectors, services
from qinqing.credit.models import CreditEntry, CreditEvent, EndReason, ImportBatch
from qinqing.supervision.models import Notification
from tests.conftest import make_uscc

HEADER = "uscc,name,reason,decision_no,decided_on,display_until\n"


def run(tmp_path, text, kind="serious", encoding="utf-8", name="list.csv", raw=None):
    path = tmp_path / name
    path.write_bytes(raw if raw is not None else text.encode(encoding))
    out = io.StringIO()
    call_command("import_credit_list", "--csv", str(path), "--kind", kind, stdout=out)
    return out.getvalue().strip().splitlines()


def fullwidth(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


def with_bad_check(code: str) -> str:
    last = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = next(c for c in last if c != code[-1])
    return code[:-1] + wrong


@pytest.fixture
def codes(world):
    other = make_uscc("339903")
    return world.ent_a.uscc, world.ent_b.uscc, other


def test_first_import_adds_links_and_prints_the_summary_last(tmp_path, world, codes, clock):
    a, b, other = codes
    lines = run(
        tmp_path,
        HEADER
        + f"{a},东城恒信机械有限公司,拒不履行法院判决,（2026）青执12号,2026-10-01,2029-10-01\n"
        + f"{other},未入库的某公司,虚开发票,青税罚〔2026〕3号,2026-09-01,2029-09-01\n",
    )
    assert lines[-1] == "added=2 changed=0 removed=0 refused=0"
    linked = CreditEntry.objects.get(uscc=a)
    assert linked.enterprise == world.ent_a
    assert CreditEntry.objects.get(uscc=other).enterprise is None
    assert [e.uscc for e in selectors.active_entries(a, dt.date(2026, 11, 16))] == [a]
    assert not selectors.active_entries(b, dt.date(2026, 11, 16))
    # The enterprise's users hear of it; the unregistered one has nobody to tell.
    assert Notification.objects.filter(recipient=world.ent_user_a, kind="credit").count() == 1
    assert CreditEvent.objects.filter(kind=CreditEvent.Kind.LISTED).count() == 2


def test_full_width_lowercase_and_spaces_are_normalised(tmp_path, world, codes, clock):
    a, b, _ = codes
    spaced = " ".join([a[:6], a[6:12], a[12:]])
    lines = run(
        tmp_path,
        HEADER
        + f"{fullwidth(a)},甲,事由,文1,2026-10-01,2029-10-01\n"
        + f"{b.lower()},乙,事由,文2,2026-10-01,2029-10-01\n"
        + f"\u3000{spaced} ,甲,事由,文3,2026-10-01,2029-10-01\n",
    )
    assert lines[-1] == "added=3 changed=0 removed=0 refused=0"
    assert set(CreditEntry.objects.values_list("uscc", flat=True)) == {a, b}
    assert CreditEntry.objects.filter(enterprise=world.ent_b).count() == 1


def test_wrong_check_digit_and_duplicates_are_refused_with_line_numbers(tmp_path, world, codes, clock):
    a, b, _ = codes
    lines = run(
        tmp_path,
        HEADER
        + f"{a},甲,事由,文1,2026-10-01,2029-10-01\n"
        + f"{with_bad_check(b)},乙,事由,文2,2026-10-01,2029-10-01\n"
        + f"{a.lower()},甲,事由又写一遍,文1,2026-10-01,2029-10-01\n"
        + f"{b},乙,事由,文3,2026/10/01,2029-10-01\n",
    )
    assert lines[-1] == "added=1 changed=0 removed=0 refused=3"
    text = "\n".join(lines)
    assert "第3行：统一社会信用代码" in text and "校验位不正确" in text
    assert "第4行：与第2行重复" in text
    assert "第5行：列入日期“2026/10/01”不是 YYYY-MM-DD 格式的日期" in text
    batch = ImportBatch.objects.get()
    assert [r["line"] for r in batch.refused_rows] == [3, 4, 5]


def test_reimport_is_idempotent_changes_and_removals_are_counted(tmp_path, world, codes, clock):
    a, b, other = codes
    first = (
        HEADER
        + f"{a},甲,事由,文1,2026-10-01,2029-10-01\n"
        + f"{b},乙,事由,文2,2026-10-01,2029-10-01\n"
        + f"{other},丙,事由,文3,2026-10-01,2029-10-01\n"
    )
    assert run(tmp_path, first)[-1] == "added=3 changed=0 removed=0 refused=0"
    assert run(tmp_path, first)[-1] == "added=0 changed=0 removed=0 refused=0"
    second = (
        HEADER
        + f"{a},甲,事由（已更正）,文1,2026-10-01,2030-10-01\n"  # changed reason and end
        + f"{other},丙,事由,文3,2026-10-01,2029-10-01\n"  # unchanged; b is gone
    )
    assert run(tmp_path, second)[-1] == "added=0 changed=1 removed=1 refused=0"
    assert CreditEntry.objects.get(uscc=a).display_until == dt.date(2030, 10, 1)
    gone = CreditEntry.objects.get(uscc=b)
    assert gone.ended_reason == EndReason.REMOVED and not gone.in_force(dt.date(2026, 11, 16))
    assert not selectors.active_entries(b, dt.date(2026, 11, 16))
    changed = CreditEvent.objects.get(kind=CreditEvent.Kind.CHANGED)
    assert changed.data["display_until"] == ["2029-10-01", "2030-10-01"]
    # Sent again: it is back on the list.
    assert run(tmp_path, first)[-1] == "added=1 changed=1 removed=0 refused=0"
    assert selectors.active_entries(b, dt.date(2026, 11, 16))
    assert ImportBatch.objects.count() == 4


def test_a_refused_row_does_not_remove_its_entry(tmp_path, world, codes, clock):
    a, b, _ = codes
    run(tmp_path, HEADER + f"{a},甲,事由,文1,2026-10-01,2029-10-01\n{b},乙,事由,文2,2026-10-01,2029-10-01\n")
    lines = run(
        tmp_path, HEADER + f"{a},甲,事由,文1,2026-10-01,2029-10-01\n{b},乙,事由,文2,2026-10-01,不详\n"
    )
    assert lines[-1] == "added=0 changed=0 removed=0 refused=1"
    assert selectors.active_entries(b, dt.date(2026, 11, 16))


def test_gbk_bom_and_xlsx_files_are_read(tmp_path, world, codes, clock):
    a, b, _ = codes
    body = HEADER + f"{a},东城恒信机械有限公司,未按期年报,市监异〔2026〕1号,2026-10-01,2029-10-01\n"
    assert run(tmp_path, body, kind="abnormal", encoding="gbk")[-1].startswith("added=1 ")
    assert ImportBatch.objects.get().encoding == "GBK"
    assert CreditEntry.objects.get().name == "东城恒信机械有限公司"
    assert run(tmp_path, body, kind="abnormal", raw=b"\xef\xbb\xbf" + body.encode())[-1] == (
        "added=0 changed=0 removed=0 refused=0"
    )
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "主体名称", "列入事由", "决定文书号", "列入日期", "公示截止日期"])
    ws.append(
        [
            a,
            "东城恒信机械有限公司",
            "未按期年报",
            "市监异〔2026〕1号",
            dt.datetime(2026, 10, 1, tzinfo=None),  # noqa: DTZ001 - Excel cells are naive
            "2029-10-01",
        ]
    )
    ws.append(
        [
            b,
            "西江鑫达物流有限公司",
            "通过登记的住所无法联系",
            "市监异〔2026〕2号",
            dt.date(2026, 10, 2),
            dt.date(2029, 10, 2),
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    lines = run(tmp_path, "", kind="abnormal", name="list.xlsx", raw=out.getvalue())
    assert lines[-1] == "added=1 changed=0 removed=0 refused=0"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"code,title,reason\n1,2,3\n", "文件列不正确：缺少 uscc（统一社会信用代码）"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4, "无法识别文件编码"),
        (b"", "文件为空"),
    ],
)
def test_unreadable_files_save_nothing(tmp_path, world, raw, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, "", raw=raw)
    assert not ImportBatch.objects.exists() and not CreditEntry.objects.exists()


def test_a_file_over_50_mb_is_refused_before_reading(tmp_path, world):
    path = tmp_path / "big.csv"
    with path.open("wb") as f:
        f.write(HEADER.encode())
        f.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(CommandError, match="不能超过 50 MB"):
        call_command("import_credit_list", "--csv", str(path), "--kind", "red", stdout=io.StringIO())
    assert not ImportBatch.objects.exists()


def test_expiry_ends_entries_by_themselves(tmp_path, world, codes, clock):
    a, _, _ = codes
    run(tmp_path, HEADER + f"{a},甲,事由,文1,2026-10-01,2026-11-20\n")
    assert selectors.active_entries(a, dt.date(2026, 11, 20))
    # Selectors filter on the date even before the sweep ran.
    assert not selectors.active_entries(a, dt.date(2026, 11, 21))
    clock.move_to(dt.datetime(2026, 11, 21, 1, 0, tzinfo=dt.UTC))
    assert services.expire_entries().ended == 1
    assert services.expire_entries().ended == 0  # idempotent
    entry = CreditEntry.objects.get()
    assert entry.ended_reason == EndReason.EXPIRED
    # The same file again leaves the expired entry as it is.
    assert run(tmp_path, HEADER + f"{a},甲,事由,文1,2026-10-01,2026-11-20\n")[-1] == (
        "added=0 changed=0 removed=0 refused=0"
    )


def test_expiry_runs_as_a_periodic_task(world):
    from qinqing.core.schedule import periodic_jobs

    assert "qinqing.credit.tasks.expire_credit_entries" in {p.name for p in periodic_jobs()}
