"""A deterministic demo city: regions, departments, a responsibility catalogue, ~50 enterprises, demo
accounts for every role, and a few hundred appeals (texts in ``_demo_appeals``) whose histories were made by the real services at
the moments they say (the clock is moved with time-machine), so every event and deadline is genuine.

Over 500 lines because it is data (the demo city's names, departments and appeal texts) more than code."""

import datetime as dt
import random

import time_machine
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from qinqing.accounts.models import Role, User
from qinqing.appeals import services
from qinqing.appeals.management.commands._demo_appeals import DemoTexts
from qinqing.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    Category,
    Channel,
    ResponsibilityCatalogue,
    Satisfaction,
    Status,
    Urgency,
)
from qinqing.core import workcalendar
from qinqing.enterprises.models import Contact, Enterprise, Industry, Scale
from qinqing.organisation.models import Department, Region

DEMO_PASSWORD = "qinqing2026"  # noqa: S105 - published demo password, printed by `make run`
SEED = 20261122

REGIONS = [
    # code, name, level, parent code
    ("339900", "青川市", Region.Level.CITY, None),
    ("339902", "东城区", Region.Level.DISTRICT, "339900"),
    ("339903", "西江区", Region.Level.DISTRICT, "339900"),
    ("339971", "青川高新区", Region.Level.DISTRICT, "339900"),
    ("339902001", "东湖街道", Region.Level.TOWN, "339902"),
    ("339902101", "白沙镇", Region.Level.TOWN, "339902"),
    ("339903001", "江南街道", Region.Level.TOWN, "339903"),
    ("339903102", "柳林镇", Region.Level.TOWN, "339903"),
]

DEPARTMENTS = [
    # key, name, short, kind, region code
    ("office", "青川市优化营商环境工作领导小组办公室", "市营商办", Department.Kind.OFFICE, "339900"),
    ("ndrc", "青川市发展和改革委员会", "市发改委", Department.Kind.FUNCTIONAL, "339900"),
    ("land", "青川市自然资源和规划局", "市自然资源局", Department.Kind.FUNCTIONAL, "339900"),
    ("hr", "青川市人力资源和社会保障局", "市人社局", Department.Kind.FUNCTIONAL, "339900"),
    ("market", "青川市市场监督管理局", "市市场监管局", Department.Kind.FUNCTIONAL, "339900"),
    ("housing", "青川市住房和城乡建设局", "市住建局", Department.Kind.FUNCTIONAL, "339900"),
    ("transport", "青川市交通运输局", "市交通局", Department.Kind.FUNCTIONAL, "339900"),
    ("edu", "青川市教育局", "市教育局", Department.Kind.FUNCTIONAL, "339900"),
    ("police", "青川市公安局", "市公安局", Department.Kind.FUNCTIONAL, "339900"),
    ("approval", "青川市行政审批服务局", "市审批局", Department.Kind.FUNCTIONAL, "339900"),
    ("finance", "青川市财政局", "市财政局", Department.Kind.FUNCTIONAL, "339900"),
    ("justice", "青川市司法局", "市司法局", Department.Kind.FUNCTIONAL, "339900"),
    ("industry", "青川市经济和信息化局", "市经信局", Department.Kind.FUNCTIONAL, "339900"),
    ("jinrong", "青川市地方金融管理局", "市金融局", Department.Kind.FUNCTIONAL, "339900"),
    ("power", "国网青川供电公司", "供电公司", Department.Kind.UTILITY, "339900"),
    ("water", "青川水务集团有限公司", "水务集团", Department.Kind.UTILITY, "339900"),
    ("hitech", "青川高新区管理委员会", "高新区管委会", Department.Kind.PARK, "339971"),
    ("dongcheng_office", "东城区营商环境服务中心", "东城区营商办", Department.Kind.OFFICE, "339902"),
    ("donghu", "东城区东湖街道办事处", "东湖街道", Department.Kind.TOWN, "339902001"),
    ("baisha", "东城区白沙镇人民政府", "白沙镇", Department.Kind.TOWN, "339902101"),
]

