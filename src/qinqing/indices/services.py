"""State changes of the index, one transaction each, each writing its event.

* ``record_observation``: a value with its evidence (待核实); the same value again changes nothing;
* ``verify_observation`` / ``return_observation``: by the office or the owning department's head, never by the
  person who entered it;
* ``set_benchmark``, ``set_target``, ``choose_setting``: the office's;
* ``import_observations``: a period's observations from Excel, all or nothing, idempotent;
* ``compute_observations``: the computed leaves (系统计算), for the worker.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.core.files import check_for_viruses, content_matches
from qinqing.indices import periods
from qinqing.indices.computed import SOURCES
from qinqing.indices.models import (
    Benchmark,
    Framework,
    Grouping,
    Indicator,
    Observation,
    ObservationEvent,
    ObservationState,
    RegionIndex,
    Target,
)
from qinqing.indices.workflow import OBSERVATIONS, may_enter
from qinqing.organisation.models import Region

VALUE_PLACES = Decimal("0.0001")


def _value(x: float | Decimal | str) -> Decimal:
    return Decimal(str(x)).quantize(VALUE_PLACES)


def _check_link(link: str) -> str:
    link = (link or "").strip()
    if link and not link.startswith(("http://", "https://")):
        raise InvalidInput("证明材料链接格式不正确", {"evidence_link": ["链接应以 http:// 或 https:// 开头"]})
    return link


def _check_evidence(upload: UploadedFile) -> None:
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        allowed = "、".join(settings.ATTACHMENT_EXTENSIONS)
        raise InvalidInput(
            "证明材料类型不允许", {"evidence": [f"不支持 .{ext or '无扩展名'} 文件，允许的类型：{allowed}"]}
        )
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise InvalidInput("证明材料过大", {"evidence": [f"“{upload.name}”超过 {limit_mb} MB 的上限"]})
    if not content_matches(upload, ext):
        raise InvalidInput("证明材料内容与类型不符", {"evidence": [f"“{upload.name}”的内容不是 .{ext} 文件"]})
    check_for_viruses(upload)


def _leaf(indicator: Indicator) -> None:
    if indicator.children.exists():
        raise InvalidInput(
            "只能填报末级指标", {"indicator_id": [f"“{indicator.name}”由下级指标汇总得分，不能直接填报"]}
        )


def _event(obs: Observation, kind: str, by: User | None, **detail) -> None:
    ObservationEvent.objects.create(observation=obs, kind=kind, by=by, detail=detail)


@transaction.atomic
def record_observation(
    *,
    by: User,
    indicator: Indicator,
    region: Region,
    period: str,
    value: float | Decimal,
    note: str = "",
    evidence_link: str = "",
    evidence: UploadedFile | None = None,
) -> Observation:
    period = periods.normalise(period)
    periods.check_frequency(period, indicator.frequency)
    _leaf(indicator)
    if indicator.computed:
        raise NotPermitted(
            f"“{indicator.name}”由系统计算（{SOURCES[indicator.computed].label}），不能人工填报"
        )
    if not may_enter(by, indicator, region):
        raise NotPermitted("您无权填报该区划的此项指标")
    link = _check_link(evidence_link)
    if evidence is not None:
        _check_evidence(evidence)
    amount = _value(value)
    obs = (
        Observation.objects.select_for_update(of=("self",))
        .select_related("indicator", "indicator__owner", "region")
        .filter(indicator=indicator, region=region, period=period)
        .first()
    )
    if obs is None:
        obs = Observation(indicator=indicator, region=region, period=period, value=amount, entered_by=by)
    else:
        if obs.value == amount and obs.note == note and obs.evidence_link == link and evidence is None:
            return obs
        OBSERVATIONS.check(obs, "revise", by)
        before = str(obs.value)
        obs.value = amount
        obs.entered_by = by
        obs.entered_at = timezone.now()
        obs.verified_by, obs.verified_at, obs.return_reason = None, None, ""
        obs.state = ObservationState.PENDING
        obs.note, obs.evidence_link = note, link
        if evidence is not None:
            obs.evidence, obs.evidence_name = evidence, (evidence.name or "")[:200]
        obs.save()
        _event(obs, "revised", by, before=before, value=str(amount))
        return obs
    obs.note, obs.evidence_link = note, link
    if evidence is not None:
        obs.evidence, obs.evidence_name = evidence, (evidence.name or "")[:200]
    obs.save()
    _event(obs, "entered", by, value=str(amount))
    return obs


def _locked(obs: Observation) -> Observation:
    return (
        Observation.objects.select_for_update(of=("self",))
        .select_related("indicator", "indicator__owner", "region")
        .get(pk=obs.pk)
    )


@transaction.atomic
def verify_observation(*, by: User, observation: Observation) -> Observation:
    obs = _locked(observation)
    if obs.entered_by_id == by.pk:
        raise NotPermitted("核实人不能是填报人本人，请由另一位有核实权限的人员核实")
    OBSERVATIONS.check(obs, "verify", by)
    obs.state, obs.verified_by, obs.verified_at = ObservationState.VERIFIED, by, timezone.now()
    obs.save(update_fields=["state", "verified_by", "verified_at"])
    _event(obs, "verified", by)
    return obs


@transaction.atomic
def return_observation(*, by: User, observation: Observation, reason: str) -> Observation:
    obs = _locked(observation)
    if obs.entered_by_id == by.pk:
        raise NotPermitted("核实人不能是填报人本人，请由另一位有核实权限的人员核实")
    OBSERVATIONS.check(obs, "return", by)
    obs.state, obs.return_reason = ObservationState.RETURNED, reason
    obs.save(update_fields=["state", "return_reason"])
    _event(obs, "returned", by, reason=reason)
    return obs


def _office_of(by: User, region: Region | None = None) -> None:
    if by.role != Role.DISPATCHER or by.region is None:
        raise NotPermitted("只有营商办可以设置")
    if region is not None and not region.is_within(by.region):
        raise NotPermitted("只能为本区划及下辖区划设置")


@transaction.atomic
def set_benchmark(
    *, by: User, indicator: Indicator, comparator: str, period: str, value: float, source: str
) -> Benchmark:
    _office_of(by)
    _leaf(indicator)
    period = periods.normalise(period)
    bench, created = Benchmark.objects.update_or_create(
        indicator=indicator,
        comparator=comparator.strip(),
        period=period,
        defaults={"value": _value(value), "source": source.strip()},
    )
    return bench


@transaction.atomic
def set_target(*, by: User, indicator: Indicator, region: Region, period: str, value: float) -> Target:
    _office_of(by, region)
    period = periods.normalise(period)
    if not indicator.children.exists():
        periods.check_frequency(period, indicator.frequency)
    elif not 0 <= value <= 100:
        raise InvalidInput("目标得分应在0至100之间", {"value": ["上级指标的目标为得分（0–100）"]})
    target, _ = Target.objects.update_or_create(
        indicator=indicator, region=region, period=period, defaults={"value": _value(value), "set_by": by}
    )
    return target


@transaction.atomic
def choose_setting(
    *, by: User, framework: Framework, region: Region, grouping: Grouping | None, comparator: str
) -> RegionIndex:
    _office_of(by, region)
    if grouping is not None and grouping.framework_id != framework.pk:
        raise InvalidInput("分组不属于该指标体系", {"grouping_id": ["请选择本指标体系的分组"]})
    setting, _ = RegionIndex.objects.update_or_create(
        region=region, framework=framework, defaults={"grouping": grouping, "comparator": comparator.strip()}
    )
    return setting


# ---------------------------------------------------------------- Excel import of a period's observations

IMPORT_COLUMNS = [
    ("indicator", "指标代码"),
    ("region", "区划代码"),
    ("period", "期间"),
    ("value", "数值"),
    ("evidence_link", "证明材料链接"),
    ("note", "说明"),
]
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@dataclass
class ImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rows: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"新增 {self.created} 条，更新 {self.changed} 条，未变 {self.unchanged} 条"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_observations(*, by: User, framework: Framework, data: bytes) -> ImportResult:
    """All rows or none: every refused row is named by its line; rows equal to what is stored change nothing."""
    from openpyxl import load_workbook

    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput("文件过大：单个文件不能超过 10 MB")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InvalidInput("Excel 文件无法读取：请确认是 .xlsx 格式且未损坏") from exc
    try:
        table = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    if not table:
        raise InvalidInput("文件为空：第一行应为列名（指标代码、区划代码、期间、数值）")
    heads = {_cell(h): i for i, h in enumerate(table[0])}
    index = {}
    for key, label in IMPORT_COLUMNS:
        if label in heads:
            index[key] = heads[label]
        elif key in heads:
            index[key] = heads[key]
    missing = [label for key, label in IMPORT_COLUMNS[:4] if key not in index]
    if missing:
        raise InvalidInput(f"缺少列：{'、'.join(missing)}（第一行应为列名）")
    indicators = {i.code: i for i in Indicator.objects.filter(framework=framework).select_related("owner")}
    parents = set(
        Indicator.objects.filter(framework=framework, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    regions = {r.code: r for r in Region.objects.all()}
    errors: list[str] = []
    parsed: list[tuple[int, Indicator, Region, str, Decimal, str, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for n, row in enumerate(table[1:], start=2):
        if row is None or all(c is None or str(c).strip() == "" for c in row):
            continue
        cells = {k: _cell(row[i]) if i < len(row) else "" for k, i in index.items()}
        problems = []
        ind = indicators.get(cells["indicator"])
        region = regions.get(cells["region"])
        if ind is None:
            problems.append(f"指标代码“{cells['indicator']}”不在《{framework.name}》中")
        elif ind.pk in parents:
            problems.append(f"“{ind.name}”不是末级指标，不能填报")
        elif ind.computed:
            problems.append(f"“{ind.name}”由系统计算，不能导入")
        if region is None:
            problems.append(f"区划代码“{cells['region']}”不存在")
        period = cells["period"]
        try:
            periods.parse(period)
            if ind is not None:
                periods.check_frequency(period, ind.frequency)
        except InvalidInput as exc:
            problems.append(next(iter(exc.errors.values()))[0] if exc.errors else exc.message)
        try:
            value = _value(cells["value"])
            if not value.is_finite() or abs(value) >= Decimal("1e10"):
                raise ValueError
        except (ArithmeticError, ValueError):
            problems.append(f"数值“{cells['value']}”不是数字")
            value = None
        link = cells.get("evidence_link", "")
        if link and not link.startswith(("http://", "https://")):
            problems.append("证明材料链接应以 http:// 或 https:// 开头")
        if len(link) > 300 or len(cells.get("note", "")) > 500:
            problems.append("链接不能超过300字、说明不能超过500字")
        if ind is not None and region is not None and not problems and not may_enter(by, ind, region):
            problems.append(f"您无权填报{region.name}的“{ind.name}”")
        row_key = (cells["indicator"], cells["region"], period)
        if row_key in seen:
            problems.append(f"与第{seen[row_key]}行重复")
        seen[row_key] = n
        if problems or ind is None or region is None or value is None:
            errors.append(f"第{n}行：" + "；".join(problems))
        else:
            parsed.append((n, ind, region, period, value, cells.get("note", ""), link))
    if errors:
        raise InvalidInput(
            "导入文件有误，未保存任何数据",
            {"rows": errors[:100] + ([f"……另有{len(errors) - 100}行有误"] if len(errors) > 100 else [])},
        )
    if not parsed:
        raise InvalidInput("文件中没有数据行")
    result = ImportResult()
    with transaction.atomic():
        existing = {
            (o.indicator_id, o.region_id, o.period): o
            for o in Observation.objects.select_for_update().filter(
                indicator__framework=framework, region__in={p[2].pk for p in parsed}
            )
        }
        for _line, ind, region, period, value, note, link in parsed:
            old = existing.get((ind.pk, region.pk, period))
            if old is not None and old.value == value and old.note == note and old.evidence_link == link:
                result.unchanged += 1
                continue
            record_observation(
                by=by, indicator=ind, region=region, period=period, value=value, note=note, evidence_link=link
            )
            if old is None:
                result.created += 1
            else:
                result.changed += 1
    return result


def observation_template(framework: Framework, region: Region, period: str) -> list[list]:
    rows = []
    parents = set(
        Indicator.objects.filter(framework=framework, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    for ind in Indicator.objects.filter(framework=framework).order_by("position"):
        if ind.pk in parents or ind.computed:
            continue
        rows.append([ind.code, region.code, period if ind.frequency == "year" else "", None, "", ind.name])
    return rows


# ---------------------------------------------------------------- computed leaves


@dataclass
class ComputeResult:
    written: int = 0
    unchanged: int = 0
    empty: int = 0


def compute_observations(
    *, regions: list[Region] | None = None, years: list[int] | None = None
) -> ComputeResult:
    """Write the computed leaves' observations for every city and district (or ``regions``) and the given years
    (default: this year to date and last year). Re-running writes nothing new."""
    today = timezone.localdate()
    years = years or [today.year - 1, today.year]
    if regions is None:
        regions = list(
            Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY, Region.Level.DISTRICT])
        )
    leaves = list(Indicator.objects.exclude(computed="").select_related("framework"))
    result = ComputeResult()
    cache: dict[tuple, Decimal | None] = {}
    for region in regions:
        for year in years:
            for ind in leaves:
                source = SOURCES.get(ind.computed)
                if source is None:
                    continue
                for period in _periods_of(year, ind.frequency, today):
                    start, end = periods.bounds(period)
                    end = min(end, today)
                    key = (source.code, region.pk, period)
                    if key not in cache:
                        cache[key] = source.compute(region, start, end)
                    value = cache[key]
                    if value is None:
                        result.empty += 1
                        continue
                    if _write_computed(ind, region, period, value, source.formula):
                        result.written += 1
                    else:
                        result.unchanged += 1
    return result


def _periods_of(year: int, frequency: str, today: dt.date) -> list[str]:
    if year > today.year:
        return []
    if frequency == "quarter":
        out = [f"{year}Q{q}" for q in range(1, 5)]
    elif frequency == "half":
        out = [f"{year}H1", f"{year}H2"]
    elif frequency == "month":
        out = [f"{year}M{m:02d}" for m in range(1, 13)]
    else:
        out = [str(year)]
    return [p for p in out if periods.bounds(p)[0] <= today]


@transaction.atomic
def _write_computed(ind: Indicator, region: Region, period: str, value: Decimal, formula: str) -> bool:
    value = value.quantize(VALUE_PLACES)
    obs = Observation.objects.select_for_update().filter(indicator=ind, region=region, period=period).first()
    now = timezone.now()
    if obs is not None and obs.value == value and obs.computed:
        return False
    if obs is None:
        obs = Observation(indicator=ind, region=region, period=period)
    else:
        OBSERVATIONS.check(obs, "compute", None)
    before = str(obs.value) if obs.pk else None
    obs.value, obs.computed, obs.formula = value, True, formula[:300]
    obs.state, obs.entered_by, obs.entered_at, obs.verified_at, obs.verified_by = (
        ObservationState.VERIFIED,
        None,
        now,
        now,
        None,
    )
    obs.save()
    _event(obs, "computed", None, before=before, value=str(value))
    return True
