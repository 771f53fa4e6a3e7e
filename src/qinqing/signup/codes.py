"""One-time SMS codes (短信验证码) for sign-up and password reset.

A code is six digits, lives ``TTL`` (5 minutes), allows ``MAX_ATTEMPTS`` (5) wrong tries and one use. Only a keyed
hash is stored: HMAC-SHA256 with the site's ``SECRET_KEY`` and a salt of its own, so a copy of the table does not
give the codes away (a bare hash of six digits would, in a million guesses). A new code for the same key waits
``COOLDOWN`` (60 s); a mobile receives at most ``QINQING_SMS_CODE_MOBILE_DAILY`` codes a day and a client address
asks for at most ``QINQING_SMS_CODE_IP_DAILY`` (the local day, Asia/Shanghai).

The code leaves through the project's SMS sender (``QINQING_SMS_SENDER``: the logging sender by default, which
writes the text to the ``qinqing.notify`` log; Alibaba Cloud or Tencent Cloud in production) with the template
``verification_code`` mapped in ``QINQING_SMS_TEMPLATES``. It is sent in the request, right after the code's row
has committed, and is never written anywhere else: not to the delivery records, not to the job queue (both are
readable by the system administrator, who must not be able to reset an enterprise's password)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from qinqing.core.errors import InvalidInput, Unavailable
from qinqing.signup.models import VerificationCode
from qinqing.supervision.notify import sms_sender, template_code

log = logging.getLogger("qinqing.signup")

TTL = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
COOLDOWN = dt.timedelta(seconds=60)
DIGITS = 6
TEMPLATE = "verification_code"
# Registered at the gateway with ${var} placeholders (Tencent Cloud: {1}, {2}); docs/notifications.md lists it.
TEMPLATE_TEXT = "您的验证码为${code}，${minutes}分钟内有效。如非本人操作，请忽略本短信。"

Purpose = VerificationCode.Purpose
Sent = VerificationCode.Sent


def digest(code: str, salt: str) -> str:
    return salted_hmac(f"qinqing.signup.code.{salt}", code, algorithm="sha256").hexdigest()


def _today_start() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def render(code: str) -> str:
    text = TEMPLATE_TEXT.replace("${code}", code).replace("${minutes}", str(int(TTL.total_seconds() // 60)))
    return f"【{settings.QINQING_SMS_SIGN_NAME}】{text}"


@dataclass
class Issued:
    row: VerificationCode
    code: str  # "" when nothing is to be sent


@transaction.atomic
def _issue(*, purpose: str, key: str, mobile: str, user, ip: str | None) -> Issued:
    now = timezone.now()
    last = VerificationCode.objects.filter(purpose=purpose, key=key).order_by("-created_at", "-id").first()
    if last is not None and now - last.created_at < COOLDOWN:
        wait = math.ceil((COOLDOWN - (now - last.created_at)).total_seconds())
        raise InvalidInput(f"获取验证码过于频繁，请{wait}秒后再试")
    day = _today_start()
    if ip and VerificationCode.objects.filter(ip_address=ip, created_at__gte=day).count() >= (
        settings.QINQING_SMS_CODE_IP_DAILY
    ):
        raise InvalidInput("本网络今日获取验证码的次数已达上限，请明天再试")
    over_mobile = (
        bool(mobile)
        and VerificationCode.objects.filter(mobile=mobile, created_at__gte=day)
        .exclude(sent=Sent.SKIPPED)
        .count()
        >= settings.QINQING_SMS_CODE_MOBILE_DAILY
    )
    if over_mobile and purpose == Purpose.SIGNUP:
        raise InvalidInput(
            "该手机号今日获取验证码的次数已达上限，请明天再试", {"mobile": ["今日获取验证码次数已达上限"]}
        )
    salt = secrets.token_hex(16)
    # A reset for no account (or over the mobile's cap) gets a row with no code: the same answer and cooldown.
    code = "" if not mobile or over_mobile else f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    row = VerificationCode.objects.create(
        purpose=purpose,
        key=key,
        mobile=mobile if code else "",
        user=user,
        salt=salt,
        code_hash=digest(code, salt) if code else "",
        created_at=now,
        expires_at=now + TTL,
        ip_address=ip or None,
        sent=Sent.PENDING if code else Sent.SKIPPED,
    )
    return Issued(row, code)


def issue(*, purpose: str, key: str, mobile: str, user=None, ip: str | None = None) -> VerificationCode:
    """Record a new code for ``key`` and send it to ``mobile`` (nothing is sent when ``mobile`` is empty). The row
    commits first, the SMS leaves after; a gateway that refuses marks the row failed and answers 503."""
    issued = _issue(purpose=purpose, key=key, mobile=mobile, user=user, ip=ip)
    row = issued.row
    if not issued.code:
        return row
    minutes = str(int(TTL.total_seconds() // 60))
    try:
        answer = sms_sender().send(
            row.mobile,
            template_code(TEMPLATE),
            {"code": issued.code, "minutes": minutes},
            render(issued.code),
        )
    except Exception as exc:  # a gateway's own error types are unknown here
        log.warning("verification code %s not sent", row.pk, exc_info=True)
        VerificationCode.objects.filter(pk=row.pk).update(
            sent=Sent.FAILED, answer=f"{getattr(exc, 'code', '') or type(exc).__name__}"[:200]
        )
        raise Unavailable("短信发送失败，请稍后重试") from exc
    code = str(dict(answer or {}).get("code", ""))
    VerificationCode.objects.filter(pk=row.pk).update(sent=Sent.SENT, answer=code[:200])
    row.sent = Sent.SENT
    return row


@dataclass
class Verdict:
    ok: bool
    message: str = ""
    row: VerificationCode | None = None


def check(*, purpose: str, key: str, code: str) -> Verdict:
    """Check ``code`` against the newest code for ``key`` (locked); a miss counts one attempt. Call inside the
    transaction of the change the code authorises, then ``use`` the row; the caller raises after its block when
    the verdict is not ok, so the counted attempt survives the refusal."""
    now = timezone.now()
    row = (
        VerificationCode.objects.select_for_update()
        .filter(purpose=purpose, key=key)
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None:
        return Verdict(False, "请先获取短信验证码")
    if row.sent == Sent.FAILED:
        return Verdict(False, "验证码未能发送，请重新获取")
    if row.used_at is not None:
        return Verdict(False, "验证码已使用，请重新获取")
    if row.expires_at <= now:
        return Verdict(False, "验证码已过期，请重新获取")
    if row.attempts >= MAX_ATTEMPTS:
        return Verdict(False, "验证码错误次数过多，请重新获取")
    given = (code or "").strip()
    if not row.code_hash or not constant_time_compare(digest(given, row.salt), row.code_hash):
        row.attempts += 1
        VerificationCode.objects.filter(pk=row.pk).update(attempts=row.attempts)
        left = MAX_ATTEMPTS - row.attempts
        return Verdict(False, f"验证码不正确，还可尝试{left}次" if left else "验证码错误次数过多，请重新获取")
    return Verdict(True, row=row)


def use(row: VerificationCode) -> None:
    row.used_at = timezone.now()
    VerificationCode.objects.filter(pk=row.pk).update(used_at=row.used_at)
