"""Demo policy library and enterprise files (``make run``): real published national policies written as items
with their conditions, local award items modelled on the common practice of Chinese cities (marked as demo
documents of the fictional 青川市), a serious-dishonesty entry, and enterprise files that make every outcome
appear: eligible, blocked by credit, undetermined for lack of data. Then a full match (which pushes)."""

import datetime as dt
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.errors import DomainError
from qinqing.credit.models import CreditEntry, CreditList, ListKind
from qinqing.enterprises.models import AttributeChange, AttributeSource, Enterprise, EnterpriseAttribute
from qinqing.organisation.models import Department, Region, containing
from qinqing.policies import inputs, matching
from qinqing.policies import redemption_services as redemption
from qinqing.policies.models import Condition, GateRule, ItemKind, Level, Mode, PolicyDocument, PolicyItem

AUTO, FAST, APPLY = Mode.AUTOMATIC, Mode.FAST, Mode.APPLICATION
SUB, REL, ENT, QUA = ItemKind.SUBSIDY, ItemKind.RELIEF, ItemKind.ENTITLEMENT, ItemKind.QUALIFICATION

DOCUMENTS = {
    # key: (number, title, issuer, level, published, source url)
    "cit_law": (
        "中华人民共和国主席令第63号",
        "中华人民共和国企业所得税法",
        "全国人民代表大会",
        Level.NATIONAL,
        dt.date(2007, 3, 16),
        "https://www.gov.cn/flfg/2007-03/19/content_554243.htm",
    ),
    "rnd_2023_7": (
        "财政部 税务总局公告2023年第7号",
        "关于进一步完善研发费用税前加计扣除政策的公告",
        "财政部 国家税务总局",
        Level.NATIONAL,
        dt.date(2023, 3, 26),
        "https://www.gov.cn/zhengce/zhengceku/2023-03/31/content_5749563.htm",
    ),
    "sme_2023_12": (
        "财政部 税务总局公告2023年第12号",
        "关于进一步支持小微企业和个体工商户发展有关税费政策的公告",
        "财政部 国家税务总局",
        Level.NATIONAL,
        dt.date(2023, 8, 2),
        "https://www.gov.cn/zhengce/zhengceku/202308/content_6896984.htm",
    ),
    "hnte_2016_32": (
        "国科发火〔2016〕32号",
        "高新技术企业认定管理办法",
        "科技部 财政部 国家税务总局",
        Level.NATIONAL,
        dt.date(2016, 1, 29),
        "https://www.most.gov.cn/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2016/201602/t20160204_123994.html",
    ),
    "srdi_2022_63": (
        "工信部企业〔2022〕63号",
        "优质中小企业梯度培育管理暂行办法",
        "工业和信息化部",
        Level.NATIONAL,
        dt.date(2022, 6, 1),
        "https://www.gov.cn/zhengce/zhengceku/2022-06/14/content_5695646.htm",
    ),
    "stable_2022_23": (
        "人社部发〔2022〕23号",
        "关于做好失业保险稳岗位提技能防失业工作的通知",
        "人力资源社会保障部 财政部 国家税务总局",
        Level.NATIONAL,
        dt.date(2022, 4, 29),
        "https://www.gov.cn/zhengce/zhengceku/2022-05/12/content_5689942.htm",
    ),
    "local_tech": (
        "青政规〔2026〕2号（演示）",
        "青川市推动科技创新和产业升级若干措施（演示文件，参照各地同类政策拟写）",
        "青川市人民政府",
        Level.CITY,
        dt.date(2026, 2, 10),
        "",
    ),
    "local_finance": (
        "青金发〔2026〕5号（演示）",
        "青川市小微企业首贷贴息实施细则（演示文件，参照各地同类政策拟写）",
        "青川市地方金融管理局 青川市财政局",
        Level.CITY,
        dt.date(2026, 3, 1),
        "",
    ),
}

