"""Reads of the index, each taking the user.

* frameworks, indicators, benchmarks and mappings are published reference data: every staff account reads them;
* a region's observations, targets and settings: the office and the leaders of a region see its whole subtree
  (a district office only its districts); a department sees the observations of the indicators it owns (a head:
  owned by its units too) for the regions of its own region's subtree;
* the tree, the radar and the summary are the office's and leaders' (a department reads its indicators).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.urls import reverse

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotVisible
from qinqing.indices import periods
from qinqing.indices.models import (
    Benchmark,
    Framework,
    Grouping,
    Indicator,
    IndicatorMapping,
    Observation,
    ObservationState,
    RegionIndex,
    Target,
)
from qinqing.indices.scoring import Tree, leaf_score, light
from qinqing.organisation.models import Region, within

STAFF = (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD)
OFFICE = (Role.DISPATCHER, Role.LEADER)
LIGHTS = {"green": "达标", "yellow": "接近目标", "red": "未达标", "": "未设目标"}


def is_office(user: User) -> bool:
    return user.role in OFFICE and user.region_id is not None


def is_department(user: User) -> bool:
    return user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id is not None


def regions_visible_to(user: User) -> QuerySet[Region]:
    if is_office(user) and user.region is not None:
        return Region.objects.within(user.region)
    if is_department(user) and user.department is not None:
        return Region.objects.within(user.department.region)
    return Region.objects.none()


def home_region(user: User) -> Region | None:
    if is_office(user):
        return user.region
    if is_department(user) and user.department is not None:
        return user.department.region
    return None


def get_region(user: User, pk: int | None) -> Region:
    region = regions_visible_to(user).filter(pk=pk).first() if pk else home_region(user)
    if region is None:
        raise NotVisible("未找到该区划")
    return region


def frameworks_visible_to(user: User) -> QuerySet[Framework]:
    return Framework.objects.all() if user.role in STAFF else Framework.objects.none()


def get_framework(user: User, code: str) -> Framework:
    fw = frameworks_visible_to(user).filter(code=code).first()
    if fw is None:
        raise NotVisible("未找到该指标体系")
    return fw


def indicators_visible_to(user: User) -> QuerySet[Indicator]:
    return Indicator.objects.filter(framework__in=frameworks_visible_to(user)).select_related(
        "framework", "owner", "parent"
    )


def get_indicator(user: User, pk: int) -> Indicator:
    ind = indicators_visible_to(user).filter(pk=pk).first()
    if ind is None:
        raise NotVisible("未找到该指标")
    return ind


def indicators_owned_by(user: User) -> QuerySet[Indicator]:
    """The indicators a department owns (a head: those of its units too)."""
    qs = indicators_visible_to(user)
    if user.role == Role.HANDLER and user.department_id:
        return qs.filter(owner_id=user.department_id)
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return qs.filter(within(user.department, "owner"))
    return qs.none()


def _observation_scope(user: User) -> Q | None:
    if is_office(user) and user.region is not None:
        return within(user.region, "region")
    if user.role == Role.HANDLER and user.department is not None:
        return Q(indicator__owner_id=user.department_id) & within(user.department.region, "region")
    if user.role == Role.DEPT_HEAD and user.department is not None:
        return within(user.department, "indicator__owner") & within(user.department.region, "region")
    return None


def observations_visible_to(user: User) -> QuerySet[Observation]:
    qs = Observation.objects.select_related(
        "indicator", "indicator__framework", "indicator__owner", "region", "entered_by", "verified_by"
    )
    scope = _observation_scope(user)
    return qs.none() if scope is None else qs.filter(scope)


def get_observation(user: User, pk: int) -> Observation:
    obs = observations_visible_to(user).filter(pk=pk).first()
    if obs is None:
        raise NotVisible("未找到该观测值")
    return obs


def targets_visible_to(user: User) -> QuerySet[Target]:
    scope = _observation_scope(user)
    return Target.objects.none() if scope is None else Target.objects.filter(scope)


def benchmarks_of(user: User, indicator: Indicator) -> list[Benchmark]:
    get_indicator(user, indicator.pk)
    return list(Benchmark.objects.filter(indicator=indicator).order_by("comparator", "-period"))


def mappings_of(user: User, indicator: Indicator) -> list[tuple[str, Indicator]]:
    get_indicator(user, indicator.pk)
    out = []
    for m in IndicatorMapping.objects.filter(Q(source=indicator) | Q(target=indicator)).select_related(
        "source__framework", "target__framework"
    ):
        other = m.target if m.source_id == indicator.pk else m.source
        out.append((m.get_relation_display(), other))
    return out


def comparators(framework: Framework) -> list[str]:
    return sorted(
        set(Benchmark.objects.filter(indicator__framework=framework).values_list("comparator", flat=True))
    )


def setting_of(user: User, region: Region, framework: Framework) -> RegionIndex | None:
    get_region(user, region.pk)
    return RegionIndex.objects.filter(region=region, framework=framework).select_related("grouping").first()


def chosen_framework(user: User, region: Region, default: str) -> Framework | None:
    """The framework ``region`` measures itself by: the one it chose a setting for, else ``default``, else any."""
    get_region(user, region.pk)
    chosen = RegionIndex.objects.filter(region=region).select_related("framework").first()
    if chosen is not None:
        return chosen.framework
    return Framework.objects.filter(code=default).first() or Framework.objects.first()


def groupings_of(framework: Framework) -> list[Grouping]:
    return list(Grouping.objects.filter(framework=framework))


# ---------------------------------------------------------------- the scored tree


@dataclass
class Node:
    indicator: Indicator
    depth: int
    leaf: bool
    score: float | None = None
    previous: float | None = None
    value: Decimal | None = None
    observation: Observation | None = None
    target: float | None = None
    light: str = ""
    benchmark: float | None = None

    @property
    def light_label(self) -> str:
        return LIGHTS[self.light]

    @property
    def delta(self) -> float | None:
        if self.score is None or self.previous is None:
            return None
        return round(self.score - self.previous, 2)

    @property
    def gap(self) -> float | None:
        if self.score is None or self.benchmark is None:
            return None
        return round(self.score - self.benchmark, 2)


@dataclass
class Scored:
    framework: Framework
    region: Region
    period: str
    comparator: str
    nodes: list[Node]
    total: float | None
    previous_total: float | None
    benchmark_total: float | None
    gaps: dict[str, float | None]
    groups: list[dict] = field(default_factory=list)
    pending: int = 0
    grouping: Grouping | None = None

    @property
    def delta(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)

    @property
    def gap(self) -> float | None:
        return self.gaps.get(self.comparator)

    def radar(self) -> dict:
        first = [n for n in self.nodes if n.depth == 0]
        return {
            "indicators": [n.indicator.name for n in first],
            "own": [n.score for n in first],
            "benchmark": [n.benchmark for n in first],
            "region": self.region.name,
            "comparator": self.comparator,
        }


def _year_values(rows, year: int) -> dict[int, tuple[Decimal, Observation]]:
    """The value of each leaf for ``year``: its observation of the year itself, else its latest inside the year."""
    best: dict[int, tuple[tuple[int, int], Observation]] = {}
    for o in rows:
        if periods.year_of(o.period) != year:
            continue
        key = periods.sort_key(o.period)
        if o.indicator_id not in best or key > best[o.indicator_id][0]:
            best[o.indicator_id] = (key, o)
    return {pk: (o.value, o) for pk, (_, o) in best.items()}


def _benchmark_values(framework: Framework, year: int) -> dict[str, dict[int, Decimal]]:
    """Per comparator, each leaf's benchmark of ``year``, else of its most recent earlier year."""
    found: dict[str, dict[int, tuple[tuple[int, int], Decimal]]] = {}
    # Periods begin with their year, so "before next year" is a string comparison the database does.
    rows = Benchmark.objects.filter(indicator__framework=framework, period__lt=str(year + 1)).values_list(
        "indicator_id", "comparator", "period", "value"
    )
    for indicator_id, comparator, period, value in rows:
        key = periods.sort_key(period)
        per = found.setdefault(comparator, {})
        if indicator_id not in per or key > per[indicator_id][0]:
            per[indicator_id] = (key, value)
    return {c: {pk: v for pk, (_, v) in per.items()} for c, per in found.items()}


