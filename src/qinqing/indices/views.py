"""Pages of the index: the frameworks, a framework's scored tree for a region and a year (lights against target,
delta to the previous year, gap to a benchmark, radar), an indicator (definition, values over periods, evidence,
benchmarks, what plans do about it), entering and verifying observations, and the Excel import."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.http import AuthedRequest
from qinqing.core import excel, pages
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.inputs import parse
from qinqing.indices import actions, frameworks, hooks, inputs, periods, selectors, services
from qinqing.indices.computed import SOURCES
from qinqing.indices.scoring import YELLOW_BAND, frontier_text
from qinqing.indices.workflow import OBSERVATIONS, may_enter, may_verify

LIGHTS = selectors.LIGHTS


def _or_404(call):
    try:
        return call()
    except NotVisible as exc:
        raise Http404(exc.message) from exc


def _staff(request: AuthedRequest) -> None:
    if request.user.role not in selectors.STAFF:
        raise Http404("未找到页面")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _period(request: AuthedRequest, default: str = "") -> str:
    raw = (request.GET.get("period") or "").strip()
    if raw:
        try:
            return str(periods.year_of(raw))
        except DomainError:
            messages.error(request, "期间格式不正确，已显示最近年度")
    return default or str(timezone.localdate().year - 1)


def framework_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    user = request.user
    region = selectors.home_region(user)
    rows = [
        {"fw": fw, "count": fw.indicators.count()}
        for fw in selectors.frameworks_visible_to(user).prefetch_related("groupings")
    ]
    return render(
        request,
        "indices/frameworks.html",
        {
            "rows": rows,
            "region": region,
            "office": selectors.is_office(user),
            "period": "",
            "owned": selectors.indicators_owned_by(user).count() if selectors.is_department(user) else 0,
        },
    )


def framework_export(request: AuthedRequest, code: str) -> HttpResponse:
    _staff(request)
    fw = _or_404(lambda: selectors.get_framework(request.user, code))
    return excel.response(frameworks.export_xlsx(fw), f"{fw.code}.xlsx")


def _scored(request: AuthedRequest, code: str):
    user = request.user
    fw = _or_404(lambda: selectors.get_framework(user, code))
    region = _or_404(lambda: selectors.get_region(user, _int(request.GET.get("region"))))
    period = _period(request, selectors.latest_year(user, fw, region))
    return _or_404(
        lambda: selectors.scored_tree(
            user,
            fw,
            region,
            period,
            comparator=(request.GET.get("benchmark") or "")[:30],
            grouping_id=_int(request.GET.get("grouping")),
        )
    )


def _fmt(x, signed: bool = False) -> str:
    if x is None:
        return "—"
    text = f"{x:+.2f}" if signed else f"{x:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tree_rows(s) -> list[dict]:
    """The tree's rows as display strings: 95 rows of ten cells render in a few ms this way."""
    base = reverse("indices_indicator", args=[0]).replace("/0/", "/{}/")
    rows = []
    for n in s.nodes:
        ind = n.indicator
        rows.append(
            {
                "depth": n.depth,
                "url": base.format(ind.pk) + f"?region={s.region.pk}",
                "label": f"{ind.code} {ind.name}",
                "computed": bool(ind.computed),
                "weight": _fmt(float(ind.weight)),
                "value": (f"{n.value.normalize():f} {ind.unit}" if n.value is not None else "—")
                if n.leaf
                else "",
                "score": _fmt(n.score),
                "delta": _fmt(n.delta, signed=True),
                "target": _fmt(n.target),
                "light": n.light,
                "light_label": n.light_label,
                "benchmark": _fmt(n.benchmark),
                "gap": _fmt(n.gap, signed=True),
                "state": n.observation.get_state_display() if n.observation else "",
            }
        )
    return rows


