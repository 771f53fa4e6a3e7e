"""Field-service demo data on top of ``seed_demo``: a discipline-inspection department, service officers with
their enterprises (one reassigned, so history shows), "1+1" linked leader, a 政企交流主题日 series with past
meetings and their issues at every stage, visits, a supervisor with a clue and spot checks, contact points and a
task force. Deterministic; run after ``seed_demo``."""

import datetime as dt

import time_machine
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import Category
from qinqing.core import workcalendar
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import services
from qinqing.fieldwork.models import (
    ContactPointKind,
    MeetingKind,
    ServiceRole,
    SupervisorBackground,
)
from qinqing.organisation.models import Department, Region

DEMO_PASSWORD = "qinqing2026"  # noqa: S105 - the published demo password, as in seed_demo

ISSUES = [
    ("labour", "企业扩产后缺少熟练焊工约30人，希望组织定向招聘和技能培训。"),
    ("power", "新厂房用电报装已提交一个月，希望加快外线工程进度。"),
    ("finance", "企业有设备更新贷款需求约500万元，希望对接银行政策性贷款。"),
    ("transport", "园区门口公交班次少，员工上下班不便，建议加密班次。"),
    ("approval", "厂房扩建项目施工许可办理材料较多，希望提供帮办代办服务。"),
    ("schooling", "外地骨干员工子女入学需要协调学位。"),
    ("land", "企业二期用地指标尚未落实，影响项目开工。"),
    ("water_gas", "厂区供水压力不足，影响生产线正常运行。"),
    ("policy", "去年申报的技改补助资金尚未拨付到位。"),
    ("legal", "企业遇到合同纠纷，希望获得法律服务指导。"),
]


