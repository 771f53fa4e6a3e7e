"""python manage.py seed_projects [--if-empty]: twelve demo key projects of 青川市 through the services, so that
``make run`` shows every stage, approval steps with their working days, the 三未 lights and a Haicang-style pair of
expansion projects (the first took 224 working days of approval, the second 64). Dates are relative to today."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.workcalendar import add_working_days
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork.models import TaskForce
from qinqing.organisation.models import Department, Region
from qinqing.projects import services
from qinqing.projects.models import Project, Stage, StepKind

K = StepKind
MOVES = ("sign", "land", "start", "build", "complete", "produce")

# name, region code, amount (万元), industry, days ago 洽谈 began, days ago of each move (in order),
# planned days from today of later stages, steps: (kind, department short name, days ago submitted, working days)
PROJECTS = [
    ("青川新能源电池材料项目", "339902", 300000, "C", 30, (), {"signed": 20, "landed": 120}, []),
    (
        "东湖数字经济产业园",
        "339902",
        80000,
        "I",
        200,
        (110,),
        {"landed": -10, "started": 90},
        [
            (K.APPROVAL, "市发改委", 100, 6),
        ],
    ),
    (
        "西江冷链物流枢纽",
        "339903",
        65000,
        "G",
        420,
        (340, 300),
        {"started": -120},
        [
            (K.APPROVAL, "市发改委", 330, 8),
            (K.LAND_PLANNING, "市自然资源局", 310, 15),
            (K.ENGINEERING_PLANNING, "市自然资源局", 240, 12),
            (K.CONSTRUCTION, "市住建局", 170, 10),  # permit ~5 months ago, no 开工: 批而未开
        ],
    ),
    (
        "高新区生物医药中试基地",
        "339971",
        120000,
        "M",
        380,
        (330, 280, 110),
        {"building": -60},
        [
            (K.APPROVAL, "市审批局", 320, 5),
            (K.LAND_PLANNING, "市自然资源局", 300, 18),
            (K.CONSTRUCTION, "市住建局", 150, 9),  # started ~110 days ago, no 建设: 开而未建
        ],
    ),
    (
        "白沙镇农产品精深加工项目",
        "339902",
        30000,
        "C",
        260,
        (220, 170, 25),
        {"building": 60},
        [
            (K.APPROVAL, "市发改委", 210, 4),
            (K.LAND_PLANNING, "市自然资源局", 190, 10),
            (K.CONSTRUCTION, "市住建局", 60, 6),
        ],
    ),
    (
        "江南街道总部经济大楼",
        "339903",
        150000,
        "L",
        900,
        (820, 760, 600, 560),
        {"completed": -80},
        [
            (K.APPROVAL, "市发改委", 800, 10),
            (K.LAND_PLANNING, "市自然资源局", 770, 25),
            (K.ENGINEERING_PLANNING, "市自然资源局", 700, 20),
            (K.CONSTRUCTION, "市住建局", 640, 15),  # planned 竣工 passed: 建而未成
        ],
    ),
    (
        "柳林镇光伏储能电站",
        "339903",
        45000,
        "D",
        500,
        (450, 420, 330, 300),
        {"completed": 150},
        [
            (K.APPROVAL, "市发改委", 440, 3),
            (K.LAND_PLANNING, "市自然资源局", 430, 8),
            (K.CONSTRUCTION, "市住建局", 350, 7),
        ],
    ),
    (
        "高新区智能终端制造基地",
        "339971",
        200000,
        "C",
        800,
        (730, 690, 560, 520, 90),
        {"producing": 30},
        [
            (K.APPROVAL, "市审批局", 720, 5),
            (K.LAND_PLANNING, "市自然资源局", 700, 12),
            (K.ENGINEERING_PLANNING, "市自然资源局", 640, 15),
            (K.CONSTRUCTION, "市住建局", 600, 10),
            (K.COMPLETION, "市住建局", 110, 12),
        ],
    ),
    (
        "东城高端装备产业园一期",
        "339902",
        90000,
        "C",
        1000,
        (950, 900, 700, 660, 330, 280),
        {},
        [
            (K.APPROVAL, "市发改委", 940, 6),
            (K.LAND_PLANNING, "市自然资源局", 920, 14),
            (K.CONSTRUCTION, "市住建局", 760, 12),
            (K.COMPLETION, "市住建局", 360, 10),
        ],
    ),
    ("青川现代物流园", "339903", 55000, "G", 100, (60,), {"landed": 30}, []),
]
# The Haicang-style pair: one enterprise's expansion, before and after 一企一案一专班 with parallel approval.
HAICANG_FIRST = [
    (K.APPROVAL, "市发改委", 24),
    (K.LAND_PLANNING, "市自然资源局", 60),
    (K.ENGINEERING_PLANNING, "市自然资源局", 40),
    (K.CONSTRUCTION, "市住建局", 60),
    (K.COMPLETION, "市住建局", 40),
]


class Command(BaseCommand):
    help = "Load demo key projects (every stage, approval steps, 三未 flags, a 224 → 64 working-day pair)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when projects are there")

    def handle(self, *args, if_empty: bool, **options):
        if not Region.objects.filter(code="339900").exists():
            raise CommandError("请先运行 seed_demo 生成演示城市")
        if Project.objects.exists():
            if if_empty:
                self.stdout.write("重点项目演示数据已存在，跳过。")
                return
            raise CommandError("重点项目演示数据已存在")
        with transaction.atomic():
            self._seed()
        result = services.sweep_flags()
        self.stdout.write(
            self.style.SUCCESS(
                f"重点项目演示数据已生成：{Project.objects.count()} 个项目，{result.raised} 个三未预警。"
            )
        )

    def _seed(self) -> None:
        today = timezone.localdate()
        office = User.objects.get(username="diaodu")
        leader = User.objects.filter(username="lingdao").first()
        officer = User.objects.filter(role=Role.OFFICER, is_active=True).order_by("pk").first()
        depts = {d.short_name: d for d in Department.objects.filter(region__code="339900")}
        regions = {r.code: r for r in Region.objects.all()}
        task_force = TaskForce.objects.order_by("pk").first()

        def ago(days: int) -> dt.date:
            return today - dt.timedelta(days=days)

        def enterprise_in(code: str, i: int) -> Enterprise:
            found = list(Enterprise.objects.filter(region__code__startswith=code).order_by("pk")[:12])
            return found[i % len(found)] if found else Enterprise.objects.order_by("pk")[i]

        def steps(project: Project, rows) -> None:
            for kind, dept, submitted, days in rows:
                step = services.add_step(by=office, project=project, kind=kind, department=depts[dept])
                on = ago(submitted)
                step = services.record_step(by=office, step=step, action="submit", on=on)
                done = add_working_days(on, days)
                if done <= today:
                    services.record_step(by=office, step=step, action="approve", on=done)

        for i, (name, code, amount, industry, since, moves, planned, rows) in enumerate(PROJECTS):
            project = services.create_project(
                by=office,
                name=name,
                enterprise=enterprise_in(code, i),
                amount=amount,
                industry=industry,
                region=regions[code],
                leader=leader if i % 2 == 0 else None,
                officer=officer,
                task_force=task_force if i == 2 else None,
                since=ago(since),
            )
            done = [(MOVES[k], ago(d)) for k, d in enumerate(moves)]
            for stage, (_action, on) in zip(Stage.values[1:], done, strict=False):
                services.plan_stage(
                    by=office, project=project, stage=stage, planned_on=on - dt.timedelta(days=14 * (i % 3))
                )
            for stage, days in planned.items():
                services.plan_stage(
                    by=office, project=project, stage=stage, planned_on=today + dt.timedelta(days=days)
                )
            for action, on in done:
                project = services.move_stage(by=office, project=project, action=action, on=on)
            steps(project, rows)

        # 海沧-style: the expansion's first phase approved one step after the other (224 working days), the second
        # with a task force and parallel permits (64 working days).
        enterprise = enterprise_in("339902", 5)
        first = services.create_project(
            by=office,
            name="恒信机械扩产项目（一期）",
            enterprise=enterprise,
            amount=40000,
            industry="C",
            region=regions["339902"],
            leader=leader,
            officer=officer,
            since=ago(760),
            note="审批环节串联办理。",
        )
        day = ago(700)
        for kind, dept, days in HAICANG_FIRST:
            step = services.add_step(by=office, project=first, kind=kind, department=depts[dept])
            step = services.record_step(by=office, step=step, action="submit", on=day)
            day = add_working_days(day, days)
            services.record_step(by=office, step=step, action="approve", on=day)
        for action, on in zip(MOVES, (ago(720), ago(690), ago(480), ago(450), day, day), strict=True):
            first = services.move_stage(by=office, project=first, action=action, on=on)
        second = services.create_project(
            by=office,
            name="恒信机械扩产项目（二期）",
            enterprise=enterprise,
            amount=60000,
            industry="C",
            region=regions["339902"],
            leader=leader,
            officer=officer,
            task_force=task_force,
            baseline=first,
            since=ago(260),
            note="一企一案一专班，用地规划许可与施工许可并联审批。",
        )
        day = ago(230)
        for kind, dept, days, parallel in (
            (K.APPROVAL, "市发改委", 4, False),
            (K.LAND_PLANNING, "市自然资源局", 20, True),
            (K.CONSTRUCTION, "市住建局", 20, False),
            (K.COMPLETION, "市住建局", 40, False),
        ):
            step = services.add_step(by=office, project=second, kind=kind, department=depts[dept])
            step = services.record_step(by=office, step=step, action="submit", on=day)
            end = add_working_days(day, days)
            services.record_step(by=office, step=step, action="approve", on=min(end, today))
            if not parallel:
                day = end
        started = add_working_days(ago(230), 24)
        for action, on in zip(MOVES, (ago(240), ago(232), started, started, day), strict=False):
            if on <= today:
                second = services.move_stage(by=office, project=second, action=action, on=on)
