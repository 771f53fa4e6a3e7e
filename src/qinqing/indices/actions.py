"""Each index action once, for the page and the API: find the objects through the selectors (invisible →
NotVisible, a 404 like a missing one), then call the one service."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from qinqing.accounts.models import User
from qinqing.core.errors import NotVisible
from qinqing.indices import inputs, selectors, services
from qinqing.indices.models import Benchmark, Observation, RegionIndex, Target


def record(by: User, data: inputs.ObservationIn, evidence: UploadedFile | None = None) -> Observation:
    indicator = selectors.get_indicator(by, data.indicator_id)
    region = selectors.get_region(by, data.region_id)
    return services.record_observation(
        by=by,
        indicator=indicator,
        region=region,
        period=data.period,
        value=data.value,
        note=data.note,
        evidence_link=data.evidence_link,
        evidence=evidence,
    )


def verify(by: User, observation_id: int) -> Observation:
    return services.verify_observation(by=by, observation=selectors.get_observation(by, observation_id))


def return_(by: User, observation_id: int, data: inputs.ReturnIn) -> Observation:
    return services.return_observation(
        by=by, observation=selectors.get_observation(by, observation_id), reason=data.reason
    )


def set_benchmark(by: User, data: inputs.BenchmarkIn) -> Benchmark:
    return services.set_benchmark(
        by=by,
        indicator=selectors.get_indicator(by, data.indicator_id),
        comparator=data.comparator,
        period=data.period,
        value=data.value,
        source=data.source,
    )


def set_target(by: User, data: inputs.TargetIn) -> Target:
    return services.set_target(
        by=by,
        indicator=selectors.get_indicator(by, data.indicator_id),
        region=selectors.get_region(by, data.region_id),
        period=data.period,
        value=data.value,
    )


def choose_setting(by: User, code: str, data: inputs.SettingIn) -> RegionIndex:
    framework = selectors.get_framework(by, code)
    grouping = None
    if data.grouping_id:
        grouping = next((g for g in selectors.groupings_of(framework) if g.pk == data.grouping_id), None)
        if grouping is None:
            raise NotVisible("未找到该分组")
    return services.choose_setting(
        by=by,
        framework=framework,
        region=selectors.get_region(by, data.region_id),
        grouping=grouping,
        comparator=data.comparator,
    )


def import_observations(by: User, code: str, data: bytes) -> services.ImportResult:
    return services.import_observations(by=by, framework=selectors.get_framework(by, code), data=data)
