import datetime as dt

import pytest
from django.test import Client

from qinqing.credit.models import CreditEntry, CreditList, FinancialProduct, ListKind
from tests.conftest import make_uscc


class Credit:
    def __init__(self, world):
        self.world = world
        # 人社部门认定的拖欠农民工工资失信联合惩戒对象名单.
        self.wages = CreditList.objects.create(
            code="wage-arrears",
            kind=ListKind.SERIOUS,
            name="拖欠农民工工资失信联合惩戒对象名单",
            legal_basis="《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》（人力资源社会保障部令第45号）",
            authority=world.hr,
        )
        self.red = CreditList.objects.create(
            code="red",
            kind=ListKind.RED,
            name="纳税信用A级纳税人名单",
            legal_basis="《纳税信用管理办法（试行）》",
            authority_name="国家税务总局青川市税务局",
        )
        self.entry_a = self.entry(self.wages, world.ent_a, decision_no="青人社惩〔2026〕1号")
        self.entry_b = self.entry(self.wages, world.ent_b, decision_no="青人社惩〔2026〕2号")
        self.stranger = CreditEntry.objects.create(
            credit_list=self.wages,
            uscc=make_uscc("339902"),
            name="未入库公司",
            reason="拖欠工资",
            decision_no="青人社惩〔2026〕3号",
            decided_on=dt.date(2026, 9, 1),
            display_until=dt.date(2029, 9, 1),
        )

    def entry(self, credit_list, enterprise, **kw):
        kw.setdefault("reason", "拖欠农民工工资数额较大，经责令限期支付逾期未支付")
        kw.setdefault("decided_on", dt.date(2026, 9, 1))
        kw.setdefault("display_until", dt.date(2029, 9, 1))
        return CreditEntry.objects.create(
            credit_list=credit_list, uscc=enterprise.uscc, name=enterprise.name, enterprise=enterprise, **kw
        )

    def product(self, **kw):
        kw.setdefault("bank", "青川农商银行")
        kw.setdefault("name", "信易贷·纳税贷")
        kw.setdefault("amount_min", 10)
        kw.setdefault("amount_max", 300)
        kw.setdefault("rate", "年化3.45%起")
        kw.setdefault("contact_name", "王经理")
        kw.setdefault("contact_phone", "0571-88880000")
        return FinancialProduct.objects.create(**kw)


@pytest.fixture
def credit(world):
    return Credit(world)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c