FREE = "兑现免费，无需中介；"

# (document, name, kind, mode, department key, amount rule, cap, budget, guide, conditions, gates)
ITEMS = [
    (
        "cit_law",
        "高新技术企业减按15%税率征收企业所得税",
        REL,
        AUTO,
        "tax",
        "",
        None,
        None,
        ("国家需要重点扶持的高新技术企业", "持有有效期内的高新技术企业证书", "汇算清缴时自行判别、申报享受"),
        [("hnte_cert", "qualified", "", "第二十八条第二款")],
        [],
    ),
    (
        "rnd_2023_7",
        "研发费用税前加计扣除（100%）",
        REL,
        AUTO,
        "tax",
        "",
        None,
        None,
        (
            "开展研发活动的企业（负面清单行业除外）",
            "实际发生研发费用；烟草制造、住宿餐饮、批发零售、房地产、租赁和商务服务、娱乐业不适用",
            "预缴申报或汇算清缴时享受",
        ),
        [
            ("rnd_last_year", "gte", "0.01", "第一条"),
            ("industry_code", "industry_not_in", "16,F,H,K,L,90", "财税〔2015〕119号第四条（不适用行业）"),
        ],
        [],
    ),
    (
        "sme_2023_12",
        "小型微利企业减按25%计入应纳税所得额、按20%税率缴纳企业所得税",
        REL,
        AUTO,
        "tax",
        "",
        None,
        None,
        (
            "小型微利企业",
            "年应纳税所得额不超过300万元、从业人数不超过300人、资产总额不超过5000万元",
            "2027年12月31日前，申报时享受",
        ),
        [
            ("taxable_income_last_year", "lte", "300", "第三条、第五条"),
            ("employees", "lte", "300", "第五条"),
            ("total_assets", "lte", "5000", "第五条"),
        ],
        [],
    ),
    (
        "sme_2023_12",
        "小型微利企业“六税两费”减半征收",
        REL,
        AUTO,
        "tax",
        "",
        None,
        None,
        (
            "小型微利企业",
            "资源税、城市维护建设税、房产税、城镇土地使用税、印花税（不含证券交易印花税）、耕地占用税和教育费附加、地方教育附加减半征收",
            "申报时享受",
        ),
        [
            ("taxable_income_last_year", "lte", "300", "第二条、第五条"),
            ("employees", "lte", "300", "第五条"),
            ("total_assets", "lte", "5000", "第五条"),
        ],
        [],
    ),
    (
        "hnte_2016_32",
        "高新技术企业认定",
        QUA,
        APPLY,
        "tech",
        "",
        None,
        None,
        (
            "在中国境内注册一年以上的居民企业",
            "成立一年以上；研发费用占比、研发人员占比、高新技术产品收入占比等达到第十一条要求",
            "按年度分批认定",
        ),
        [
            ("established_on", "age_gte", "1", "第十一条第（一）项"),
            ("rnd_last_year", "gte", "0.01", "第十一条第（五）项"),
            (
                "credit",
                "credit_not_on",
                "serious",
                "第十一条第（八）项（申请认定前一年内未发生严重失信行为）",
            ),
        ],
        [],
    ),
    (
        "srdi_2022_63",
        "专精特新中小企业认定",
        QUA,
        APPLY,
        "industry",
        "",
        None,
        None,
        (
            "中小企业",
            "从事特定细分市场2年以上；上年度研发费用不低于100万元；上年度营业收入1000万元以上",
            "省级主管部门按年度组织",
        ),
        [
            ("scale", "scale_in", "中型,小型,微型", "第二条"),
            ("established_on", "age_gte", "2", "附件2 第一条（从事特定细分市场时间达到2年以上）"),
            ("rnd_last_year", "gte", "100", "附件2 第一条"),
            ("revenue_last_year", "gte", "1000", "附件2 第一条"),
        ],
        [("refuse", "serious", "附件2：近三年未被列入严重失信主体名单")],
    ),
    (
        "stable_2022_23",
        "失业保险稳岗返还（中小微企业）",
        SUB,
        AUTO,
        "hr",
        "比例 unemployment_insurance_last_year 60%",
        None,
        Decimal("3000"),
        (
            "参加失业保险的中小微企业",
            "上年度未裁员或裁员率不高于全国城镇调查失业率控制目标",
            "“免申即享”经办模式，资金直接返还企业账户",
        ),
        [
            ("scale", "scale_in", "中型,小型,微型", "第一条第（一）项"),
            ("unemployment_insurance_last_year", "gte", "0.01", "第一条第（一）项"),
        ],
        [("refuse", "serious", "严重失信主体不得享受（国发〔2016〕33号 联合惩戒）")],
    ),
    (
        "local_tech",
        "首次认定高新技术企业奖励",
        SUB,
        AUTO,
        "tech",
        "固定 20",
        Decimal("20"),
        Decimal("1000"),
        (
            "首次通过认定的本市高新技术企业",
            "注册在本市、持有有效期内高新技术企业证书",
            "证书公布后60个工作日内拨付",
        ),
        [
            ("region", "region_within", "339900", "第三条第（一）项"),
            ("hnte_cert", "qualified", "", "第三条第（一）项"),
        ],
        [("refuse", "serious,abnormal", "第十八条：列入严重失信主体名单、经营异常名录的不予奖励")],
    ),
    (
        "local_tech",
        "专精特新“小巨人”企业奖励",
        SUB,
        FAST,
        "industry",
        "固定 50",
        Decimal("50"),
        Decimal("500"),
        (
            "新认定的国家级专精特新“小巨人”企业",
            "注册在本市、获国家级专精特新“小巨人”认定",
            "受理后60个工作日内兑现",
        ),
        [
            ("region", "region_within", "339900", "第五条"),
            ("srdi_level", "qualified", "国家级", "第五条"),
        ],
        [("refuse", "serious", "第十八条"), ("prefer", "red", "第十九条：守信激励对象同等条件下优先")],
    ),
    (
        "local_tech",
        "省级专精特新中小企业奖励",
        SUB,
        FAST,
        "industry",
        "固定 10",
        Decimal("10"),
        Decimal("300"),
        ("新认定的省级专精特新中小企业", "注册在本市、获省级专精特新中小企业认定", "受理后60个工作日内兑现"),
        [
            ("region", "region_within", "339900", "第六条"),
            ("srdi_level", "qualified", "省级,国家级", "第六条"),
        ],
        [("refuse", "serious", "第十八条")],
    ),
    (
        "local_tech",
        "企业研发费用补助",
        SUB,
        FAST,
        "tech",
        "比例 rnd_last_year 5%",
        Decimal("100"),
        Decimal("2000"),
        (
            "上年度研发投入100万元以上的制造业、信息技术企业",
            "研发费用以税务部门加计扣除数据为准",
            "每年第三季度集中兑现",
        ),
        [
            ("region", "region_within", "339900", "第八条"),
            ("industry_code", "industry_in", "C,I", "第八条"),
            ("rnd_last_year", "gte", "100", "第八条"),
        ],
        [("refuse", "serious,abnormal", "第十八条")],
    ),
    (
        "local_tech",
        "首次升规（小升规）奖励",
        SUB,
        AUTO,
        "industry",
        "分档 revenue_last_year 2000:10 10000:20",
        Decimal("20"),
        Decimal("400"),
        ("首次纳入规模以上工业统计的企业", "统计部门确认纳入规上企业名录", "名录公布后30个工作日内拨付"),
        [
            ("above_scale", "qualified", "", "第九条"),
            ("industry_code", "industry_in", "C", "第九条"),
        ],
        [("prefer", "red", "第十九条")],
    ),
    (
        "local_finance",
        "小微企业首贷贴息",
        SUB,
        FAST,
        "jinrong",
        "固定 5",
        Decimal("5"),
        Decimal("800"),
        ("首次获得银行贷款的小微企业", "纳税信用等级M级以上；贷款用于生产经营", "按季度贴息"),
        [
            ("scale", "scale_in", "小型,微型", "第三条"),
            ("tax_credit_grade", "in", "A,B,M", "第三条"),
            ("credit", "credit_not_on", "serious,abnormal", "第四条"),
        ],
        [],
    ),
]