def scored_tree(
    user: User,
    framework: Framework,
    region: Region,
    period: str,
    *,
    comparator: str = "",
    grouping_id: int | None = None,
) -> Scored:
    if not is_office(user):
        raise NotVisible("未找到页面")
    region = get_region(user, region.pk)
    year = periods.year_of(period)
    indicators = list(Indicator.objects.filter(framework=framework).order_by("position", "code"))
    tree = Tree.of(indicators)
    rows = list(
        Observation.objects.filter(
            Q(period__startswith=str(year)) | Q(period__startswith=str(year - 1)),
            region=region,
            indicator__framework=framework,
        ).select_related("entered_by", "verified_by")
    )
    now = _year_values(rows, year)
    before = _year_values(rows, year - 1)
    scores = tree.scores({pk: v for pk, (v, _) in now.items()})
    previous = tree.scores({pk: v for pk, (v, _) in before.items()})
    bench = _benchmark_values(framework, year)
    bench_scores = {c: tree.scores(values) for c, values in bench.items()}
    setting = (
        RegionIndex.objects.filter(region=region, framework=framework).select_related("grouping").first()
    )
    if not comparator:
        comparator = (setting.comparator if setting else "") or (sorted(bench)[0] if bench else "")
    chosen = bench_scores.get(comparator, {})
    targets = {
        t.indicator_id: t.value
        for t in Target.objects.filter(region=region, indicator__framework=framework, period=str(year))
    }
    by_pk = tree.nodes
    nodes: list[Node] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk in tree.children.get(parent, []):
            ind = by_pk[pk]
            leaf = tree.is_leaf(pk)
            node = Node(indicator=ind, depth=depth, leaf=leaf)  # type: ignore[arg-type]
            node.score, node.previous, node.benchmark = scores.get(pk), previous.get(pk), chosen.get(pk)
            if pk in now:
                node.value, node.observation = now[pk]
            if pk in targets:
                node.target = leaf_score(ind, targets[pk]) if leaf else float(targets[pk])
            node.light = light(node.score, node.target)
            nodes.append(node)
            walk(pk, depth + 1)

    walk(None, 0)
    total = scores.get(None)
    gaps: dict[str, float | None] = {}
    for c, s in bench_scores.items():
        other = s.get(None)
        gaps[c] = round(total - other, 2) if total is not None and other is not None else None
    grouping = None
    if grouping_id:
        grouping = Grouping.objects.filter(framework=framework, pk=grouping_id).first()
    elif setting and setting.grouping_id:
        grouping = setting.grouping
    groups = []
    if grouping is not None:
        for item in grouping.items.prefetch_related("indicators"):
            members = [i.pk for i in item.indicators.all()]

            def mean(values: dict, members=members) -> float | None:
                found = [values[m] for m in members if values.get(m) is not None]
                return round(sum(found) / len(found), 2) if found else None

            groups.append(
                {
                    "name": item.name,
                    "score": mean(scores),
                    "benchmark": mean(chosen),
                    "previous": mean(previous),
                }
            )
    return Scored(
        framework=framework,
        region=region,
        period=str(year),
        comparator=comparator,
        nodes=nodes,
        total=total,
        previous_total=previous.get(None),
        benchmark_total=chosen.get(None),
        gaps=gaps,
        groups=groups,
        pending=sum(1 for _, o in now.values() if o.state != "verified"),
        grouping=grouping,
    )


