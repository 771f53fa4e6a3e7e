"""Named personas and builders. Every test that shows something allowed has a twin nearby that shows
someone refused."""

import datetime as dt
import itertools
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from stdnum.cn import uscc

from qinqing.accounts.models import ApiToken, Role, User
from qinqing.appeals import services
from qinqing.appeals.models import Category, ResponsibilityCatalogue
from qinqing.enterprises.models import Contact, Enterprise
from qinqing.organisation.models import Department, Region

TZ = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def make_uscc(region_code: str = "339900") -> str:
    body = "91" + region_code[:6] + f"{next(_seq):09d}"
    return body + uscc.calc_check_digit(body)


@pytest.fixture(autouse=True)
def _fresh_process_caches(settings, tmp_path):
    # Calendar overrides and time limits are cached per process; a rolled-back test must not leave them.
    # Nor may the similar-appeal index or a routing model trained by another test.
    from qinqing.insights import routing, similar

    cache.clear()
    similar.index().reset()
    routing._cache.clear()
    settings.QINQING_MODEL_DIR = tmp_path / "models"
    yield
    cache.clear()
    similar.index().reset()
    routing._cache.clear()


class World:
    """A small city with two districts, three departments and two enterprises."""

    def __init__(self):
        self.city = Region.objects.create(code="339900", name="青川市", level=Region.Level.CITY)
        self.east = Region.objects.create(
            code="339902", name="东城区", level=Region.Level.DISTRICT, parent=self.city
        )
        self.west = Region.objects.create(
            code="339903", name="西江区", level=Region.Level.DISTRICT, parent=self.city
        )
        self.office = Department.objects.create(
            name="市营商办", kind=Department.Kind.OFFICE, region=self.city
        )
        self.hr = Department.objects.create(name="市人社局", region=self.city)
        self.hr_unit = Department.objects.create(name="市人社局就业科", region=self.city, parent=self.hr)
        self.power = Department.objects.create(
            name="供电公司", kind=Department.Kind.UTILITY, region=self.city
        )
        self.land = Department.objects.create(name="市自然资源局", region=self.city)
        self.ent_a = Enterprise.objects.create(
            uscc=make_uscc("339902"),
            name="东城恒信机械有限公司",
            industry="C",
            scale="small",
            region=self.east,
        )
        Contact.objects.create(enterprise=self.ent_a, name="陈联络", mobile="13800000001", is_primary=True)
        self.ent_b = Enterprise.objects.create(
            uscc=make_uscc("339903"),
            name="西江鑫达物流有限公司",
            industry="G",
            scale="medium",
            region=self.west,
        )
        Contact.objects.create(enterprise=self.ent_b, name="周联络", mobile="13900000002", is_primary=True)
        self.labour = Category.objects.get(code="labour")
        self.power_cat = Category.objects.get(code="power")
        entry = ResponsibilityCatalogue.objects.create(
            region=self.city, category=self.labour, lead_department=self.hr
        )
        entry.co_departments.set([self.land])
        ResponsibilityCatalogue.objects.create(
            region=self.city, category=self.power_cat, lead_department=self.power
        )

        def user(name, role, **kw):
            return User.objects.create_user(
                username=name, password="pw-qinqing-1", role=role, full_name=name, **kw
            )

        self.ent_user_a = user("ent_a", Role.ENTERPRISE, enterprise=self.ent_a)
        self.ent_user_b = user("ent_b", Role.ENTERPRISE, enterprise=self.ent_b)
        self.dispatcher = user("dispatcher_city", Role.DISPATCHER, region=self.city, department=self.office)
        self.dispatcher_east = user("dispatcher_east", Role.DISPATCHER, region=self.east)
        self.dispatcher_west = user("dispatcher_west", Role.DISPATCHER, region=self.west)
        self.handler_hr = user("handler_hr", Role.HANDLER, department=self.hr)
        self.handler_hr_unit = user("handler_hr_unit", Role.HANDLER, department=self.hr_unit)
        self.head_hr = user("head_hr", Role.DEPT_HEAD, department=self.hr)
        self.handler_power = user("handler_power", Role.HANDLER, department=self.power)
        self.handler_land = user("handler_land", Role.HANDLER, department=self.land)
        self.leader = user("leader", Role.LEADER, region=self.city)
        self.sysadmin = user("sysadmin", Role.SYSADMIN, is_staff=True)
        self.secadmin = user("secadmin", Role.SECADMIN, is_staff=True)
        self.auditor = user("auditor", Role.AUDITOR)

    def submit(self, by=None, **kw):
        kw.setdefault("title", "招工难，请求专场招聘")
        kw.setdefault("content", "旺季缺一线操作工约50人。")
        kw.setdefault("category", self.labour)
        appeal, _ = services.submit_appeal(by=by or self.ent_user_a, **kw)
        return appeal

    def assigned(self, **kw):
        appeal = self.submit(**kw)
        return services.assign_appeal(appeal=appeal, by=self.dispatcher, lead=self.hr, co=[self.land])

    def in_progress(self, **kw):
        appeal = self.assigned(**kw)
        return services.sign_appeal(appeal=appeal, by=self.handler_hr)

    def replied(self, **kw):
        appeal = self.in_progress(**kw)
        return services.reply_to_appeal(
            appeal=appeal, by=self.handler_hr, measures="组织专场招聘会", result="已招到45人"
        )

    def closed(self, satisfaction="satisfied", **kw):
        appeal = self.replied(**kw)
        return services.rate_appeal(
            appeal=appeal,
            by=self.ent_user_a,
            satisfaction=satisfaction,
            resolved=satisfaction != "dissatisfied",
            comment="仍缺人" if satisfaction == "dissatisfied" else "",
        )

    def token(self, user) -> str:
        return ApiToken.issue(user=user, name="test")[1]


@pytest.fixture
def world(db):
    return World()


class SmsInbox:
    """What the logging SMS sender (the default ``QINQING_SMS_SENDER``) wrote to the ``qinqing.notify`` log: the
    texts a phone would have received. Tests read verification codes from here, as a person reads their phone."""

    def __init__(self):
        import logging

        self.messages: list[str] = []
        inbox = self

        class _Handler(logging.Handler):
            def emit(self, record):
                inbox.messages.append(record.getMessage())

        self.handler = _Handler(level=logging.INFO)

    def to(self, mobile: str) -> list[str]:
        return [m for m in self.messages if m.startswith(f"SMS to {mobile} ")]

    def code(self, mobile: str) -> str:
        import re

        texts = self.to(mobile)
        assert texts, f"no SMS to {mobile}"
        return re.search(r"验证码为(\d{6})", texts[-1])[1]


@pytest.fixture
def sms_inbox():
    import logging

    inbox = SmsInbox()
    log = logging.getLogger("qinqing.notify")
    level = log.level
    log.addHandler(inbox.handler)
    log.setLevel(logging.INFO)
    yield inbox
    log.removeHandler(inbox.handler)
    log.setLevel(level)


@pytest.fixture
def clock():
    """Freeze time at a known working day (Monday 2026-11-16 10:00 Shanghai); move it with .move_to()."""
    with time_machine.travel(at(2026, 11, 16), tick=False) as traveller:
        yield traveller


def require_browser() -> bool:
    return os.environ.get("QINQING_REQUIRE_BROWSER") == "1"


def pytest_configure(config):
    from django.conf import settings

    # PBKDF2's deliberate slowness is for production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