IMPORTED, SELF, CONFIRMED = AttributeSource.IMPORTED, AttributeSource.SELF, AttributeSource.CONFIRMED


def _files(today: dt.date) -> list[dict[str, tuple]]:
    """Files of the first eight demo enterprises (qiye's is the first, qiye2's the second)."""
    year = today.year - 1
    full = {
        "industry_code": ("3411", IMPORTED, None),
        "established_on": ("2015-06-18", IMPORTED, None),
        "registered_capital": ("2000", IMPORTED, None),
        "employees": ("186", IMPORTED, None),
        "revenue_last_year": ("12800", IMPORTED, None),
        "tax_last_year": ("420", IMPORTED, None),
        "taxable_income_last_year": ("260", IMPORTED, None),
        "total_assets": ("4600", IMPORTED, None),
        "rnd_last_year": ("650", IMPORTED, None),
        "unemployment_insurance_last_year": ("12.6", IMPORTED, None),
        "hnte_cert": ("GR202433000871", CONFIRMED, today.replace(year=today.year + 2)),
        "srdi_level": ("province", CONFIRMED, None),
        "above_scale": ("true", CONFIRMED, None),
        "tax_credit_grade": ("A", IMPORTED, None),
    }
    return [
        full,
        # qiye2: a good file, but on the serious-dishonesty list: blocked where a gate or condition says so.
        {
            **full,
            "industry_code": ("3990", IMPORTED, None),
            "hnte_cert": ("GR202233001207", CONFIRMED, today.replace(year=today.year + 1)),
            "srdi_level": ("national", CONFIRMED, None),
            "tax_credit_grade": ("B", IMPORTED, None),
        },
        # Self-declared, incomplete: undetermined where data are missing (no R&D figure, certificate without expiry).
        {
            "industry_code": ("6513", SELF, None),
            "established_on": ("2021-09-01", SELF, None),
            "employees": ("42", SELF, None),
            "hnte_cert": ("GR202533000112", SELF, None),
        },
        # An expired certificate and a C tax grade.
        {
            "industry_code": ("3311", IMPORTED, None),
            "established_on": ("2009-04-20", IMPORTED, None),
            "employees": ("520", IMPORTED, None),
            "revenue_last_year": ("56000", IMPORTED, None),
            "hnte_cert": ("GR201933000456", CONFIRMED, dt.date(year, 12, 1)),
            "tax_credit_grade": ("C", IMPORTED, None),
        },
        # A young small firm: 首贷贴息 eligible.
        {
            "industry_code": ("5191", SELF, None),
            "established_on": ("2024-03-15", SELF, None),
            "employees": ("12", SELF, None),
            "tax_credit_grade": ("M", IMPORTED, None),
            "unemployment_insurance_last_year": ("0.8", IMPORTED, None),
        },
    ]