def latest_year(user: User, framework: Framework, region: Region) -> str:
    """The latest year with an observation of ``framework`` for ``region`` (last year when there is none)."""
    from django.utils import timezone

    found = (
        observations_visible_to(user)
        .filter(region=region, indicator__framework=framework)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return str(periods.year_of(found)) if found else str(timezone.localdate().year - 1)


def tree_url(framework: Framework, region: Region, period: str) -> str:
    return reverse("indices_tree", args=[framework.code]) + f"?region={region.pk}&period={period}"


def region_summary(user: User, framework: Framework, region: Region, period: str) -> dict:
    """For the leaders' dashboard: the index score, its gap to each benchmark and the page that explains it."""
    s = scored_tree(user, framework, region, period)
    return {
        "framework": framework.name,
        "region": s.region.name,
        "period": s.period,
        "score": s.total,
        "previous": s.previous_total,
        "delta": s.delta,
        "gaps": s.gaps,
        "url": tree_url(framework, s.region, s.period),
    }


def history_of(user: User, indicator: Indicator, region: Region) -> list[Observation]:
    """The indicator's observations for ``region`` over every period the user may see, newest first."""
    region = get_region(user, region.pk)
    rows = list(observations_visible_to(user).filter(indicator=indicator, region=region))
    rows.sort(key=lambda o: periods.sort_key(o.period), reverse=True)
    return rows


def owner_scores(region: Region, year: int) -> dict[int, float]:
    """{department id: mean score of the leaves it owns (牵头) in ``region`` for ``year``} over every framework,
    for the yearly 四挂钩 assessment sheet (``plans.assessment``). A leaf counts with its year's value (the
    observation of the year itself, else its latest inside the year; pending values count as on the tree page);
    a department owning no leaf with a value is absent, so the sheet spreads the column's weight over the rest."""
    rows = (
        Observation.objects.filter(
            region=region, indicator__owner__isnull=False, period__startswith=str(year)
        )
        .exclude(state=ObservationState.RETURNED)
        .select_related("indicator")
    )
    per: dict[int, list[float]] = {}
    for value, o in _year_values(rows, year).values():
        score = leaf_score(o.indicator, value)
        if score is not None and o.indicator.owner_id is not None:
            per.setdefault(o.indicator.owner_id, []).append(score)
    return {dept: round(sum(s) / len(s), 1) for dept, s in per.items()}
