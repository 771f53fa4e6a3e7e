"""python manage.py seed_plans [--if-empty]: the demo city's action plan in the shape of 乳源's: a leading group and
four working groups, a dozen tasks across the four environments (法治、政务、市场、社会), each linked to indicators of
the shipped national framework ``cn-national-2020`` (its first-level indicators, by name), with milestones, progress reports, evidence, reviews and sweeps
replayed over the last weeks, so the pages show every light (green, yellow, red, 已销号) and every kind and grade
of 督办单 (进展报告逾期 and 节点超期; blue, yellow, red; issued, answered, closed), and a published ranking.

Everything goes through the services; only the dates a replay cannot produce (a milestone submitted weeks ago, a
report filed on the day after its period) are set afterwards on the rows, as the history they stand for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals.management.commands.seed_demo import DEMO_PASSWORD
from qinqing.core import workcalendar
from qinqing.indices.models import Framework, Indicator
from qinqing.organisation.models import Department, Region
from qinqing.plans import periods, rankings, services
from qinqing.plans.models import Milestone, Plan, ProgressReport, Responsibility, Slip, Task
from qinqing.plans.sweep import sweep

FRAMEWORK = "cn-national-2020"
INDICATORS = [
    ("01", "开办企业"),
    ("02", "办理建筑许可"),
    ("03", "获得电力"),
    ("04", "获得用水用气"),
    ("05", "登记财产"),
    ("06", "获得信贷"),
    ("07", "保护中小投资者"),
    ("08", "纳税"),
    ("09", "跨境贸易"),
    ("10", "执行合同"),
    ("11", "办理破产"),
    ("12", "劳动力市场监管"),
    ("13", "政府采购"),
    ("14", "招标投标"),
    ("15", "政务服务"),
    ("16", "知识产权创造、保护和运用"),
    ("17", "市场监管"),
    ("18", "包容普惠创新"),
]

# code, title, environment, lead (short name), responsibility, co (short names), indicators, supervisor, scenario
TASKS = [
    (
        "1.1",
        "企业开办“一网通办”，全流程压缩至1个工作日",
        "government",
        "市市场监管局",
        "lead",
        ["市审批局"],
        ["01", "15"],
        "duban",
        "closed",
    ),
    (
        "1.2",
        "工程建设项目审批全流程压缩至60个工作日以内",
        "government",
        "市住建局",
        "statutory",
        ["市自然资源局", "市审批局"],
        ["02"],
        "lingdao",
        "red_late",
    ),
    (
        "1.3",
        "低压小微企业获得电力“三零”服务全覆盖",
        "government",
        "供电公司",
        "lead",
        ["市经信局"],
        ["03"],
        "duban",
        "submitted",
    ),
    (
        "1.4",
        "用水用气报装“一站式”并联办理",
        "government",
        "水务集团",
        "lead",
        ["市住建局"],
        ["04"],
        None,
        "yellow",
    ),
    (
        "2.1",
        "涉企行政执法“综合查一次”，减少重复检查",
        "law",
        "市司法局",
        "statutory",
        ["市市场监管局", "市公安局"],
        ["17"],
        "duban",
        "returned",
    ),
    (
        "2.2",
        "知识产权快速协同保护",
        "law",
        "市市场监管局",
        "statutory",
        ["市公安局"],
        ["16"],
        "duban",
        "green",
    ),
    (
        "2.3",
        "商事纠纷诉调对接，提升执行合同效率",
        "law",
        "市司法局",
        "linked",
        [],
        ["10", "11"],
        "lingdao",
        "late",
    ),
    (
        "3.1",
        "“信易贷”扩面增量，普惠小微贷款稳步增长",
        "market",
        "市金融局",
        "lead",
        ["市财政局"],
        ["06"],
        "duban",
        "pending",
    ),
    (
        "3.2",
        "政府采购全流程电子化，保证金应免尽免",
        "market",
        "市财政局",
        "statutory",
        [],
        ["13", "14"],
        None,
        "red",
    ),
    (
        "3.3",
        "不动产登记“交房即交证”",
        "market",
        "市自然资源局",
        "lead",
        ["市住建局"],
        ["05"],
        "duban",
        "yellow_submitted",
    ),
    ("4.1", "稳岗就业与劳动关系协调", "social", "市人社局", "statutory", [], ["12"], "lingdao", "green"),
    (
        "4.2",
        "企业诉求“亲清直通车”，满意率稳步提升",
        "social",
        "市经信局",
        "linked",
        ["市营商办"],
        ["18", "15"],
        "duban",
        "late",
    ),
]


class Command(BaseCommand):
    help = "Load the demo action plan (行动方案), its tasks, milestones, reports, slips and a ranking."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a plan exists")

    def handle(self, *args, if_empty: bool, **options):
        city = Region.objects.filter(code="339900").first()
        if city is None:
            raise CommandError("请先运行 seed_demo 生成演示城市")
        if Plan.objects.exists():
            if if_empty:
                self.stdout.write("行动方案演示数据已存在，跳过。")
                return
            raise CommandError("行动方案演示数据已存在")
        with transaction.atomic():
            made = self._seed(city)
        self.stdout.write(
            self.style.SUCCESS(
                f"行动方案演示数据已生成：{Task.objects.count()} 项任务，{Milestone.objects.count()} 个节点，"
                f"{Slip.objects.count()} 张督办单{made}。"
            )
        )

    # ------------------------------------------------------------------ framework

    def _indicators(self) -> dict[str, Indicator]:
        """The demo's indicator codes ("01"–"18", the national index's first level as the plan numbers them) to
        the shipped national framework's indicators (loaded by indices' data migration), matched by name."""
        framework = Framework.objects.get(code=FRAMEWORK)
        by_name = {i.name: i for i in framework.indicators.filter(parent__isnull=True)}
        missing = [name for _, name in INDICATORS if name not in by_name]
        if missing:
            raise CommandError(f"指标体系 {FRAMEWORK} 缺少一级指标：{'、'.join(missing)}")
        return {code: by_name[name] for code, name in INDICATORS}

    # ------------------------------------------------------------------ the plan

    def _seed(self, city: Region) -> str:
        today = timezone.localdate()
        depts = {d.short_name: d for d in Department.objects.filter(region=city)}
        office = User.objects.get(username="diaodu")
        leader = User.objects.get(username="lingdao")
        duban, _ = User.objects.get_or_create(
            username="duban",
            defaults={
                "password": make_password(DEMO_PASSWORD),
                "full_name": "陈督办",
                "role": Role.LEADER,
                "region": city,
            },
        )
        supervisors = {"lingdao": leader, "duban": duban}
        indicators = self._indicators()
        start = today - dt.timedelta(days=63)
        plan = services.create_plan(
            by=office,
            year=today.year,
            title=f"青川市{today.year}年优化营商环境行动方案",
            number=f"青营商办〔{today.year}〕1号",
            leading_group="组长：市长；常务副组长：常务副市长；成员：各相关部门主要负责人。领导小组办公室设在市营商办。",
            working_groups="政务环境工作专班\n法治环境工作专班\n市场环境工作专班\n社会环境工作专班",
        )
        tasks: list[tuple[Task, str]] = []
        for code, title, env, lead, resp, co, inds, sup, scenario in TASKS:
            task = services.add_task(
                plan=plan,
                by=office,
                code=code,
                title=title,
                description=f"制定任务书、路线图、时间表，按{Responsibility(resp).label}一体负责。",
                environment=env,
                lead_department=depts[lead],
                responsibility=resp,
                co_departments=[depts[c] for c in co if c in depts],
                supervisor=supervisors.get(sup or ""),
                weight=Decimal("2") if scenario.startswith("red") else Decimal("1"),
                indicators=[indicators[i] for i in inds if i in indicators],
            )
            self._milestones(task, office, scenario, start, today)
            tasks.append((task, scenario))
        services.approve_plan(plan=plan, by=office, today=start)
        plan.refresh_from_db()
        # After approval the office moved one milestone: the baseline keeps the approved date (slippage).
        moved = Milestone.objects.filter(task__code="1.2", task__plan=plan).order_by("due").last()
        if moved is not None:
            services.reschedule_milestone(
                milestone=moved,
                by=office,
                due=moved.due + dt.timedelta(days=14),
                reason="施工图审查改革配套文件延后印发",
            )
        self._replay(plan, tasks, office, today)
        published = self._ranking(office, today)
        return f"，已发布{published}" if published else ""

    def _milestones(self, task: Task, by: User, scenario: str, start: dt.date, today: dt.date) -> None:
        early = start + dt.timedelta(days=20)
        plans = [
            ("制定实施细则并印发", early, "实施细则印发", "印发文件扫描件或网址", "1"),
        ]
        if scenario == "red_late":
            second = today - dt.timedelta(days=9)  # overdue since before the last sweeps: escalated
        elif scenario == "red":
            second = today - dt.timedelta(days=3)  # overdue since the last sweep: a blue slip
        elif scenario.startswith("yellow"):
            second = today  # due today: yellow (on any day of the week), red from tomorrow
        elif scenario in ("closed", "pending"):
            second = today - dt.timedelta(days=12)
        else:
            second = today + dt.timedelta(days=25)
        plans.append(("完成系统改造与流程再造", second, "新流程上线运行", "系统截图、运行数据", "2"))
        third = (
            today - dt.timedelta(days=5)
            if scenario in ("closed", "pending")
            else today + dt.timedelta(days=70)
        )
        plans.append(("开展评估并形成长效机制", third, "评估报告、长效机制文件", "评估报告", "1"))
        for title, due, result, evidence, weight in plans:
            services.add_milestone(
                task=task,
                by=by,
                title=title,
                due=due,
                expected_result=result,
                evidence_required=evidence,
                weight=Decimal(weight),
            )

    def _staff(self, task: Task) -> User:
        staff = User.objects.filter(
            department=task.lead_department, role=Role.HANDLER, is_active=True
        ).first()
        if staff is None:
            staff = User.objects.create(
                username=f"plan_{task.lead_department.pk}",
                password=make_password(DEMO_PASSWORD),
                full_name=f"{task.lead_department}经办人",
                role=Role.HANDLER,
                department=task.lead_department,
            )
        return staff

    def _reviewer(self, task: Task, office: User) -> User:
        return task.supervisor or office

    def _replay(self, plan: Plan, tasks: list[tuple[Task, str]], office: User, today: dt.date) -> None:
        finished = periods.finished_periods(plan, today)
        # The first sweep ran twelve days ago, then six days ago: slips issued then have since escalated.
        sweeps = [today - dt.timedelta(days=12), today - dt.timedelta(days=6), today]
        for task, scenario in tasks:
            staff = self._staff(task)
            reviewer = self._reviewer(task, office)
            reported = finished if scenario not in ("late", "red_late") else finished[:1]
            for start, end in reported:
                on = end + dt.timedelta(days=1)
                report = services.file_report(
                    task=task,
                    by=staff,
                    text=f"{start:%m月%d日}至{end:%m月%d日}：按路线图推进，完成阶段性工作。",
                    today=on,
                )
                ProgressReport.objects.filter(pk=report.pk).update(
                    filed_at=workcalendar.end_of_day(on) - dt.timedelta(hours=6)
                )
            ms = list(task.milestones.order_by("due"))
            m0 = ms[0]
            link = "https://www.example.gov.cn/qingchuan/wj/2026/001.html"
            if scenario == "returned":
                services.file_report(
                    task=task, by=staff, text="细则已起草，提交审核。", milestone=m0, link=link
                )
                services.review_milestone(
                    milestone=m0, by=reviewer, accept=False, note="缺少印发文号，请补充正式文件"
                )
                continue
            # Every other task had its first milestone done on time.
            self._done(task, staff, reviewer, m0, link, on=m0.due - dt.timedelta(days=2))
            if scenario in ("closed", "pending"):
                for m in ms[1:]:
                    self._done(task, staff, reviewer, m, link, on=m.due - dt.timedelta(days=1))
                services.request_close(task=task, by=staff, note="节点均已完成")
                if scenario == "closed":
                    services.decide_close(
                        task=task, by=reviewer, accept=True, note="经核查，企业开办时间已压缩至1个工作日"
                    )
            elif scenario in ("submitted", "yellow_submitted"):
                services.file_report(
                    task=task, by=staff, text="新流程已上线试运行。", milestone=ms[1], link=link
                )
        for day in sweeps:
            sweep(day)
            if day == sweeps[0]:
                # One department answered its slip in time, and the 督办专员 closed another.
                late = Slip.objects.filter(task__plan=plan).order_by("pk")
                first: Slip | None = late.first()
                if first is not None:
                    services.answer_slip(
                        slip=first, by=self._staff(first.task), answer="已补报进展，今后按期报送。"
                    )
                    services.close_slip(slip=first, by=self._reviewer(first.task, office), note="已补报")
                second: Slip | None = late.exclude(pk=first.pk).first() if first else None
                if second is not None:
                    services.answer_slip(
                        slip=second,
                        by=self._staff(second.task),
                        answer="配套文件已报市政府审定，本月内印发。",
                    )

    def _done(self, task: Task, staff: User, reviewer: User, m: Milestone, link: str, on: dt.date) -> None:
        services.file_report(task=task, by=staff, text=f"{m.title}：已完成。", milestone=m, link=link)
        services.review_milestone(milestone=m, by=reviewer, accept=True, note="佐证材料齐全")
        Milestone.objects.filter(pk=m.pk).update(done_on=on, submitted_at=workcalendar.end_of_day(on))

    def _ranking(self, office: User, today: dt.date) -> str:
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        ranking = rankings.publish(by=office, period="month", anchor=last_month, confirm=True)
        return f"{ranking.start:%Y年%m月}任务推进排名"