def tree(request: AuthedRequest, code: str) -> HttpResponse:
    _staff(request)
    user = request.user
    if not selectors.is_office(user):
        raise Http404("未找到页面")
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.choose_setting(user, code, parse(inputs.SettingIn, request.POST)),
            success="评价设置已保存",
        )
        return redirect(reverse("indices_tree", args=[code]) + f"?region={request.POST.get('region_id', '')}")
    s = _scored(request, code)
    year = int(s.period)
    return render(
        request,
        "indices/tree.html",
        {
            "s": s,
            "rows": _tree_rows(s),
            "regions": list(
                selectors.regions_visible_to(user).filter(level__in=["province", "city", "district"])
            ),
            "years": [str(y) for y in range(year - 4, year + 2)],
            "comparators": selectors.comparators(s.framework),
            "groupings": selectors.groupings_of(s.framework),
            "lights": LIGHTS,
            "band": YELLOW_BAND,
            "can_set": user.role == "dispatcher",
            "radar": s.radar(),
            "query": request.GET.urlencode(),
        },
    )


def tree_export(request: AuthedRequest, code: str) -> HttpResponse:
    _staff(request)
    if not selectors.is_office(request.user):
        raise Http404("未找到页面")
    s = _scored(request, code)
    rows = [
        [
            n.indicator.code,
            n.indicator.name,
            n.depth + 1,
            float(n.indicator.weight),
            float(n.value) if n.value is not None else None,
            n.indicator.unit,
            n.score,
            n.previous,
            n.delta,
            n.target,
            LIGHTS[n.light],
            n.benchmark,
            n.gap,
            n.observation.get_state_display() if n.observation else "",
        ]
        for n in s.nodes
    ]
    rows.append(
        [
            "",
            "总分",
            0,
            None,
            None,
            "",
            s.total,
            s.previous_total,
            s.delta,
            None,
            "",
            s.benchmark_total,
            s.gap,
            "",
        ]
    )
    headers = [
        "指标代码",
        "指标名称",
        "层级",
        "权重",
        "数值",
        "单位",
        "得分",
        "上年得分",
        "变化",
        "目标得分",
        "灯号",
        f"对标{s.comparator}得分",
        "差距",
        "状态",
    ]
    return excel.response(
        excel.workbook([(f"{s.region.name}{s.period}", headers, rows)]),
        f"{s.framework.name}-{s.region.name}-{s.period}.xlsx",
    )


