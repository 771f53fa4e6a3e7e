import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinqing.accounts.models import Role, User
from qinqing.indices.models import Framework, Indicator
from qinqing.organisation.models import Department
from qinqing.plans import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="批复.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class Plans:
    """A city plan approved on Thursday 2026-10-01 (first half-month period Oct 1–15, report due three working
    days after each period) with two tasks: 人社局 leads 1.1 (供电公司 co-operates, the leader supervises it) and
    自然资源局 leads 1.2 (no 督办专员: the office reviews); and a draft plan of 东城区."""

    def __init__(self, world):
        self.world = world
        w = world
        # The shipped national framework (a data migration loads it): inserting frameworks here would collide on
        # PostgreSQL with the rows a transactional test's serialized rollback restores with their ids.
        self.framework = Framework.objects.get(code="cn-national-2020")
        first_level = Indicator.objects.filter(framework=self.framework, parent__isnull=True)
        self.ind_labour = first_level.get(name="劳动力市场监管")
        self.ind_land = first_level.get(name="登记财产")
        self.plan = services.create_plan(
            by=w.dispatcher, year=2026, title="青川市2026年优化营商环境行动方案", number="青营商办〔2026〕1号"
        )
        self.hr_task = services.add_task(
            plan=self.plan,
            by=w.dispatcher,
            code="1.1",
            title="稳岗就业",
            environment="social",
            lead_department=w.hr,
            responsibility="statutory",
            co_departments=[w.power],
            supervisor=w.leader,
            indicators=[self.ind_labour],
        )
        self.m1 = services.add_milestone(
            task=self.hr_task,
            by=w.dispatcher,
            title="印发细则",
            due=dt.date(2026, 11, 20),
            expected_result="细则印发",
            evidence_required="文件",
            weight=Decimal("1"),
        )
        self.m2 = services.add_milestone(
            task=self.hr_task,
            by=w.dispatcher,
            title="系统上线",
            due=dt.date(2026, 12, 30),
            expected_result="上线",
            evidence_required="截图",
            weight=Decimal("3"),
        )
        self.land_task = services.add_task(
            plan=self.plan,
            by=w.dispatcher,
            code="1.2",
            title="交房即交证",
            environment="market",
            lead_department=w.land,
            indicators=[self.ind_land],
        )
        self.m_land = services.add_milestone(
            task=self.land_task,
            by=w.dispatcher,
            title="试点",
            due=dt.date(2026, 11, 10),
            expected_result="试点完成",
            evidence_required="名单",
        )
        services.approve_plan(plan=self.plan, by=w.dispatcher, today=dt.date(2026, 10, 1))
        self.east_dept = Department.objects.create(name="东城区住建局", region=w.east)
        self.east_handler = User.objects.create_user(
            username="handler_east", password="x", role=Role.HANDLER, department=self.east_dept
        )
        self.east_plan = services.create_plan(by=w.dispatcher_east, year=2026, title="东城区行动方案")

    def client(self, user):
        return Client(headers={"Authorization": f"Bearer {self.world.token(user)}"})

    def page(self, user):
        c = Client()
        c.force_login(user)
        return c


@pytest.fixture
def plans(world, clock):
    return Plans(world)
