"""python manage.py seed_credit [--if-empty]: the demo city's credit lists, each imported through the same service
a department's file goes through, with entries naming demo enterprises (the accounts qiye and qiye2 among them)
and entries naming firms not in the registry; a pending objection, 信易贷 products and a loan request."""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from qinqing.accounts.models import Role, User
from qinqing.appeals.management.commands.seed_demo import DEMO_PASSWORD
from qinqing.credit import services
from qinqing.credit.models import CreditEntry, CreditList, FinancialProduct, ImportBatch, ListKind
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Department, Region


def outsider(seq: int) -> str:
    body = "91339900" + f"MA{seq:07d}"
    return body + uscc.calc_check_digit(body)


class Command(BaseCommand):
    help = "Load demo credit lists (红名单, 严重失信, 经营异常, 其他限制), products and requests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when credit demo data is there"
        )

    def handle(self, *args, if_empty: bool, **options):
        city = Region.objects.filter(code="339900").first()
        if city is None:
            raise CommandError("请先运行 seed_demo 生成演示城市")
        if CreditList.objects.exists():
            if if_empty:
                self.stdout.write("信用演示数据已存在，跳过。")
                return
            raise CommandError("信用演示数据已存在")
        with transaction.atomic():
            self._seed(city)
        self.stdout.write(
            self.style.SUCCESS(
                f"信用演示数据已生成：{CreditList.objects.count()} 份名单，{CreditEntry.objects.count()} 条条目。"
            )
        )

    def _seed(self, city: Region) -> None:
        today = timezone.localdate()
        ents = list(Enterprise.objects.order_by("pk")[:8])
        if len(ents) < 6:
            raise CommandError("演示企业不足，请先运行 seed_demo")
        dept = {d.short_name: d for d in Department.objects.filter(region=city)}
        market, hr, finance = dept["市市场监管局"], dept["市人社局"], dept["市财政局"]
        User.objects.get_or_create(
            username="shichang",
            defaults={
                "password": make_password(DEMO_PASSWORD),
                "full_name": "吴经办",
                "role": Role.HANDLER,
                "department": market,
            },
        )
        lists: dict[str, CreditList] = {
            ListKind.RED: CreditList.objects.create(
                code="tax-a",
                kind=ListKind.RED,
                name="纳税信用A级纳税人名单",
                legal_basis="《纳税信用管理办法（试行）》（国家税务总局公告2014年第40号）；"
                "《关于对纳税信用A级纳税人实施联合激励措施的合作备忘录》（发改财金〔2016〕1467号）",
                authority_name="国家税务总局青川市税务局",
            ),
            ListKind.SERIOUS: CreditList.objects.create(
                code="wage-arrears",
                kind=ListKind.SERIOUS,
                name="拖欠农民工工资失信联合惩戒对象名单",
                legal_basis="《保障农民工工资支付条例》（国务院令第724号）第四十八条；"
                "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》（人力资源社会保障部令第45号）",
                authority=hr,
            ),
            ListKind.ABNORMAL: CreditList.objects.create(
                code="abnormal",
                kind=ListKind.ABNORMAL,
                name="经营异常名录",
                legal_basis="《企业信息公示暂行条例》（国务院令第654号）第十七条；"
                "《企业经营异常名录管理暂行办法》（国家工商行政管理总局令第68号）",
                authority=market,
            ),
            ListKind.OTHER: CreditList.objects.create(
                code="procurement",
                kind=ListKind.OTHER,
                name="政府采购严重违法失信行为记录名单",
                legal_basis="《中华人民共和国政府采购法》第七十七条；"
                "《政府采购法实施条例》第十九条（三年内禁止参加政府采购活动）",
                authority=finance,
            ),
        }

        def d(days: int) -> dt.date:
            return today + dt.timedelta(days=days)

        def years(day: dt.date, n: int) -> dt.date:
            try:
                return day.replace(year=day.year + n)
            except ValueError:  # 29 February
                return day.replace(year=day.year + n, day=28)

        rows: dict[str, list[tuple[Enterprise | None, str, str, dt.date, dt.date]]] = {
            ListKind.RED: [
                (ents[1], "纳税信用评价为A级", "青税信〔2026〕1号", d(-200), dt.date(today.year + 1, 12, 31)),
                (ents[4], "纳税信用评价为A级", "青税信〔2026〕1号", d(-200), dt.date(today.year + 1, 12, 31)),
                (None, "纳税信用评价为A级", "青税信〔2026〕1号", d(-200), dt.date(today.year + 1, 12, 31)),
            ],
            ListKind.SERIOUS: [
                (
                    ents[2],
                    "拖欠农民工工资数额较大，经责令限期支付逾期仍未支付",
                    "青人社惩〔2026〕3号",
                    d(-400),
                    years(d(-400), 3),
                ),
                (None, "拖欠农民工工资引发群体性事件", "青人社惩〔2026〕5号", d(-90), years(d(-90), 3)),
            ],
            ListKind.ABNORMAL: [
                (
                    ents[0],
                    "未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告",
                    "青市监异〔2026〕12号",
                    d(-60),
                    years(d(-60), 3),
                ),
                (
                    ents[3],
                    "通过登记的住所或者经营场所无法联系",
                    "青市监异〔2026〕15号",
                    d(-30),
                    years(d(-30), 3),
                ),
                (
                    None,
                    "公示企业信息隐瞒真实情况、弄虚作假",
                    "青市监异〔2026〕18号",
                    d(-20),
                    years(d(-20), 3),
                ),
            ],
            ListKind.OTHER: [
                (ents[5], "提供虚假材料谋取中标、成交", "青财采罚〔2025〕2号", d(-300), years(d(-300), 3)),
                (ents[3], "与采购人恶意串通", "青财采罚〔2025〕7号", d(-700), d(-5)),  # display over: expired
            ],
        }
        seq = 1
        for kind, entries in rows.items():
            lines = ["uscc,name,reason,decision_no,decided_on,display_until,earliest_end"]
            for ent, reason, number, decided, until in entries:
                if ent is None:
                    code, name, seq = outsider(seq), f"青川某{seq}号商贸有限公司", seq + 1
                else:
                    code, name = ent.uscc, ent.name
                earliest = years(decided, 1).isoformat() if kind == ListKind.SERIOUS else ""
                lines.append(f"{code},{name},{reason},{number},{decided},{until},{earliest}")
            services.import_list(
                lists[kind],
                ("\n".join(lines) + "\n").encode("gb18030"),
                filename=f"{lists[kind].code}.csv",
                source=ImportBatch.Source.SEED,
            )
        services.expire_entries()
        qiye = User.objects.filter(username="qiye").first()
        abnormal_entry = CreditEntry.objects.get(credit_list=lists[ListKind.ABNORMAL], uscc=ents[0].uscc)
        if qiye is not None and qiye.enterprise_id == ents[0].pk:
            services.submit_request(
                entry=abnormal_entry,
                by=qiye,
                kind="repair",
                reason="已于近日补报2025年度报告并公示，申请移出经营异常名录。",
            )
        products = [
            FinancialProduct.objects.create(
                bank="中国建设银行青川分行",
                name="云税贷",
                amount_min=10,
                amount_max=300,
                rate="年化3.45%起",
                term_months=12,
                conditions="纳税信用等级B级以上、正常经营满两年；纯信用、随借随还。",
                min_tax_grade="B",
                contact_name="刘经理",
                contact_phone="0571-88123456",
                contact_email="liu@example.com",
            ),
            FinancialProduct.objects.create(
                bank="青川农村商业银行",
                name="信易贷·红名单贷",
                amount_min=50,
                amount_max=1000,
                rate="年化3.2%起（红名单企业利率优惠）",
                term_months=36,
                conditions="列入守信激励对象名单的企业；无不良信用记录。",
                red_list_only=True,
                contact_name="陈经理",
                contact_phone="0571-88654321",
            ),
            FinancialProduct.objects.create(
                bank="青川农村商业银行",
                name="稳岗贷",
                amount_min=10,
                amount_max=200,
                rate="年化3.8%",
                term_months=12,
                conditions="近一年未发生拖欠农民工工资；用于发放工资和稳定就业。",
                contact_name="陈经理",
                contact_phone="0571-88654321",
            ),
        ]
        qiye2 = User.objects.filter(username="qiye2").first()
        if qiye2 is not None and qiye2.enterprise_id == ents[1].pk:
            services.submit_loan(product=products[1], by=qiye2, amount=300, purpose="购置数控设备，扩大产能")
