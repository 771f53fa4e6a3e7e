"""Frameworks in and out: the shipped ones (``indices/data/*.json``), and Excel.

The workbook has two sheets:

* ``指标`` — one row per indicator, in the framework's order, with the columns of ``COLUMNS`` (指标代码, 上级指标代码,
  指标名称, 权重, 单位, 方向, 计分方法, 最优值, 最差值, 数据来源, 牵头部门, then 频次 and 系统计算来源). The parent is named
  by its code (empty for a first-level indicator); the level follows from the parent.
* ``体系`` — the framework itself, one row per field: 体系代码, 体系名称, 版本, 年度, 来源, 说明.

Export writes 方向, 计分方法 and 频次 as their Chinese labels (越高越好 / 越低越好; 前沿距离法 / 是否判定 / 计分 /
满意度调查得分; 年度 / 半年 / 季度 / 月度); import reads either the label or the code (higher / lower; frontier / yesno /
points / survey; year / half / quarter / month). Import replaces the framework of the same code as a whole: an
indicator missing from the file is removed, unless observations were recorded against it (then the file is
refused). Every error names its line, and nothing is saved unless the whole file is right.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from qinqing.core import excel
from qinqing.core.errors import InvalidInput

DATA = Path(__file__).with_name("data")
SHIPPED = ("cn-national-2020", "gd-provincial-2023", "wb-bready-2024")

# (key, heading) of the indicator sheet, in order; the first eleven are the checked shape.
COLUMNS = [
    ("code", "指标代码"),
    ("parent", "上级指标代码"),
    ("name", "指标名称"),
    ("weight", "权重"),
    ("unit", "单位"),
    ("direction", "方向"),
    ("method", "计分方法"),
    ("best", "最优值"),
    ("worst", "最差值"),
    ("data_source", "数据来源"),
    ("owner", "牵头部门"),
    ("frequency", "频次"),
    ("computed", "系统计算来源"),
]
HEAD_FIELDS = [
    ("code", "体系代码"),
    ("name", "体系名称"),
    ("version", "版本"),
    ("year", "年度"),
    ("source", "来源"),
    ("description", "说明"),
]
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
METHODS = {"frontier": "前沿距离法", "yesno": "是否判定", "points": "计分", "survey": "满意度调查得分"}
FREQUENCIES = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度"}
SHEET, HEAD_SHEET = "指标", "体系"
MAX_ROWS = 5000
LIMITS = {"code": 40, "name": 200, "unit": 30, "data_source": 200, "owner": 100, "computed": 40}


@dataclass
class Spec:
    code: str
    name: str
    version: str
    year: int
    source: str
    description: str = ""
    indicators: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------- reading and checking


def _choice(value: str, table: dict[str, str], default: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return default
    if value in table:
        return value
    for code, label in table.items():
        if value == label:
            return code
    return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError from exc
    if not d.is_finite() or abs(d) >= Decimal("1e10"):
        raise ValueError
    return d


def check(spec: Spec, *, first_line: int = 2) -> list[dict[str, Any]]:
    """The indicators as ``save`` takes them (codes, Decimals, levels), or InvalidInput with line-numbered errors."""
    from qinqing.indices.computed import SOURCES

    errors: list[str] = []
    head: list[str] = []
    code = (spec.code or "").strip()
    if not code or len(code) > 60 or not all(c.isalnum() or c in "-_" for c in code) or not code.isascii():
        head.append("体系代码应为字母、数字、连字符，不超过60个字符")
    if not (spec.name or "").strip() or len(spec.name) > 120:
        head.append("体系名称必填，不超过120个字符")
    if not (spec.version or "").strip() or len(str(spec.version)) > 30:
        head.append("版本必填，不超过30个字符")
    if not isinstance(spec.year, int) or not 1990 <= spec.year <= 2100:
        head.append("年度应为1990至2100之间的年份")
    if not (spec.source or "").strip():
        head.append("来源必填：发布机关、文件名称或网址")
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(spec.indicators):
        line = first_line + i
        problems: list[str] = []
        row: dict[str, Any] = {"line": line}
        for key, label in COLUMNS:
            value = raw.get(key)
            if key not in ("weight", "best", "worst"):
                value = "" if value is None else str(value).strip()
                if key in LIMITS and len(value) > LIMITS[key]:
                    problems.append(f"{label}不能超过{LIMITS[key]}个字符")
            row[key] = value
        if not row["code"]:
            problems.append("指标代码必填")
        elif row["code"] in seen:
            problems.append(f"指标代码“{row['code']}”与第{seen[row['code']]}行重复")
        else:
            seen[row["code"]] = line
        if not row["name"]:
            problems.append("指标名称必填")
        for key, label in (("weight", "权重"), ("best", "最优值"), ("worst", "最差值")):
            try:
                row[key] = _decimal(raw.get(key))
            except ValueError:
                problems.append(f"{label}应为数值")
                row[key] = None
        if row["weight"] is None:
            row["weight"] = Decimal(1)
        elif row["weight"] < 0 or row["weight"] >= 1000:
            problems.append("权重应在0至1000之间")
        for key, table, default, label in (
            ("direction", DIRECTIONS, "higher", "方向"),
            ("method", METHODS, "frontier", "计分方法"),
            ("frequency", FREQUENCIES, "year", "频次"),
        ):
            found = _choice(row[key], table, default)
            if found is None:
                allowed = "、".join(f"{label_}（{c}）" for c, label_ in table.items())
                problems.append(f"{label}“{row[key]}”无法识别，应为：{allowed}")
            row[key] = found or default
        if row["computed"] and row["computed"] not in SOURCES:
            problems.append(f"系统计算来源“{row['computed']}”不存在，可选：{'、'.join(SOURCES)}")
        if problems:
            errors.append(f"第{line}行：" + "；".join(problems))
        rows.append(row)
    if len(rows) > MAX_ROWS:
        errors.append(f"指标不能超过{MAX_ROWS}个")
    # Parents, levels and cycles; leaves' scoring parameters (a node is a leaf when nothing names it as parent).
    by_code = {r["code"]: r for r in rows if r["code"]}
    parents = {r["parent"] for r in rows if r["parent"]}
    for r in rows:
        if r["parent"] and r["parent"] not in by_code:
            errors.append(f"第{r['line']}行：上级指标代码“{r['parent']}”在文件中不存在")
        elif r["parent"] == r["code"] and r["code"]:
            errors.append(f"第{r['line']}行：上级指标不能是自身")
    if not any(e for e in errors if "上级" in e):
        for r in rows:
            level, node, steps = 1, r, set()
            while node["parent"]:
                if node["code"] in steps:
                    errors.append(f"第{r['line']}行：上级指标形成循环")
                    break
                steps.add(node["code"])
                node = by_code[node["parent"]]
                level += 1
            r["level"] = level
    for r in rows:
        if r["code"] in parents:
            continue
        best, worst = r["best"], r["worst"]
        if r["method"] == "frontier":
            if best is None or worst is None:
                errors.append(f"第{r['line']}行：前沿距离法须填写最优值和最差值")
            elif best == worst:
                errors.append(f"第{r['line']}行：最优值与最差值不能相同")
            elif (r["direction"] == "lower") != (best < worst):
                want = "小于" if r["direction"] == "lower" else "大于"
                errors.append(f"第{r['line']}行：方向为“{DIRECTIONS[r['direction']]}”时最优值应{want}最差值")
        elif r["method"] == "points" and best is not None and best <= 0:
            errors.append(f"第{r['line']}行：计分法的最优值（满分）应大于0")
    if head or errors:
        details: dict[str, list[str]] = {}
        if head:
            details["framework"] = head
        if errors:
            details["rows"] = errors[:100] + (
                [f"……另有{len(errors) - 100}处错误"] if len(errors) > 100 else []
            )
        raise InvalidInput("指标体系文件有误，未导入任何数据", details)
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(data: bytes) -> Spec:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InvalidInput("Excel 文件无法读取：请确认是 .xlsx 格式且未损坏") from exc
    try:
        if SHEET not in wb.sheetnames or HEAD_SHEET not in wb.sheetnames:
            raise InvalidInput(f"工作簿应有“{SHEET}”和“{HEAD_SHEET}”两个工作表（可先导出一个体系作为模板）")
        head: dict[str, Any] = {}
        labels = {label: key for key, label in HEAD_FIELDS}
        for row in wb[HEAD_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0] is not None and str(row[0]).strip() in labels:
                head[labels[str(row[0]).strip()]] = row[1] if len(row) > 1 else None
        table = list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    if not table:
        raise InvalidInput(f"“{SHEET}”工作表为空")
    headings = [_cell_text(c) for c in table[0]]
    index: dict[str, int] = {}
    known = {label: key for key, label in COLUMNS} | {key: key for key, _ in COLUMNS}
    for i, h in enumerate(headings):
        if h in known:
            index[known[h]] = i
    missing = [label for key, label in COLUMNS[:11] if key not in index]
    if missing:
        raise InvalidInput(f"“{SHEET}”工作表缺少列：{'、'.join(missing)}")
    indicators: list[dict[str, Any] | None] = []
    for row in table[1:]:
        if row is None or all(c is None or str(c).strip() == "" for c in row):
            indicators.append(None)
            continue
        item: dict[str, Any] = {}
        for key, i in index.items():
            value = row[i] if i < len(row) else None
            item[key] = value if key in ("weight", "best", "worst") else _cell_text(value)
        indicators.append(item)
    while indicators and indicators[-1] is None:
        indicators.pop()
    if any(i is None for i in indicators):
        blank = [n + 2 for n, i in enumerate(indicators) if i is None]
        raise InvalidInput(
            "指标体系文件有误，未导入任何数据", {"rows": [f"第{blank[0]}行：空行（指标行之间不能有空行）"]}
        )
    year_raw = _cell_text(head.get("year"))
    return Spec(
        code=_cell_text(head.get("code")),
        name=_cell_text(head.get("name")),
        version=_cell_text(head.get("version")),
        year=int(year_raw) if year_raw.isdigit() else 0,
        source=_cell_text(head.get("source")),
        description=_cell_text(head.get("description")),
        indicators=[i for i in indicators if i is not None],
    )


def read_json(path: Path) -> Spec:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Spec(
        code=raw["code"],
        name=raw["name"],
        version=str(raw["version"]),
        year=int(raw["year"]),
        source=raw["source"],
        description=raw.get("description", ""),
        indicators=raw["indicators"],
    )


# ---------------------------------------------------------------- saving


def _owner(Department, name: str):
    if not name or Department is None:
        return None
    from django.db.models import Q

    found = list(Department.objects.filter(Q(name=name) | Q(short_name=name))[:2])
    return found[0] if len(found) == 1 else None


def save(spec: Spec, *, models: Any = None) -> Any:
    """Create or replace the framework ``spec.code``; returns it. ``models`` (historical models in a migration)
    defaults to the app's own."""
    rows = check(spec)
    if models is None:
        from django.apps import apps as models
    Framework = models.get_model("indices", "Framework")
    Indicator = models.get_model("indices", "Indicator")
    Observation = models.get_model("indices", "Observation")
    try:
        Department = models.get_model("organisation", "Department")
    except LookupError:
        Department = None
    with transaction.atomic():
        fw, _ = Framework.objects.select_for_update().get_or_create(
            code=spec.code.strip(),
            defaults={"name": spec.name, "version": spec.version, "year": spec.year, "source": spec.source},
        )
        fw.name, fw.version, fw.year, fw.source = (
            spec.name.strip(),
            str(spec.version).strip(),
            spec.year,
            spec.source,
        )
        fw.description = spec.description or ""
        fw.save()
        existing = {i.code: i for i in Indicator.objects.filter(framework=fw)}
        wanted = {r["code"] for r in rows}
        gone = [i for code, i in existing.items() if code not in wanted]
        used = set(
            Observation.objects.filter(indicator__in=gone)
            .values_list("indicator__code", flat=True)
            .distinct()
        )
        if used:
            raise InvalidInput(
                "指标体系文件有误，未导入任何数据",
                {"rows": [f"文件中没有指标“{c}”，但该指标已有观测值，不能删除" for c in sorted(used)]},
            )
        Indicator.objects.filter(pk__in=[i.pk for i in gone]).delete()
        saved = {}
        for position, r in enumerate(rows):
            ind = existing.get(r["code"]) or Indicator(framework=fw, code=r["code"])
            ind.name, ind.level, ind.weight, ind.unit = r["name"], r["level"], r["weight"], r["unit"]
            ind.direction, ind.method, ind.best, ind.worst = (
                r["direction"],
                r["method"],
                r["best"],
                r["worst"],
            )
            ind.data_source, ind.owner_name, ind.frequency = r["data_source"], r["owner"], r["frequency"]
            ind.computed, ind.position, ind.parent = r["computed"], position, None
            owner = _owner(Department, r["owner"])
            if owner is not None or not r["owner"]:
                ind.owner = owner
            ind.save()
            saved[r["code"]] = ind
        for r in rows:
            if r["parent"]:
                ind = saved[r["code"]]
                ind.parent = saved[r["parent"]]
                ind.save(update_fields=["parent"])
    return fw