CATALOGUE = {
    # category code: (lead, co..., matters)
    "land": ("land", ["housing"], "用地报批、供地、不动产登记"),
    "labour": ("hr", [], "招工用工、社保、劳动关系"),
    "power": ("power", ["industry"], "用电报装、增容、停电抢修"),
    "water_gas": ("water", ["housing"], "供水报装、管网、燃气接入"),
    "finance": ("jinrong", ["finance"], "融资对接、贷款贴息、转贷"),
    "transport": ("transport", ["police"], "道路、公交、货车通行"),
    "security": ("police", [], "企业周边治安、阻工扰企"),
    "network": ("industry", [], "通信基站、宽带、5G 覆盖"),
    "schooling": ("edu", [], "员工子女入学"),
    "approval": ("approval", ["market"], "项目审批、许可、证照"),
    "policy": ("finance", ["ndrc", "industry"], "惠企政策兑现、奖补资金拨付"),
    "legal": ("justice", [], "法律咨询、合同纠纷调解"),
    "ip": ("market", [], "商标、专利保护"),
    "other": ("ndrc", [], "其他事项"),
}

# How many text variants each category had before the texts moved to ``_demo_appeals``: the generator still draws
# among that many, so every other draw of the demo (dates, states, enterprises, channels) stays where it was.
LEGACY_VARIANTS = {
    "land": 2,
    "labour": 2,
    "power": 2,
    "water_gas": 2,
    "finance": 2,
    "transport": 2,
    "security": 1,
    "network": 1,
    "schooling": 1,
    "approval": 2,
    "policy": 2,
    "legal": 1,
    "ip": 1,
    "other": 1,
}

ENTERPRISE_WORDS = [
    "恒信",
    "精工",
    "华瑞",
    "鑫达",
    "博远",
    "盛丰",
    "宏图",
    "新锐",
    "天和",
    "众诚",
    "嘉禾",
    "瑞康",
    "金石",
    "远航",
    "汇通",
    "百川",
    "凯旋",
    "正泰",
    "晨光",
    "九州",
    "联创",
    "海纳",
    "绿源",
    "星火",
    "明德",
]
ENTERPRISE_KINDS = [
    ("机械制造", Industry.C),
    ("电子科技", Industry.I),
    ("食品", Industry.C),
    ("新材料", Industry.C),
    ("物流", Industry.G),
    ("建筑工程", Industry.E),
    ("软件", Industry.I),
    ("纺织", Industry.C),
    ("医药", Industry.C),
    ("商贸", Industry.F),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "丽",
]

REPLIES = [
    ("已会同相关单位现场调研，明确责任分工并制定解决方案。", "问题已协调解决，相关手续已办结。"),
    ("已召开专题协调会，约谈相关单位并督促整改。", "已按企业诉求完成整改，后续将持续跟踪。"),
    ("已向企业解读相关政策，指导准备申报材料。", "企业已完成申报，资金将于本月内拨付到位。"),
    ("已组织专班上门服务，逐项梳理问题清单。", "部分问题已解决，其余事项已纳入下一阶段计划，明确完成时限。"),
]


