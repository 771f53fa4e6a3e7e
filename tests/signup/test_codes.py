"""SMS verification codes: hashed, five minutes, five tries, one use, a minute between sends, daily caps."""

import datetime as dt

import pytest
import time_machine

from qinqing.core.errors import InvalidInput, Unavailable
from qinqing.signup import codes
from qinqing.signup.models import VerificationCode
from tests.conftest import TZ

pytestmark = pytest.mark.django_db
SIGNUP = VerificationCode.Purpose.SIGNUP
MOBILE = "13700000009"


def at(y, mo, d, h, mi, sec=0):
    return dt.datetime(y, mo, d, h, mi, sec, tzinfo=TZ)


def issue(mobile=MOBILE, ip="10.0.0.1", key=None):
    return codes.issue(purpose=SIGNUP, key=key or mobile, mobile=mobile, ip=ip)


def check(code, key=MOBILE):
    return codes.check(purpose=SIGNUP, key=key, code=code)


def test_the_code_reaches_the_phone_and_only_its_keyed_hash_is_stored(sms_inbox):
    row = issue()
    code = sms_inbox.code(MOBILE)
    assert len(code) == 6 and code.isdigit()
    row.refresh_from_db()
    assert row.sent == VerificationCode.Sent.SENT
    stored = " ".join(str(v) for v in VerificationCode.objects.values().get(pk=row.pk).values())
    assert code not in stored
    assert row.code_hash == codes.digest(code, row.salt) != codes.digest(code, "other-salt")
    assert "5分钟内有效" in sms_inbox.to(MOBILE)[-1] and "【亲清】" in sms_inbox.to(MOBILE)[-1]


def test_a_right_code_passes_once(sms_inbox):
    issue()
    verdict = check(sms_inbox.code(MOBILE))
    assert verdict.ok
    codes.use(verdict.row)
    again = check(sms_inbox.code(MOBILE))
    assert not again.ok and "已使用" in again.message


def test_a_code_expires_after_five_minutes(sms_inbox):
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False) as clock:
        issue()
        clock.move_to(at(2026, 11, 16, 10, 4, 59))
        assert check(sms_inbox.code(MOBILE)).ok
        clock.move_to(at(2026, 11, 16, 10, 5, 1))
        verdict = check(sms_inbox.code(MOBILE))
        assert not verdict.ok and "已过期" in verdict.message


def test_five_wrong_tries_kill_the_code(sms_inbox):
    issue()
    right = sms_inbox.code(MOBILE)
    wrong = "000000" if right != "000000" else "111111"
    messages = [check(wrong).message for _ in range(5)]
    assert messages[0] == "验证码不正确，还可尝试4次"
    assert messages[-1] == "验证码错误次数过多，请重新获取"
    assert VerificationCode.objects.get().attempts == 5
    assert not check(right).ok  # even the right one, now


def test_no_code_yet():
    verdict = check("123456")
    assert not verdict.ok and verdict.message == "请先获取短信验证码"


def test_a_new_code_waits_sixty_seconds_and_replaces_the_old(sms_inbox):
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False) as clock:
        issue()
        first = sms_inbox.code(MOBILE)
        clock.move_to(at(2026, 11, 16, 10, 0, 30))
        with pytest.raises(InvalidInput, match="请30秒后再试"):
            issue()
        clock.move_to(at(2026, 11, 16, 10, 1, 1))
        issue()
        second = sms_inbox.code(MOBILE)
        assert len(sms_inbox.to(MOBILE)) == 2
        if first != second:
            assert not check(first).ok
        assert check(second).ok


def test_a_mobile_gets_at_most_the_daily_cap(sms_inbox, settings):
    settings.QINQING_SMS_CODE_MOBILE_DAILY = 3
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False) as clock:
        for i in range(3):
            clock.move_to(at(2026, 11, 16, 9, i * 2))
            issue(ip=f"10.0.0.{i + 1}")
        clock.move_to(at(2026, 11, 16, 9, 10))
        with pytest.raises(InvalidInput, match="今日获取验证码的次数已达上限") as refused:
            issue(ip="10.0.0.9")
        assert refused.value.errors == {"mobile": ["今日获取验证码次数已达上限"]}
        assert len(sms_inbox.to(MOBILE)) == 3
        clock.move_to(at(2026, 11, 17, 0, 1))  # a new day in Shanghai
        issue(ip="10.0.0.9")
        assert len(sms_inbox.to(MOBILE)) == 4


def test_an_address_asks_at_most_the_daily_cap_whatever_the_mobile(sms_inbox, settings):
    settings.QINQING_SMS_CODE_IP_DAILY = 2
    issue("13700000001")
    issue("13700000002")
    with pytest.raises(InvalidInput, match="本网络今日获取验证码的次数已达上限"):
        issue("13700000003")
    assert sms_inbox.to("13700000003") == []
    issue("13700000003", ip="10.9.9.9")  # another address is not held back
    assert len(sms_inbox.to("13700000003")) == 1


class RefusingSender:
    def send(self, mobile, template_code, params, text):
        raise RuntimeError("gateway down")


def test_a_gateway_refusal_answers_503_and_the_code_is_not_usable(settings, sms_inbox):
    settings.QINQING_SMS_SENDER = "tests.signup.test_codes.RefusingSender"
    with pytest.raises(Unavailable, match="短信发送失败"):
        issue()
    row = VerificationCode.objects.get()
    assert row.sent == VerificationCode.Sent.FAILED and row.answer == "RuntimeError"
    assert check("123456").message == "验证码未能发送，请重新获取"


SENT: list = []


class RecordingSender:
    def send(self, mobile, template_code, params, text):
        SENT.append((mobile, template_code, sorted(params)))
        return {"code": "OK"}


def test_the_template_key_maps_to_the_gateway_code(settings):
    settings.QINQING_SMS_SENDER = "tests.signup.test_codes.RecordingSender"
    settings.QINQING_SMS_TEMPLATES = {"verification_code": "SMS_000111"}
    SENT.clear()
    issue()
    assert SENT == [(MOBILE, "SMS_000111", ["code", "minutes"])]
    assert VerificationCode.objects.get().answer == "OK"
    assert codes.TTL == dt.timedelta(minutes=5) and codes.MAX_ATTEMPTS == 5
