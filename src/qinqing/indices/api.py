"""Endpoints of the index: the same inputs, actions and selectors as the pages, hence the same permissions (the
office and the leaders of a region see its whole subtree, a district office only its districts; a department the
indicators it owns and their observations)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from qinqing.core.errors import InvalidInput
from qinqing.indices import actions, inputs, periods, selectors
from qinqing.indices.computed import SOURCES
from qinqing.indices.models import Observation
from qinqing.indices.scoring import frontier_text
from qinqing.indices.workflow import OBSERVATIONS

router = Router(tags=["评价指标体系"])


class IndexFrameworkOut(Schema):
    code: str
    name: str
    version: str
    year: int
    source: str
    description: str
    indicators: int


class IndexIndicatorOut(Schema):
    id: int
    framework: str
    code: str
    parent: str
    name: str
    level: int
    weight: float
    unit: str
    direction: str
    method: str
    best: float | None
    worst: float | None
    data_source: str
    owner: str
    frequency: str
    computed: str
    formula: str


class IndexObservationOut(Schema):
    id: int
    indicator_id: int
    indicator: str
    region: str
    region_id: int
    period: str
    value: float
    state: str
    state_label: str
    computed: bool
    formula: str
    note: str
    evidence_link: str
    has_evidence_file: bool
    entered_by: str
    verified_by: str
    actions: list[str]


class IndexNodeOut(Schema):
    id: int
    code: str
    name: str
    depth: int
    leaf: bool
    value: float | None
    score: float | None
    previous: float | None
    delta: float | None
    target: float | None
    light: str
    benchmark: float | None
    gap: float | None


class IndexScoresOut(Schema):
    framework: str
    region: str
    period: str
    comparator: str
    total: float | None
    previous_total: float | None
    delta: float | None
    gaps: dict[str, float | None]
    groups: list[dict]
    nodes: list[IndexNodeOut]


class IndexImportOut(Schema):
    created: int
    changed: int
    unchanged: int


class ScoresFilter(Schema):
    region_id: int | None = Field(None, ge=1, le=2**31)
    period: str = Field("", max_length=8)
    benchmark: str = Field("", max_length=30)
    grouping_id: int | None = Field(None, ge=1, le=2**31)


class ObservationFilter(Schema):
    framework: str = Field("", max_length=60)
    region_id: int | None = Field(None, ge=1, le=2**31)
    indicator_id: int | None = Field(None, ge=1, le=2**31)
    period: str = Field("", max_length=8)
    state: str = Field("", max_length=10)
    limit: int = Field(200, ge=1, le=1000)


def _num(d) -> float | None:
    return float(d) if d is not None else None


def _indicator_out(i) -> dict[str, Any]:
    return {
        "id": i.pk,
        "framework": i.framework.code,
        "code": i.code,
        "parent": i.parent.code if i.parent_id else "",
        "name": i.name,
        "level": i.level,
        "weight": float(i.weight),
        "unit": i.unit,
        "direction": i.direction,
        "method": i.method,
        "best": _num(i.best),
        "worst": _num(i.worst),
        "data_source": i.data_source,
        "owner": str(i.owner) if i.owner_id else i.owner_name,
        "frequency": i.frequency,
        "computed": i.computed,
        "formula": SOURCES[i.computed].formula if i.computed in SOURCES else frontier_text(i),
    }


def _observation_out(o: Observation, user) -> dict[str, Any]:
    return {
        "id": o.pk,
        "indicator_id": o.indicator_id,
        "indicator": o.indicator.code,
        "region": o.region.name,
        "region_id": o.region_id,
        "period": o.period,
        "value": float(o.value),
        "state": o.state,
        "state_label": o.get_state_display(),
        "computed": o.computed,
        "formula": o.formula,
        "note": o.note,
        "evidence_link": o.evidence_link,
        "has_evidence_file": bool(o.evidence),
        "entered_by": o.entered_by.username if o.entered_by else "",
        "verified_by": o.verified_by.username if o.verified_by else "",
        "actions": [a.name for a in OBSERVATIONS.available(o, user)],
    }


@router.get("/frameworks", response=list[IndexFrameworkOut], summary="指标体系列表")
def list_frameworks(request):
    from django.db.models import Count

    qs = selectors.frameworks_visible_to(request.auth).annotate(n=Count("indicators"))
    return [
        {
            "code": f.code,
            "name": f.name,
            "version": f.version,
            "year": f.year,
            "source": f.source,
            "description": f.description,
            "indicators": f.n,
        }
        for f in qs
    ]


@router.get("/frameworks/{code}/indicators", response=list[IndexIndicatorOut], summary="指标体系的全部指标")
def list_indicators(request, code: str):
    fw = selectors.get_framework(request.auth, code)
    return [_indicator_out(i) for i in selectors.indicators_visible_to(request.auth).filter(framework=fw)]


@router.get("/frameworks/{code}/scores", response=IndexScoresOut, summary="区划某年度的得分树、对标差距")
def scores(request, code: str, filters: Query[ScoresFilter]):
    user = request.auth
    fw = selectors.get_framework(user, code)
    region = selectors.get_region(user, filters.region_id)
    period = filters.period or str(timezone.localdate().year - 1)
    periods.parse(period)
    s = selectors.scored_tree(
        user, fw, region, period, comparator=filters.benchmark, grouping_id=filters.grouping_id
    )
    return {
        "framework": fw.code,
        "region": s.region.name,
        "period": s.period,
        "comparator": s.comparator,
        "total": s.total,
        "previous_total": s.previous_total,
        "delta": s.delta,
        "gaps": s.gaps,
        "groups": s.groups,
        "nodes": [
            {
                "id": n.indicator.pk,
                "code": n.indicator.code,
                "name": n.indicator.name,
                "depth": n.depth,
                "leaf": n.leaf,
                "value": _num(n.value),
                "score": n.score,
                "previous": n.previous,
                "delta": n.delta,
                "target": n.target,
                "light": n.light,
                "benchmark": n.benchmark,
                "gap": n.gap,
            }
            for n in s.nodes
        ],
    }


@router.get("/indicators/{indicator_id}", response=IndexIndicatorOut, summary="指标定义")
def get_indicator(request, indicator_id: int):
    return _indicator_out(selectors.get_indicator(request.auth, indicator_id))


@router.get(
    "/observations", response=list[IndexObservationOut], summary="观测值（本区划及下辖 / 本部门牵头指标）"
)
def list_observations(request, filters: Query[ObservationFilter]):
    user = request.auth
    qs = selectors.observations_visible_to(user)
    if filters.framework:
        qs = qs.filter(indicator__framework=selectors.get_framework(user, filters.framework))
    if filters.region_id:
        qs = qs.filter(region=selectors.get_region(user, filters.region_id))
    if filters.indicator_id:
        qs = qs.filter(indicator_id=filters.indicator_id)
    if filters.period:
        qs = qs.filter(period=filters.period)
    if filters.state:
        if filters.state not in ("pending", "verified", "returned"):
            raise InvalidInput("筛选条件有误", {"state": ["应为 pending、verified 或 returned"]})
        qs = qs.filter(state=filters.state)
    return [
        _observation_out(o, user) for o in qs.order_by("indicator_id", "region_id", "period")[: filters.limit]
    ]


@router.post("/observations", response={201: IndexObservationOut}, summary="填报观测值（待核实）")
def record(request, payload: inputs.ObservationIn):
    obs = actions.record(request.auth, payload)
    return Status(201, _observation_out(selectors.get_observation(request.auth, obs.pk), request.auth))


@router.post(
    "/observations/{observation_id}/evidence", response=IndexObservationOut, summary="上传观测值的证明材料"
)
def upload_evidence(request, observation_id: int, file: UploadedFile | None = File(None)):  # noqa: B008 - ninja's declaration style
    user = request.auth
    obs = selectors.get_observation(user, observation_id)
    if file is None:
        raise InvalidInput("请选择证明材料文件", {"evidence": ["此项为必填项"]})
    data = inputs.ObservationIn(
        indicator_id=obs.indicator_id,
        region_id=obs.region_id,
        period=obs.period,
        value=float(obs.value),
        note=obs.note,
        evidence_link=obs.evidence_link,
    )
    actions.record(user, data, file)
    return _observation_out(selectors.get_observation(user, obs.pk), user)


@router.post("/observations/{observation_id}/verify", response=IndexObservationOut, summary="核实观测值")
def verify(request, observation_id: int):
    actions.verify(request.auth, observation_id)
    return _observation_out(selectors.get_observation(request.auth, observation_id), request.auth)


@router.post("/observations/{observation_id}/return", response=IndexObservationOut, summary="退回观测值")
def return_(request, observation_id: int, payload: inputs.ReturnIn):
    actions.return_(request.auth, observation_id, payload)
    return _observation_out(selectors.get_observation(request.auth, observation_id), request.auth)


@router.post("/benchmarks", response={201: dict}, summary="设置对标值（营商办）")
def set_benchmark(request, payload: inputs.BenchmarkIn):
    b = actions.set_benchmark(request.auth, payload)
    return Status(201, {"id": b.pk, "comparator": b.comparator, "period": b.period, "value": float(b.value)})


@router.post("/targets", response={201: dict}, summary="设置目标（营商办）")
def set_target(request, payload: inputs.TargetIn):
    t = actions.set_target(request.auth, payload)
    return Status(201, {"id": t.pk, "period": t.period, "value": float(t.value)})


@router.post("/frameworks/{code}/setting", response=dict, summary="区划选择分组与默认对标（营商办）")
def choose_setting(request, code: str, payload: inputs.SettingIn):
    s = actions.choose_setting(request.auth, code, payload)
    return {"region_id": s.region_id, "grouping_id": s.grouping_id, "comparator": s.comparator}


@router.post(
    "/frameworks/{code}/observations/import",
    response=IndexImportOut,
    summary="Excel 导入观测值（全部无误才保存）",
)
def import_observations(request, code: str, file: UploadedFile | None = File(None)):  # noqa: B008 - ninja's declaration style
    if file is None:
        raise InvalidInput("请选择要导入的 Excel 文件", {"file": ["此项为必填项"]})
    r = actions.import_observations(request.auth, code, file.read())
    return {"created": r.created, "changed": r.changed, "unchanged": r.unchanged}