def make_uscc(rng: random.Random, region_code: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region_code[:6] + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")


class Command(BaseCommand):
    help = "Load the deterministic demo city (regions, departments, enterprises, accounts, appeals)."

    def add_arguments(self, parser):
        parser.add_argument("--appeals", type=int, default=320)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when demo data is already there"
        )

    def handle(self, *args, appeals: int, if_empty: bool, **options):
        if Region.objects.filter(code="339900").exists():
            if if_empty:
                self.stdout.write("演示数据已存在，跳过。")
                return
            raise CommandError("演示数据已存在；请先删除数据库文件再重新生成。")
        rng = random.Random(SEED)
        # Hash the shared demo password once; every demo account reuses it.
        self.password = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            regions, depts = self._organisation()
            enterprises = self._enterprises(rng, regions)
            users = self._users(regions, depts, enterprises)
        self._appeals(rng, appeals, depts, enterprises, users)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成：{Appeal.objects.count()} 件诉求，{len(enterprises)} 家企业。"
            )
        )

    def _organisation(self):
        regions: dict[str, Region] = {}
        for code, name, level, parent in REGIONS:
            regions[code] = Region.objects.create(
                code=code,
                name=name,
                level=level,
                parent=regions.get(parent),
                # 西江区 holds flagged replies for review (答复复核) before they reach the enterprise.
                hold_flagged_replies=code == "339903",
            )
        depts: dict[str, Department] = {}
        for key, name, short, kind, code in DEPARTMENTS:
            depts[key] = Department.objects.create(
                name=name,
                short_name=short,
                kind=kind,
                region=regions[code],
                phone="0571-8800" + f"{len(depts):04d}",
            )
        city = regions["339900"]
        for code, (lead, co, matters) in CATALOGUE.items():
            entry = ResponsibilityCatalogue.objects.create(
                region=city,
                category=Category.objects.get(code=code),
                lead_department=depts[lead],
                matters=matters,
            )
            entry.co_departments.set([depts[k] for k in co])
        # The high-tech park handles land and approvals inside its own borders.
        for code in ("land", "approval"):
            ResponsibilityCatalogue.objects.create(
                region=regions["339971"],
                category=Category.objects.get(code=code),
                lead_department=depts["hitech"],
                matters="园区内项目由管委会一窗受理",
            )
        return regions, depts

    def _enterprises(self, rng, regions) -> list[Enterprise]:
        places = [r for r in regions.values() if r.level != Region.Level.CITY]
        enterprises: list[Enterprise] = []
        names = set()
        while len(enterprises) < 50:
            word = rng.choice(ENTERPRISE_WORDS)
            kind, industry = rng.choice(ENTERPRISE_KINDS)
            name = f"青川{word}{kind}有限公司"
            if name in names:
                continue
            names.add(name)
            region = rng.choice(places)
            e = Enterprise.objects.create(
                uscc=make_uscc(rng, region.code),
                name=name,
                industry=industry,
                scale=rng.choices(list(Scale.values), weights=[1, 3, 5, 3])[0],
                region=region,
                address=f"{region.name}{rng.choice(['工业大道', '创业路', '科技园路', '滨江路'])}{rng.randint(1, 999)}号",
                is_key=rng.random() < 0.2,
            )
            Contact.objects.create(
                enterprise=e,
                name=person(rng),
                title="行政经理",
                mobile=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                is_primary=True,
            )
            enterprises.append(e)
        return enterprises

    def _users(self, regions, depts, enterprises) -> dict[str, User]:
        specs = [
            ("qiye", "陈企联", Role.ENTERPRISE, {"enterprise": enterprises[0]}),
            ("qiye2", "周经理", Role.ENTERPRISE, {"enterprise": enterprises[1]}),
            (
                "diaodu",
                "林调度",
                Role.DISPATCHER,
                {"region": regions["339900"], "department": depts["office"]},
            ),
            (
                "dongcheng",
                "郑调度",
                Role.DISPATCHER,
                {"region": regions["339902"], "department": depts["dongcheng_office"]},
            ),
            ("renshe", "王经办", Role.HANDLER, {"department": depts["hr"]}),
            ("renshe_head", "赵科长", Role.DEPT_HEAD, {"department": depts["hr"]}),
            ("gongdian", "孙经办", Role.HANDLER, {"department": depts["power"]}),
            ("ziran", "钱经办", Role.HANDLER, {"department": depts["land"]}),
            ("lingdao", "黄市长", Role.LEADER, {"region": regions["339900"]}),
            # 三员分立: no superuser; each administrator may only what accounts.security.ADMIN_PERMISSIONS says.
            ("admin", "系统管理员", Role.SYSADMIN, {"is_staff": True}),
            ("anquan", "安全管理员", Role.SECADMIN, {"is_staff": True}),
            ("shenji", "审计员", Role.AUDITOR, {}),
        ]
        users = {}
        for username, name, role, extra in specs:
            users[username] = User.objects.create(
                username=username, password=self.password, full_name=name, role=role, **extra
            )
        # One handler per department, so every assigned appeal has someone to act on it.
        for key, dept in depts.items():
            if dept.kind != Department.Kind.OFFICE and not dept.staff.exists():
                users[key] = User.objects.create(
                    username=f"dept_{key}",
                    password=self.password,
                    full_name=f"{dept}经办人",
                    role=Role.HANDLER,
                    department=dept,
                )
        return users

    def _appeals(self, rng, count, depts, enterprises, users):
        categories = {c.code: c for c in Category.objects.all()}
        channels = list(Channel.values)
        now = timezone.localtime()
        dispatcher = users["diaodu"]
        staff = {d.pk: d.staff.first() for d in depts.values()}
        ent_users = {users["qiye"].enterprise_id: users["qiye"], users["qiye2"].enterprise_id: users["qiye2"]}
        outcomes = (
            ["closed"] * 42
            + ["replied"] * 9
            + ["in_progress"] * 16
            + ["paused"] * 3
            + ["assigned"] * 7
            + ["submitted"] * 8
            + ["rejected"] * 4
            + ["withdrawn"] * 3
            + ["merged"] * 2
            + ["reopened"] * 4
            + ["extended"] * 2
        )
        start_day = workcalendar.add_working_days(now.date() - dt.timedelta(days=130), 0)
        span_days = (now.date() - start_day).days
        first_of: dict[str, Appeal] = {}
        texts = DemoTexts(SEED + 1)
        offline = 0
        kinds_of_outcome = list(dict.fromkeys(outcomes))
        for i in range(count):
            outcome = rng.choice(outcomes)
            if 40 <= i < 40 + len(kinds_of_outcome):  # after a warm-up, so a merge has a case to join
                outcome = kinds_of_outcome[i - 40]  # every state appears at least once, whatever the draw
            # Open appeals are recent, so their lights spread over green, yellow and red.
            if outcome in ("submitted", "assigned"):
                days_back = rng.randint(0, 4)
            elif outcome in ("in_progress", "paused", "extended", "replied"):
                days_back = rng.randint(1, 22)
            else:
                days_back = rng.randint(5, span_days)
            day = now.date() - dt.timedelta(days=days_back)
            while not workcalendar.is_workday(day):
                day -= dt.timedelta(days=1)
            t = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59))))
            if t > now:
                t = now - dt.timedelta(minutes=rng.randint(5, 120))
            code = rng.choice(list(LEGACY_VARIANTS))
            rng.randrange(LEGACY_VARIANTS[code])  # see LEGACY_VARIANTS
            enterprise = enterprises[i % len(enterprises)] if i < 100 else rng.choice(enterprises)
            online = enterprise.pk in ent_users and rng.random() < 0.7
            by = ent_users[enterprise.pk] if online else dispatcher
            channel = Channel.ONLINE if online else rng.choice(channels[1:])
            if not online and offline < len(channels) - 1:
                channel = channels[1 + offline]  # every channel appears at least once in the demo
            offline += not online
            rng.choice(
                [3, 5, 8, 12, 20, 30, 50, 80, 120, 200]
            )  # was a number in the text; see LEGACY_VARIANTS
            title, body = texts.next(enterprise.pk, code)
            contact = enterprise.contacts.first()
            with time_machine.travel(t, tick=False):
                appeal, _ = services.submit_appeal(
                    by=by,
                    title=title,
                    content=body + texts.contact_line(contact.name, contact.mobile),
                    category=categories[code],
                    enterprise=enterprise,
                    urgency=rng.choices(Urgency.values, weights=[8, 2, 1])[0],
                    channel=channel,
                )
            owner = ent_users.get(enterprise.pk) or self._enterprise_user(enterprise, users)
            self._advance(rng, appeal, outcome, t, now, dispatcher, staff, owner, depts, first_of)
            appeal.refresh_from_db(fields=["status"])
            if appeal.status in OPEN_STATUSES or code not in first_of:
                first_of[code] = appeal  # an open case of the category for later duplicates to join

    def _enterprise_user(self, enterprise, users) -> User:
        key = f"ent_{enterprise.pk}"
        if key not in users:
            users[key] = User.objects.create(
                username=f"qiye_{enterprise.pk}",
                password=self.password,
                full_name=enterprise.contacts.first().name,
                role=Role.ENTERPRISE,
                enterprise=enterprise,
            )
        return users[key]

    def _advance(self, rng, appeal, outcome, t, now, dispatcher, staff, owner, depts, first_of):
        def at(hours: float):
            nonlocal t
            t = min(t + dt.timedelta(hours=hours), now - dt.timedelta(minutes=1))
            return time_machine.travel(t, tick=False)

        if outcome == "submitted":
            return
        if outcome == "rejected":
            with at(rng.uniform(1, 20)):
                services.reject_appeal(
                    appeal=appeal, by=dispatcher, reason="该事项属于民事纠纷，已告知企业通过司法途径解决。"
                )
            return
        if outcome == "withdrawn":
            with at(rng.uniform(1, 30)):
                services.withdraw_appeal(appeal=appeal, by=owner, reason="问题已自行解决，撤回诉求。")
            return
        target = first_of.get(appeal.category.code)
        if outcome == "merged" and target is not None:
            target.refresh_from_db(fields=["status"])
            if target.status in OPEN_STATUSES:
                with at(rng.uniform(1, 20)):
                    services.merge_appeal(appeal=appeal, by=dispatcher, into=target, note="同一问题重复反映")
                return
        entry = services.suggest_assignment(appeal.region, appeal.category)
        lead = entry.lead_department if entry else depts["ndrc"]
        co = list(entry.co_departments.all()) if entry else []
        handler = staff[lead.pk]
        if rng.random() < 0.06:
            # A wrong first assignment, returned by the department and reassigned.
            wrong = depts["ndrc"] if lead != depts["ndrc"] else depts["industry"]
            with at(rng.uniform(1, 6)):
                services.assign_appeal(appeal=appeal, by=dispatcher, lead=wrong, co=[])
            with at(rng.uniform(1, 6)):
                services.return_appeal(
                    appeal=appeal, by=staff[wrong.pk], reason="该事项不属于本单位职责，请重新分派。"
                )
        with at(rng.uniform(1, 20)):
            services.assign_appeal(appeal=appeal, by=dispatcher, lead=lead, co=co, note="请按职责抓紧办理。")
        if outcome == "assigned":
            return
        with at(rng.uniform(1, 30)):
            services.sign_appeal(appeal=appeal, by=handler)
        with at(rng.uniform(4, 60)):
            services.add_note(
                appeal=appeal, by=handler, note="已与企业电话联系，了解具体情况，正在协调相关单位。"
            )
        if outcome == "paused":
            with at(rng.uniform(2, 30)):
                services.pause_clock(
                    appeal=appeal, by=handler, kind="enterprise", reason="需企业补充项目备案及相关证明材料。"
                )
            return
        if outcome == "extended" or rng.random() < 0.08:
            with at(rng.uniform(2, 24)):
                ext = services.request_extension(
                    appeal=appeal, by=handler, days=5, reason="涉及多部门会商，需延长办理时间。"
                )
            with at(rng.uniform(1, 12)):
                services.decide_extension(
                    extension=ext, by=dispatcher, approve=rng.random() < 0.8, note="请抓紧推进。"
                )
        if outcome in ("in_progress", "extended"):
            return
        measures, result = rng.choice(REPLIES)
        # Mostly on time, sometimes late: the late ones make the measures honest.
        hours = rng.uniform(24, 24 * appeal.handle_days * (1.6 if rng.random() < 0.15 else 1.0))
        with at(hours):
            appeal = services.reply_to_appeal(appeal=appeal, by=handler, measures=measures, result=result)
        if appeal.status == Status.REVIEW:
            if outcome == "replied":
                return  # left for the reviewer (or the worker's score) in 西江区
            with at(hours + 2):
                appeal = services.release_reply(appeal=appeal, by=None, note="答复质量评分合格，自动送达")
        if outcome == "replied":
            return
        sat = rng.choices(Satisfaction.values, weights=[7, 2, 1 if outcome != "reopened" else 0])[0]
        if outcome == "reopened":
            sat = Satisfaction.DISSATISFIED
        if rng.random() < 0.12 and outcome != "reopened":
            services.close_unrated(now=min(appeal.deadline + dt.timedelta(minutes=1), now))
            return
        with at(rng.uniform(2, 48)):
            services.rate_appeal(
                appeal=appeal,
                by=owner,
                satisfaction=sat,
                resolved=sat != Satisfaction.DISSATISFIED,
                comment="问题仍未解决，答复过于笼统。" if sat == Satisfaction.DISSATISFIED else "感谢帮助！",
            )
        if outcome == "reopened":
            with at(rng.uniform(2, 24)):
                services.reopen_appeal(
                    appeal=appeal, by=dispatcher, reason="复核：答复未解决实际问题，交原主办单位重办。"
                )
