"""Reading a credit list as an authority sends it: one row per entry, CSV (UTF-8, UTF-8 with BOM, GBK/GB18030
as Excel saves it in China, or UTF-16 "Unicode text") or an .xlsx workbook (its first sheet).

``read_rows`` turns the bytes into checked rows and refused rows, each refused row with its line number and the
reason in Chinese; a file that cannot be read as a list at all (wrong columns, unknown encoding, too large,
empty) raises ``InvalidInput`` and nothing is saved. ``services.import_list`` then applies the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from qinqing.core.errors import InvalidInput
from qinqing.credit.codes import code_error, normalise_code

MAX_BYTES = 50 * 1024 * 1024
REQUIRED = ("uscc", "name", "reason", "decision_no", "decided_on", "display_until")
OPTIONAL = ("earliest_end",)
COLUMNS = REQUIRED + OPTIONAL
# The Chinese headings a department's own export is likely to carry.
ALIASES = {
    "统一社会信用代码": "uscc",
    "信用代码": "uscc",
    "主体名称": "name",
    "企业名称": "name",
    "名称": "name",
    "列入事由": "reason",
    "列入原因": "reason",
    "事由": "reason",
    "决定文书号": "decision_no",
    "决定书文号": "decision_no",
    "文书号": "decision_no",
    "列入日期": "decided_on",
    "认定日期": "decided_on",
    "决定日期": "decided_on",
    "公示截止日期": "display_until",
    "公示截止": "display_until",
    "最长公示期满": "display_until",
    "最短公示期满": "earliest_end",
}
LIMITS = {"name": 120, "decision_no": 100, "reason": 2000}
LABELS = {
    "uscc": "统一社会信用代码",
    "name": "主体名称",
    "reason": "列入事由",
    "decision_no": "决定文书号",
    "decided_on": "列入日期",
    "display_until": "公示截止日期",
    "earliest_end": "最短公示期满日期",
}


@dataclass
class Row:
    line: int
    uscc: str
    name: str
    reason: str
    decision_no: str
    decided_on: dt.date
    display_until: dt.date
    earliest_end: dt.date | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.uscc, self.decision_no)


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    # Keys of refused rows whose code was valid: their entries must not be ended as "missing from the file".
    protected: set[tuple[str, str]] = field(default_factory=set)
    encoding: str = ""
    lines: int = 0


def too_large(size: int) -> InvalidInput:
    return InvalidInput(
        f"文件过大（{size / 1024 / 1024:.1f} MB），单个名单文件不能超过 50 MB，请分批导入或联系管理员"
    )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8-BOM"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
        try:
            # GB18030 is a superset of GBK and GB2312: what "CSV" from Excel or WPS on a Chinese Windows is.
            return data.decode("gb18030"), "GBK"
        except UnicodeDecodeError:
            pass
    raise InvalidInput("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件，或 Excel（.xlsx）文件")


def _csv_table(data: bytes) -> tuple[list[list[str]], str]:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise InvalidInput("文件不是文本格式的 CSV：请另存为 CSV（逗号分隔）或 Excel（.xlsx）文件")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)], encoding


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_table(data: bytes) -> tuple[list[list[str]], str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key errors) for a broken workbook
        raise InvalidInput("Excel 文件无法读取：请确认是 .xlsx 格式且未损坏") from exc
    try:
        sheet = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)], "XLSX"
    finally:
        wb.close()


def _header(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(cells):
        name = raw.strip().lstrip("\ufeff").strip()
        name = ALIASES.get(name, name.lower())
        if name in COLUMNS:
            if name in found:
                raise InvalidInput(f"列“{name}”出现了两次，请删除重复的列")
            found[name] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        wanted = ",".join(REQUIRED)
        names = "、".join(f"{c}（{LABELS[c]}）" for c in missing)
        raise InvalidInput(f"文件列不正确：缺少 {names}。第一行应为列名：{wanted}（可另加 earliest_end）")
    return found


def _date(value: str, label: str) -> tuple[dt.date | None, str | None]:
    text = value.strip()
    if not text:
        return None, f"{label}为空"
    try:
        return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text), None
    except ValueError:
        return None, f"{label}“{text}”不是 YYYY-MM-DD 格式的日期"


def read_rows(data: bytes, filename: str = "") -> Parsed:
    if len(data) > MAX_BYTES:
        raise too_large(len(data))
    if not data.strip():
        raise InvalidInput("文件为空")
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        table, encoding = _xlsx_table(data)
    elif filename.lower().endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput("不支持旧版 Excel（.xls）文件：请另存为 .xlsx 或 CSV 后再导入")
    else:
        table, encoding = _csv_table(data)
    if not table:
        raise InvalidInput("文件为空")
    columns = _header(table[0])
    parsed = Parsed(encoding=encoding)
    seen: dict[tuple[str, str], int] = {}
    for line, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        parsed.lines += 1
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
        code = normalise_code(values["uscc"])
        problems: list[str] = []
        bad_code = code_error(code)
        if bad_code:
            problems.append(bad_code)
        for name in ("name", "reason"):
            if not values[name]:
                problems.append(f"{LABELS[name]}为空")
        for name, limit in LIMITS.items():
            if len(values[name]) > limit:
                problems.append(f"{LABELS[name]}超过{limit}个字符")
        decided_on, err = _date(values["decided_on"], LABELS["decided_on"])
        if err:
            problems.append(err)
        display_until, err = _date(values["display_until"], LABELS["display_until"])
        if err:
            problems.append(err)
        earliest_end = None
        if values.get("earliest_end"):
            earliest_end, err = _date(values["earliest_end"], LABELS["earliest_end"])
            if err:
                problems.append(err)
        if decided_on and display_until and display_until < decided_on:
            problems.append("公示截止日期早于列入日期")
        if earliest_end and display_until and earliest_end > display_until:
            problems.append("最短公示期满日期晚于公示截止日期")
        key = (code, values["decision_no"])
        if not problems and key in seen:
            problems.append(
                f"与第{seen[key]}行重复（同一统一社会信用代码、同一决定文书号），只保留第{seen[key]}行"
            )
        if problems:
            parsed.refused.append(
                {"line": line, "uscc": values["uscc"][:40], "reason": f"第{line}行：" + "；".join(problems)}
            )
            if not bad_code:
                parsed.protected.add(key)
            continue
        assert decided_on is not None and display_until is not None
        seen[key] = line
        parsed.rows.append(
            Row(
                line=line,
                uscc=code,
                name=values["name"],
                reason=values["reason"],
                decision_no=values["decision_no"],
                decided_on=decided_on,
                display_until=display_until,
                earliest_end=earliest_end,
            )
        )
    return parsed
