"""python manage.py seed_index [--if-empty] — demo observations, benchmarks and targets for the index.

After ``seed_demo`` (the city, its departments and accounts; the frameworks come with migration 0002): the
indicators' owners are set to the demo city's departments, each leaf of the three frameworks gets a value for the
city and its three districts for last year and this year (the earlier year verified, the latest partly 待核实), 广州 and
深圳 get benchmark values for both years (illustrative figures, not official ones), the city's first-level targets
are set, the city chooses 四个环境 and 对标深圳 for the national framework, and the computed leaves are computed
from the demo appeals.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import User
from qinqing.indices import services
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
from qinqing.organisation.models import Department, Region

OWNERS = {
    "市场监管部门": "市市场监管局",
    "知识产权管理部门": "市市场监管局",
    "人力资源社会保障部门": "市人社局",
    "住房城乡建设部门": "市住建局",
    "财政部门": "市财政局",
    "公共资源交易管理部门": "市财政局",
    "供电企业": "供电公司",
    "供水供气企业": "水务集团",
    "自然资源部门": "市自然资源局",
    "地方金融管理部门": "市金融局",
    "证券监管部门": "市金融局",
    "商务部门": "市经信局",
    "人民法院": "市司法局",
    "政务服务管理部门": "市审批局",
    "发展改革部门": "市发改委",
    "营商环境主管部门": "市营商办",
}
REGIONS = ("339900", "339902", "339903", "339971")
SOURCE = "演示数据：模拟的对标值，非官方发布数值"


def _value(rng: random.Random, ind: Indicator, quality: float) -> Decimal:
    """A value whose score is about ``quality`` (0–1), with noise."""
    q = max(0.0, min(1.0, quality + rng.uniform(-0.12, 0.12)))
    if ind.method == "yesno":
        return Decimal(1 if q > 0.35 else 0)
    if ind.method in ("points", "survey"):
        top = float(ind.best) if ind.method == "points" and ind.best else 100.0
        return Decimal(str(round(top * (0.45 + 0.55 * q), 2)))
    best, worst = float(ind.best or 0), float(ind.worst or 0)
    return Decimal(str(round(worst + (best - worst) * q, 2)))


class Command(BaseCommand):
    help = "生成评价指标演示数据（两年观测值、广州与深圳对标值、目标）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有观测值时跳过")

    def handle(self, *args, if_empty: bool = False, **options):
        if Observation.objects.exists():
            self.stdout.write("评价指标演示数据已存在，跳过。")
            return
        regions = {r.code: r for r in Region.objects.filter(code__in=REGIONS)}
        if "339900" not in regions or not Framework.objects.exists():
            self.stdout.write("缺少演示城市或指标体系：请先运行 migrate 与 seed_demo。")
            return
        rng = random.Random(16)  # noqa: S311 - deterministic demo figures, not secrets
        year = timezone.localdate().year
        years = [year - 1, year]
        city = regions["339900"]
        with transaction.atomic():
            depts = {d.short_name or d.name: d for d in Department.objects.filter(region=city)}
            for owner_name, short in OWNERS.items():
                if short in depts:
                    Indicator.objects.filter(owner_name=owner_name).update(owner=depts[short])
            office = User.objects.filter(username="diaodu").first()
            district_office = User.objects.filter(username="dongcheng").first()
            handlers: dict[int | None, User] = {}
            for u in User.objects.filter(role__in=["handler"], department__isnull=False).order_by("pk"):
                handlers.setdefault(u.department_id, u)
            leaves = [
                i
                for i in Indicator.objects.filter(children__isnull=True).select_related("framework")
                if not i.computed
            ]
            now = timezone.now()
            rows = []
            base = {code: rng.uniform(0.45, 0.8) for code in REGIONS}
            for code, region in regions.items():
                for ind in leaves:
                    skill = base[code] + rng.uniform(-0.15, 0.15)
                    for n, y in enumerate(years):
                        enterer = handlers.get(ind.owner_id) or (
                            district_office if code == "339902" and district_office else office
                        )
                        latest = n == len(years) - 1
                        verified = not latest or rng.random() < 0.7
                        verifier = office if enterer != office else None
                        if verifier is None:
                            verified = False
                        rows.append(
                            Observation(
                                indicator=ind,
                                region=region,
                                period=str(y),
                                value=_value(rng, ind, skill + 0.06 * n),
                                state=ObservationState.VERIFIED if verified else ObservationState.PENDING,
                                entered_by=enterer,
                                entered_at=now,
                                verified_by=verifier if verified else None,
                                verified_at=now if verified else None,
                                evidence_link="https://www.gov.cn/" if rng.random() < 0.3 else "",
                                note="演示数据",
                            )
                        )
            Observation.objects.bulk_create(rows, batch_size=1000)
            ObservationEvent.objects.bulk_create(
                [
                    ObservationEvent(observation=o, kind="entered", by=o.entered_by, detail={"seed": True})
                    for o in Observation.objects.filter(computed=False)
                ],
                batch_size=1000,
            )
            benchmarks = []
            for comparator, quality in (("广州", 0.82), ("深圳", 0.9)):
                for ind in leaves:
                    for n, y in enumerate(years):
                        benchmarks.append(
                            Benchmark(
                                indicator=ind,
                                comparator=comparator,
                                period=str(y),
                                value=_value(rng, ind, quality + 0.03 * n),
                                source=SOURCE,
                            )
                        )
            Benchmark.objects.bulk_create(benchmarks, batch_size=1000)
            targets = [
                Target(indicator=i, region=city, period=str(y), value=Decimal(75 + 5 * n), set_by=office)
                for i in Indicator.objects.filter(parent__isnull=True)
                for n, y in enumerate(years)
            ]
            Target.objects.bulk_create(targets)
            national = Framework.objects.filter(code="cn-national-2020").first()
            if national is not None:
                RegionIndex.objects.create(
                    region=city,
                    framework=national,
                    grouping=Grouping.objects.filter(framework=national).first(),
                    comparator="深圳",
                )
        computed = services.compute_observations(regions=list(regions.values()), years=years)
        self.stdout.write(
            self.style.SUCCESS(
                f"评价指标演示数据已生成：{len(rows)} 个观测值，{len(benchmarks)} 个对标值，"
                f"系统计算 {computed.written} 个。"
            )
        )