class Command(BaseCommand):
    help = "生成惠企政策演示数据（政策库、企业档案、信用名单条目）并全量匹配"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有政策数据时不做任何事")

    def handle(self, *args, if_empty: bool, **options):
        if PolicyDocument.objects.exists():
            if if_empty:
                return
            self.stdout.write("政策演示数据已存在，未重复生成。")
            return
        city = Region.objects.filter(code="339900").first()
        if city is None:
            self.stderr.write("请先运行 seed_demo 生成演示区划和企业。")
            return
        today = timezone.localdate()
        with transaction.atomic():
            depts = self._departments(city)
            self._library(city, depts)
            enterprises = list(Enterprise.objects.order_by("pk")[:8])
            self._files(enterprises, today)
            self._credit(enterprises[1], depts, today)
        stats = matching.run()
        cases = self._redemption(enterprises, today)
        self.stdout.write(
            self.style.SUCCESS(
                f"政策演示数据已生成：{PolicyItem.objects.count()} 个政策事项，{cases} 件兑现。{stats.summary()}"
            )
        )

    def _redemption(self, enterprises: list[Enterprise], today: dt.date) -> int:
        """Cases in every state: the candidate list of the 免申即享 items walked to each state in turn, and
        applications to the other items reviewing, approved, refused and paid."""
        from qinqing.policies.models import RedemptionCase

        walker = _Walker(today)
        redemption.open_candidates()
        self._demo_accounts(RedemptionCase.objects.select_related("item__department", "enterprise"))
        walkable = [
            c
            for c in RedemptionCase.objects.select_related("item__department", "enterprise__region").order_by(
                "pk"
            )
            if walker.department_user(c) is not None and walker.enterprise_user(c.enterprise_id) is not None
        ]
        for i, case in enumerate(walkable):
            try:
                walker.automatic(case, AUTO_TARGETS[i % len(AUTO_TARGETS)])
            except DomainError as exc:  # the budget ran out, say: the case stays where it is
                self.stdout.write(
                    f"兑现演示：{case.item.name}（{case.enterprise.name}）停在当前环节：{exc.message}"
                )
        targets = ["reviewing", "approved", "refused", "paid"]
        items = PolicyItem.objects.exclude(mode=Mode.AUTOMATIC).filter(active=True).order_by("pk")
        for i, item in enumerate(items):
            for j, enterprise in enumerate(enterprises[:2]):
                try:
                    walker.application(item, enterprise, targets[(i * 2 + j) % len(targets)])
                except DomainError as exc:
                    self.stdout.write(f"兑现演示：{item.name}（{enterprise.name}）未能申请：{exc.message}")
        return RedemptionCase.objects.count()

    def _demo_accounts(self, cases) -> None:
        """A handler for each department owning a case and a user for each enterprise holding one, where the demo
        has none yet (same shared demo password as seed_demo's accounts)."""
        from django.contrib.auth.hashers import make_password

        from qinqing.appeals.management.commands.seed_demo import DEMO_PASSWORD

        password = make_password(DEMO_PASSWORD)
        for case in cases:
            dept = case.item.department
            if not User.objects.filter(department=dept, role=Role.HANDLER).exists():
                User.objects.create(
                    username=f"dept_policy_{dept.pk}",
                    password=password,
                    full_name=f"{dept.short_name or dept.name}政策兑现专员",
                    role=Role.HANDLER,
                    department=dept,
                )
            if not User.objects.filter(enterprise_id=case.enterprise_id, role=Role.ENTERPRISE).exists():
                User.objects.create(
                    username=f"qiye_{case.enterprise_id}",
                    password=password,
                    full_name=case.enterprise.primary_contact()[0] or "企业联络人",
                    role=Role.ENTERPRISE,
                    enterprise=case.enterprise,
                )

    def _departments(self, city: Region) -> dict[str, Department]:
        def dept(name, short, key=None):
            found = Department.objects.filter(name=name).first()
            return found or Department.objects.create(name=name, short_name=short, region=city)

        return {
            "tax": dept("国家税务总局青川市税务局", "市税务局"),
            "tech": dept("青川市科学技术局", "市科技局"),
            "industry": Department.objects.get(short_name="市经信局", region=city),
            "hr": Department.objects.get(short_name="市人社局", region=city),
            "jinrong": Department.objects.get(short_name="市金融局", region=city),
        }

    def _library(self, city: Region, depts: dict[str, Department]) -> None:
        docs = {}
        for key, (number, title, issuer, level, published, url) in DOCUMENTS.items():
            docs[key] = PolicyDocument.objects.create(
                number=number,
                title=title,
                issuer=issuer,
                level=level,
                region=city,
                published_on=published,
                effective_from=published,
                source_url=url,
                full_text=f"{title}（{number}）。全文见原文链接。"
                if url
                else f"{title}。演示文件，条款为示例。",
            )
        for doc, name, kind, mode, dept, rule, cap, budget, guide, conds, gates in ITEMS:
            beneficiaries, requirements, limit = guide
            item = PolicyItem.objects.create(
                document=docs[doc],
                name=name,
                kind=kind,
                mode=mode,
                department=depts[dept],
                amount_rule=rule,
                amount_cap=cap,
                budget=budget,
                beneficiaries=beneficiaries,
                requirements=requirements,
                payout_limit=FREE + limit,
                address="青川市民中心一楼惠企政策兑现窗口",
                phone="0571-12345",
            )
            for i, (attribute, operator, value, clause) in enumerate(conds):
                Condition.objects.create(
                    item=item, attribute=attribute, operator=operator, value=value, clause=clause, position=i
                )
            for effect, kinds, measure in gates:
                GateRule.objects.create(item=item, effect=effect, kinds=kinds, measure=measure)

    def _files(self, enterprises: list[Enterprise], today: dt.date) -> None:
        rows, changes = [], []
        for enterprise, values in zip(enterprises, _files(today), strict=False):
            for key, (value, source, valid_until) in values.items():
                rows.append(
                    EnterpriseAttribute(
                        enterprise=enterprise,
                        key=key,
                        value=value,
                        source=source,
                        as_of=today.replace(month=3, day=31) if today.month > 3 else today,
                        valid_until=valid_until,
                    )
                )
                changes.append(
                    AttributeChange(
                        enterprise=enterprise,
                        key=key,
                        action=AttributeChange.Action.IMPORTED,
                        new_value=value,
                        source=source,
                        batch="seed",
                    )
                )
        EnterpriseAttribute.objects.bulk_create(rows)
        AttributeChange.objects.bulk_create(changes)

    def _credit(self, enterprise: Enterprise, depts: dict[str, Department], today: dt.date) -> None:
        """qiye2's enterprise on the serious-dishonesty list (unless the credit demo already listed someone)."""
        if CreditEntry.objects.in_force(today).filter(credit_list__kind=ListKind.SERIOUS).exists():
            return
        listing = CreditList.objects.filter(kind=ListKind.SERIOUS, active=True).first()
        if listing is None:
            listing = CreditList.objects.create(
                code="serious-labour",
                kind=ListKind.SERIOUS,
                name="拖欠农民工工资失信联合惩戒对象名单",
                legal_basis="《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》（人力资源社会保障部令第45号）",
                authority=depts["hr"],
            )
        CreditEntry.objects.create(
            credit_list=listing,
            uscc=enterprise.uscc,
            name=enterprise.name,
            enterprise=enterprise,
            reason="拖欠农民工工资数额较大，经责令限期支付逾期未支付",
            decision_no="青人社失信〔2026〕7号",
            decided_on=today - dt.timedelta(days=90),
            earliest_end=today + dt.timedelta(days=275),
            display_until=today + dt.timedelta(days=640),
        )