def load_shipped(models: Any = None) -> list[str]:
    """Load (or bring up to date) the shipped frameworks, their mappings and groupings; returns their codes."""
    if models is None:
        from django.apps import apps as models
    codes = [save(read_json(DATA / f"{code}.json"), models=models).code for code in SHIPPED]
    Indicator = models.get_model("indices", "Indicator")
    Mapping = models.get_model("indices", "IndicatorMapping")
    Grouping = models.get_model("indices", "Grouping")
    GroupingItem = models.get_model("indices", "GroupingItem")
    Framework = models.get_model("indices", "Framework")
    extra = json.loads((DATA / "mappings.json").read_text(encoding="utf-8"))
    by_key = {(i.framework.code, i.code): i for i in Indicator.objects.select_related("framework")}
    with transaction.atomic():
        for m in extra["mappings"]:
            Mapping.objects.update_or_create(
                source=by_key[tuple(m["source"])],
                target=by_key[tuple(m["target"])],
                defaults={"relation": m["relation"], "note": m.get("note", "")},
            )
        for g in extra["groupings"]:
            fw = Framework.objects.get(code=g["framework"])
            grouping, _ = Grouping.objects.update_or_create(
                framework=fw, code=g["code"], defaults={"name": g["name"], "description": g["description"]}
            )
            GroupingItem.objects.filter(grouping=grouping).delete()
            for position, (name, members) in enumerate(g["items"]):
                item = GroupingItem.objects.create(grouping=grouping, name=name, position=position)
                item.indicators.set([by_key[(fw.code, c)] for c in members])
    return codes


# ---------------------------------------------------------------- export


def _number(d: Decimal | None):
    if d is None:
        return None
    d = d.normalize()
    return int(d) if d == d.to_integral_value() else float(d)


def export_rows(framework) -> list[list[Any]]:
    inds = list(framework.indicators.select_related("parent").order_by("position", "code"))
    return [
        [
            i.code,
            i.parent.code if i.parent_id else "",
            i.name,
            _number(i.weight),
            i.unit,
            DIRECTIONS[i.direction],
            METHODS[i.method],
            _number(i.best),
            _number(i.worst),
            i.data_source,
            i.owner_name or (i.owner.name if i.owner_id else ""),
            FREQUENCIES.get(i.frequency, i.frequency),
            i.computed,
        ]
        for i in inds
    ]


def export_xlsx(framework) -> bytes:
    head = [
        (label, getattr(framework, key) if key != "year" else framework.year) for key, label in HEAD_FIELDS
    ]
    return excel.workbook(
        [
            (SHEET, [label for _, label in COLUMNS], export_rows(framework)),
            (HEAD_SHEET, ["项目", "内容"], head),
        ]
    )