class Command(BaseCommand):
    help = (
        "Load the field-service demo (meetings, officers, visits, supervisors, contact points, task forces)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when it is already there")

    def handle(self, *args, if_empty: bool, **options):
        city = Region.objects.filter(code="339900").first()
        if city is None:
            raise CommandError("请先运行 seed_demo 生成演示城市")
        if User.objects.filter(username="fuwuguan").exists():
            if if_empty:
                self.stdout.write("服务与活动演示数据已存在，跳过。")
                return
            raise CommandError("服务与活动演示数据已存在")
        self.password = make_password(DEMO_PASSWORD)
        today = timezone.localdate()
        diaodu = User.objects.get(username="diaodu")
        lingdao = User.objects.get(username="lingdao")
        ents = list(Enterprise.objects.order_by("pk"))
        cats = {c.code: c for c in Category.objects.all()}

        discipline = Department.objects.create(
            name="青川市纪委监委派驻纪检监察组",
            short_name="纪检监察组",
            kind=Department.Kind.DISCIPLINE,
            region=city,
        )
        self._user("jijian", "吴纪检", Role.HANDLER, department=discipline)
        officer = self._user("fuwuguan", "林服务", Role.OFFICER, region=city, mobile="13700000011")
        officer2 = self._user("fuwuguan2", "许服务", Role.OFFICER, region=city, mobile="13700000012")
        resident = self._user("zhuanyuan", "何专员", Role.OFFICER, region=city, mobile="13700000013")
        sup_user = self._user("jiandu", "冯监督", Role.SUPERVISOR, region=city, mobile="13700000014")

        # 包干: officer serves the first eight enterprises; the eighth moves to officer2 a month ago.
        start = today - dt.timedelta(days=200)
        for e in ents[:8]:
            services.assign_officer(by=diaodu, enterprise=e, user=officer, role=ServiceRole.CHIEF, on=start)
        for e in ents[8:14]:
            services.assign_officer(by=diaodu, enterprise=e, user=officer2, role=ServiceRole.CHIEF, on=start)
        services.assign_officer(
            by=diaodu,
            enterprise=ents[7],
            user=officer2,
            role=ServiceRole.CHIEF,
            on=today - dt.timedelta(days=30),
            reason="岗位调整",
        )
        # "1+1": the leader linked to the key enterprises, each with the resident specialist.
        for e in [e for e in ents if e.is_key][:4]:
            services.assign_officer(
                by=diaodu, enterprise=e, user=lingdao, role=ServiceRole.LINKED_LEADER, on=start
            )
            services.assign_officer(
                by=diaodu, enterprise=e, user=resident, role=ServiceRole.RESIDENT, on=start
            )

        # Visits, some raising appeals.
        for k, e in enumerate(ents[:7]):
            day = workcalendar.add_working_days(today - dt.timedelta(days=60 - 8 * k), 0)
            with time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(15))), tick=False):
                code, text = ISSUES[k % len(ISSUES)]
                issues = [{"category": cats[code], "content": text}] if k % 2 == 0 else []
                services.log_visit(
                    by=officer,
                    enterprise=e,
                    visited_on=day,
                    people_met="总经理、行政经理",
                    findings="企业生产经营总体平稳，订单较去年增长。"
                    + ("反映了问题，已现场登记。" if issues else ""),
                    policies="宣讲了稳岗返还、研发费用加计扣除等政策。",
                    issues=issues,
                )

        # A theme-day series: six past Monday evenings with their issues at every stage.
        series = services.create_series(
            by=diaodu,
            name="政企交流主题日",
            kind=MeetingKind.THEME_DAY,
            weekday=0,
            place="市民中心三楼会议室",
        )
        monday = today - dt.timedelta(days=today.weekday())
        depts = list(Department.objects.filter(kind=Department.Kind.FUNCTIONAL)[:5])
        n = 0
        for week in range(6, 0, -1):
            day = monday - dt.timedelta(weeks=week)
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(20)))
            with time_machine.travel(moment, tick=False):
                m = services.schedule_meeting(
                    by=diaodu,
                    series=series,
                    theme=["稳岗用工", "融资对接", "项目审批", "要素保障", "政策兑现", "人才服务"][week - 1],
                    starts_at=moment,
                    host=lingdao,
                    departments=depts,
                    enterprises=ents[week * 3 : week * 3 + 4],
                )
            with time_machine.travel(moment + dt.timedelta(hours=1), tick=False):
                lines = []
                for j in range(3):
                    code, text = ISSUES[(week + j) % len(ISSUES)]
                    lines.append(f"{ents[week * 3 + j].name} | {cats[code].name} | {text}")
                made = services.add_meeting_issues(meeting=m, by=diaodu, text="\n".join(lines))
                services.record_minutes(
                    meeting=m, by=diaodu, minutes=f"第{m.sequence}期主题日共收集问题{len(made)}条，现场交办。"
                )
            for a in made:
                self._advance(a, moment, n, diaodu)
                n += 1
        # Next Monday's meeting, announced to its enterprises.
        nxt = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(weeks=1), dt.time(20)))
        upcoming = services.schedule_meeting(
            by=diaodu,
            series=series,
            theme="外贸企业服务",
            starts_at=nxt,
            host=lingdao,
            departments=depts,
            enterprises=ents[:4],
        )
        services.announce_meeting(meeting=upcoming, by=diaodu)

        # A special supervisor: appointment, a clue, spot checks.
        services.appoint_supervisor(
            by=diaodu,
            user=sup_user,
            certificate_no="QCJD-2026-001",
            background=SupervisorBackground.NPC,
            term_start=today - dt.timedelta(days=300),
            term_end=today + dt.timedelta(days=430),
            organisation="市人大代表、青川商会副会长",
        )
        approval = Department.objects.filter(name__contains="行政审批").first() or depts[0]
        services.submit_clue(
            by=sup_user,
            title="窗口工作人员要求企业重复提交材料",
            department=approval,
            content="有企业反映在办理施工许可时，窗口人员要求重复提交已在系统中上传的材料，并暗示找中介可加快办理。",
            occurred_on=today - dt.timedelta(days=10),
        )
        for k, d in enumerate([approval, *depts[:3]]):
            services.record_spot_check(
                by=sup_user,
                department=d,
                checked_on=today - dt.timedelta(days=5 + 7 * k),
                place="政务服务中心",
                items={
                    "policy": 18 - k,
                    "service": 17,
                    "convenience": 16 + (k % 2),
                    "efficiency": 15 + k,
                    "conduct": 19,
                },
                comments="窗口服务总体规范，个别事项告知不够清晰。",
            )

        # Contact points and a task force.
        services.designate_contact_point(
            by=diaodu, enterprise=ents[2], kind=ContactPointKind.CONGRESS, responsible="市人大代表 冯监督"
        )
        services.designate_contact_point(
            by=diaodu,
            enterprise=ents[3],
            kind=ContactPointKind.IP,
            responsible="市市场监管局知识产权科",
            department=depts[0],
        )
        land = Department.objects.filter(name__contains="自然资源").first()
        housing = Department.objects.filter(name__contains="住房").first()
        tf = services.create_task_force(
            by=diaodu,
            name=f"{ents[4].name}二期项目专班",
            matter="二期项目用地、规划、施工许可协同推进，确保年内开工。",
            enterprise=ents[4],
            members=[
                {"department": land, "person": "钱经办", "is_lead": True},
                {"department": housing, "person": "李科长"},
                {"department": approval, "person": "张科长"},
            ],
        )
        services.log_task_force(task_force=tf, by=diaodu, note="召开专班第一次会议，明确各单位时间节点。")
        self.stdout.write(
            self.style.SUCCESS(f"服务与活动演示数据已生成：{series.meetings.count()} 期主题日，{n} 条问题。")
        )

    def _user(self, username, name, role, **extra) -> User:
        return User.objects.create(
            username=username, password=self.password, full_name=name, role=role, **extra
        )

    def _advance(self, appeal, moment, n, dispatcher):
        """Most issues answered and rated, a few still in progress, as a real series looks."""
        stage = n % 6
        t = moment + dt.timedelta(hours=14)
        entry = appeal_services.suggest_assignment(appeal.region, appeal.category)
        lead = (
            entry.lead_department
            if entry
            else Department.objects.filter(kind=Department.Kind.FUNCTIONAL).first()
        )
        handler = lead.staff.first()
        owner = appeal.enterprise.users.first() or User.objects.create(
            username=f"qiye_{appeal.enterprise_id}",
            password=self.password,
            role=Role.ENTERPRISE,
            enterprise=appeal.enterprise,
            full_name=appeal.contact_name,
        )
        with time_machine.travel(t, tick=False):
            appeal = appeal_services.assign_appeal(appeal=appeal, by=dispatcher, lead=lead)
        if stage == 5:
            return
        with time_machine.travel(t + dt.timedelta(hours=3), tick=False):
            appeal = appeal_services.sign_appeal(appeal=appeal, by=handler)
        if stage == 4:
            return
        with time_machine.travel(t + dt.timedelta(days=3), tick=False):
            appeal = appeal_services.reply_to_appeal(
                appeal=appeal,
                by=handler,
                measures="召开协调会，明确责任单位和办理时限，现场对接企业。",
                result="已协调解决。",
            )
            if appeal.status == "review":  # 西江区 holds replies for review (答复复核): the head sends it on
                appeal = appeal_services.release_reply(
                    appeal=appeal, by=None, note="答复质量评分合格，自动送达"
                )
        with time_machine.travel(t + dt.timedelta(days=4), tick=False):
            appeal_services.rate_appeal(
                appeal=appeal,
                by=owner,
                satisfaction="satisfied" if stage != 3 else "basic",
                resolved=stage != 3,
                comment="" if stage != 3 else "部分解决",
            )
