"""Reading a department's attribute file (CSV, columns ``uscc,key,value,source,as_of[,valid_until]``).

The file as a whole must be right (size, encoding, columns), or nothing is read: ``FileRefused`` with a Chinese
reason. Inside a right file each row is checked on its own; a bad row is refused with its line number and the
reason, the good rows are imported (and re-importing the same file changes nothing). Chosen over refusing the
whole file for one bad row because a department's export of thousands of rows routinely has a few bad codes, and
the report names each refused line so they can be fixed and sent again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.utils import timezone

from qinqing.enterprises import attributes
from qinqing.enterprises.models import AttributeSource, Enterprise
from qinqing.enterprises.services import ImportRow
from qinqing.enterprises.validators import normalise_uscc, validate_uscc

MAX_BYTES = 20 * 1024 * 1024
REQUIRED = ("uscc", "key", "value", "source", "as_of")
OPTIONAL = ("valid_until",)
HEADER_ALIASES = {
    "统一社会信用代码": "uscc",
    "属性": "key",
    "取值": "value",
    "来源": "source",
    "数据日期": "as_of",
    "有效期至": "valid_until",
}
SOURCES = {
    "self": AttributeSource.SELF,
    "self-declared": AttributeSource.SELF,
    "企业自报": AttributeSource.SELF,
    "confirmed": AttributeSource.CONFIRMED,
    "department-confirmed": AttributeSource.CONFIRMED,
    "部门确认": AttributeSource.CONFIRMED,
    "imported": AttributeSource.IMPORTED,
    "部门导入": AttributeSource.IMPORTED,
    "导入": AttributeSource.IMPORTED,
}


class FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes) or GBK/GB18030 (what Excel on a Chinese Windows saves)."""
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"文件过大（{len(data) // (1024 * 1024)} MB），单个文件不能超过 20 MB，请拆分后导入"
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("这是 Excel 工作簿，不是 CSV 文件：请在 Excel 中“另存为 CSV”后导入")
    if b"\x00" in data[:4096]:
        raise FileRefused("文件编码无法识别（疑似 UTF-16），请另存为 UTF-8 或 GBK 编码的 CSV")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV")


def _date(text: str, label: str) -> dt.date:
    try:
        return attributes.parse_date(text)
    except ValueError:
        raise ValueError(f"{label}“{text}”格式不正确，应为 YYYY-MM-DD") from None


def read(data: bytes) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    """(good rows, [(line, reason)]) of a file, or FileRefused for a file that is wrong as a whole."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused("文件为空") from None
    except csv.Error as exc:
        raise FileRefused(f"第1行不是合法的 CSV：{exc}") from None
    names = [HEADER_ALIASES.get(h.strip(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [h for h in names if h and h not in REQUIRED + OPTIONAL]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("缺少列 " + "、".join(missing))
        if unknown:
            parts.append("无法识别的列 " + "、".join(unknown))
        raise FileRefused(
            "表头不正确（" + "；".join(parts) + "），应为 uscc,key,value,source,as_of[,valid_until]"
        )
    index = {name: i for i, name in enumerate(names)}
    raw_rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                raw_rows.append(
                    (reader.line_num, {"__error__": f"列数过多（{len(row)} 列，表头 {len(names)} 列）"})
                )
                continue
            raw_rows.append(
                (reader.line_num, {n: (row[i].strip() if i < len(row) else "") for n, i in index.items()})
            )
    except csv.Error as exc:
        raise FileRefused(f"第{reader.line_num}行不是合法的 CSV：{exc}") from None

    codes = {normalise_uscc(r.get("uscc", "")) for _, r in raw_rows}
    known = dict(
        Enterprise.objects.filter(uscc__in=codes).values_list("uscc", "pk")
    )  # scope-ok: import by code
    good: list[ImportRow] = []
    refused: list[tuple[int, str]] = []
    seen: dict[tuple[int, str], int] = {}
    today = timezone.localdate()
    for line, r in raw_rows:
        if "__error__" in r:
            refused.append((line, r["__error__"]))
            continue
        try:
            code = normalise_uscc(r["uscc"])
            try:
                validate_uscc(code)
            except ValidationError as exc:
                raise ValueError(f"统一社会信用代码“{r['uscc']}”：{exc.messages[0]}") from None
            enterprise_id = known.get(code)
            if enterprise_id is None:
                raise ValueError(f"企业库中没有统一社会信用代码为 {code} 的企业")
            key = r["key"]
            if key not in attributes.ATTRIBUTES:
                raise ValueError(f"未知的属性“{key}”")
            source = SOURCES.get(r["source"].lower())
            if source is None:
                raise ValueError(f"来源“{r['source']}”应为 self-declared、department-confirmed 或 imported")
            if not r["as_of"]:
                raise ValueError("缺少数据日期 as_of")
            as_of = _date(r["as_of"], "数据日期")
            if as_of > today:
                raise ValueError("数据日期不能晚于今天")
            valid_until = _date(r["valid_until"], "有效期") if r.get("valid_until") else None
            if valid_until is not None and valid_until < as_of:
                raise ValueError("有效期不能早于数据日期")
            value = attributes.parse(key, r["value"]) if r["value"] else ""
            if (enterprise_id, key) in seen:
                raise ValueError(f"与第{seen[(enterprise_id, key)]}行重复（同一企业的同一属性）")
        except ValueError as exc:
            refused.append((line, str(exc)))
            continue
        seen[(enterprise_id, key)] = line
        good.append(ImportRow(line, enterprise_id, key, value, source, as_of, valid_until))
    return good, refused