# The states the demo's 免申即享 cases are walked to, in turn (every state of the machine appears on `make run`).
AUTO_TARGETS = [
    "paid",
    "dept_confirmed",
    "publicity",
    "to_pay",
    "candidate",
    "ent_confirmed",
    "objected",
    "excluded",
    "waived",
    "revoked",
    "paid",
]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _demo_account(enterprise: Enterprise) -> inputs.AccountIn:
    return inputs.AccountIn(
        bank_name="青川农村商业银行营业部",
        account_name=enterprise.name,
        account_no=f"62220202{enterprise.pk:08d}",
    )


class _Walker:
    """Takes demo cases through the real services (the same checks, events and notices as a person would)."""

    def __init__(self, today: dt.date):
        self.today = today

    def department_user(self, case) -> User | None:
        dept = case.item.department
        return (
            User.objects.filter(department=dept, role=Role.HANDLER, is_active=True).first()
            or User.objects.filter(
                containing(dept, "department"), role=Role.DEPT_HEAD, is_active=True
            ).first()
        )

    def enterprise_user(self, enterprise_id: int) -> User | None:
        return User.objects.filter(enterprise_id=enterprise_id, role=Role.ENTERPRISE, is_active=True).first()

    def office_user(self, case) -> User | None:
        return User.objects.filter(
            containing(case.enterprise.region, "region"), role=Role.DISPATCHER, is_active=True
        ).first()

    def neighbour(self, case) -> User | None:
        return (
            User.objects.filter(role=Role.ENTERPRISE, is_active=True, enterprise__isnull=False)
            .exclude(enterprise_id=case.enterprise_id)
            .first()
        )

    def pay(self, case, dept: User):
        return redemption.pay(
            case=case,
            by=dept,
            data=inputs.PayIn(
                amount=float(case.amount),
                paid_on=self.today,
                voucher_no=f"青财拨〔{self.today.year}〕{case.pk}号",
            ),
        )

    def automatic(self, case, target: str) -> None:
        dept, ent = self.department_user(case), self.enterprise_user(case.enterprise_id)
        if dept is None or ent is None or target == "candidate":
            return
        if target == "excluded":
            redemption.exclude(
                case=case, by=dept, data=inputs.RedemptionReasonIn(reason="已享受同类市级补助，不重复兑现")
            )
            return
        case = redemption.confirm(
            case=case, by=dept, data=inputs.CaseConfirmIn(amount=None if case.amount else 5, note="")
        )
        if target == "dept_confirmed":
            return
        if target == "waived":
            redemption.waive(case=case, by=ent, data=inputs.WaiveIn(reason="本年度暂不申领"))
            return
        case = redemption.accept(case=case, by=ent, data=_demo_account(case.enterprise))
        if target == "ent_confirmed":
            return
        case = redemption.publish(case=case, by=dept)
        if target == "publicity":
            return
        if target in ("objected", "revoked"):
            neighbour, office = self.neighbour(case), self.office_user(case)
            if neighbour is None or office is None:
                return
            case = redemption.object_to(
                case=case,
                by=neighbour,
                data=inputs.ObjectionIn(reason="该企业实际用工人数与申报不符，请核实"),
            )
            if target == "revoked":
                redemption.uphold(
                    case=case, by=office, data=inputs.RedemptionReasonIn(reason="经核实参保人数不达标")
                )
            return
        assert case.objection_until is not None
        case = (
            redemption.close_publicity(case=case, today=case.objection_until + dt.timedelta(days=1)) or case
        )
        if target == "paid":
            self.pay(case, dept)

    def application(self, item, enterprise: Enterprise, target: str) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        ent = self.enterprise_user(enterprise.pk)
        if ent is None:
            return
        case = redemption.apply(
            item=item,
            by=ent,
            data=inputs.ApplyIn(application="按申报指南提交，材料齐全。", **_demo_account(enterprise).dict()),
            files=[SimpleUploadedFile("申报表.pdf", PDF, "application/pdf")],
        )
        dept = self.department_user(case)
        if dept is None or target == "reviewing":
            return
        if target == "refused":
            redemption.refuse(
                case=case, by=dept, data=inputs.RedemptionReasonIn(reason="申报材料中的研发费用未经专项审计")
            )
            return
        case = redemption.approve(
            case=case, by=dept, data=inputs.ApproveIn(amount=None if case.amount else 5, note="")
        )
        if target == "paid":
            self.pay(case, dept)