def indicator(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = request.user
    ind = _or_404(lambda: selectors.get_indicator(user, pk))
    region = _or_404(
        lambda: selectors.get_region(user, _int(request.GET.get("region") or request.POST.get("region_id")))
    )
    back = reverse("indices_indicator", args=[pk]) + f"?region={region.pk}"
    if request.method == "POST":
        do = request.POST.get("do", "")
        if do == "record":
            pages.perform(
                request,
                lambda: actions.record(
                    user, parse(inputs.ObservationIn, request.POST), request.FILES.get("evidence")
                ),
                success="已保存，待核实",
            )
        elif do == "verify":
            pages.perform(
                request,
                lambda: actions.verify(user, _int(request.POST.get("observation_id")) or 0),
                success="已核实",
            )
        elif do == "return":
            pages.perform(
                request,
                lambda: actions.return_(
                    user, _int(request.POST.get("observation_id")) or 0, parse(inputs.ReturnIn, request.POST)
                ),
                success="已退回填报人",
            )
        elif do == "target":
            pages.perform(
                request,
                lambda: actions.set_target(user, parse(inputs.TargetIn, request.POST)),
                success="目标已保存",
            )
        elif do == "benchmark":
            pages.perform(
                request,
                lambda: actions.set_benchmark(user, parse(inputs.BenchmarkIn, request.POST)),
                success="对标值已保存",
            )
        else:
            raise Http404("未找到该操作")
        return redirect(back)
    leaf = not ind.children.exists()
    history = selectors.history_of(user, ind, region)
    rows = [{"o": o, "actions": [a.name for a in OBSERVATIONS.available(o, user)]} for o in history]
    from qinqing.indices.scoring import leaf_score

    return render(
        request,
        "indices/indicator.html",
        {
            "ind": ind,
            "region": region,
            "leaf": leaf,
            "children": list(ind.children.all()),
            "formula": frontier_text(ind)
            if leaf
            else "上级指标：下级指标得分按权重加权平均（缺值的下级不计，权重按有值的下级重新归一）",
            "computed": SOURCES.get(ind.computed),
            "rows": [dict(r, score=leaf_score(ind, r["o"].value) if leaf else None) for r in rows],  # type: ignore[attr-defined]
            "benchmarks": selectors.benchmarks_of(user, ind),
            "mappings": selectors.mappings_of(user, ind),
            "contributions": hooks.contributions(user, ind),
            "can_enter": leaf and not ind.computed and may_enter(user, ind, region),
            "can_verify": may_verify(user, ind, region),
            "office": user.role == "dispatcher",
            "regions": list(
                selectors.regions_visible_to(user).filter(level__in=["province", "city", "district"])
            ),
            "default_period": str(timezone.localdate().year - 1) if ind.frequency == "year" else "",
        },
    )


def evidence(request: AuthedRequest, pk: int) -> FileResponse:
    _staff(request)
    obs = _or_404(lambda: selectors.get_observation(request.user, pk))
    if not obs.evidence:
        raise Http404("没有证明材料")
    return FileResponse(obs.evidence.open("rb"), as_attachment=True, filename=obs.evidence_name or "证明材料")


def import_page(request: AuthedRequest, code: str) -> HttpResponse:
    _staff(request)
    user = request.user
    fw = _or_404(lambda: selectors.get_framework(user, code))
    region = _or_404(lambda: selectors.get_region(user, _int(request.GET.get("region"))))
    period = _period(request)
    if request.GET.get("template"):
        headers = [label for _, label in services.IMPORT_COLUMNS]
        rows = services.observation_template(fw, region, period)
        if selectors.is_department(user):
            owned = set(
                selectors.indicators_owned_by(user).filter(framework=fw).values_list("code", flat=True)
            )
            rows = [r for r in rows if r[0] in owned]
        return excel.response(
            excel.workbook([("观测值", headers, rows)]), f"{fw.code}-{region.code}-{period}-导入模板.xlsx"
        )
    result = errors = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件")
        else:
            try:
                result = actions.import_observations(user, code, upload.read())
            except DomainError as exc:
                errors = {"message": exc.message, "rows": [m for msgs in exc.errors.values() for m in msgs]}
            else:
                messages.success(request, f"导入完成：{result.summary}")
    return render(
        request,
        "indices/import.html",
        {
            "fw": fw,
            "region": region,
            "period": period,
            "result": result,
            "errors": errors,
            "columns": services.IMPORT_COLUMNS,
        },
    )


def mine(request: AuthedRequest) -> HttpResponse:
    """A department's indicators: what it owns, the latest value for its region, what waits for verification."""
    user = request.user
    if not selectors.is_department(user):
        raise Http404("未找到页面")
    region = selectors.home_region(user)
    owned = list(
        selectors.indicators_owned_by(user)
        .annotate(n_children=Count("children"))
        .order_by("framework__code", "position")
    )
    latest: dict[int, object] = {}
    for o in selectors.observations_visible_to(user).filter(region=region).order_by("period"):
        latest[o.indicator_id] = o
    pending = list(
        selectors.observations_visible_to(user).filter(state="pending").order_by("-entered_at")[:100]
    )
    return render(
        request,
        "indices/mine.html",
        {
            "rows": [{"ind": i, "latest": latest.get(i.pk)} for i in owned if not i.n_children],
            "region": region,
            "pending": [
                o for o in pending if may_verify(user, o.indicator, o.region) and o.entered_by_id != user.pk
            ],
        },
    )
