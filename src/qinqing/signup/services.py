"""Enterprise self-service: sign-up with an SMS code, the office's decision on the link to the enterprise, and
password reset by SMS code. Each change is one transaction with its audit record and its notices."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinqing.accounts.models import ApiToken, Role, User
from qinqing.audit import services as audit
from qinqing.audit.models import AuditRecord
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.enterprises.models import Contact, Enterprise
from qinqing.enterprises.validators import normalise_uscc, validate_mobile, validate_uscc
from qinqing.organisation.models import Region
from qinqing.signup import codes, workflow
from qinqing.signup.inputs import ReapplyIn, ResetIn, SignupIn
from qinqing.signup.models import LinkRequest, VerificationCode
from qinqing.supervision import notices
from qinqing.supervision.notify import notify

A = AuditRecord.Action
Purpose = VerificationCode.Purpose
RESET_SENT = "如果该账号存在并登记了手机号码，验证码已发送至该手机，5分钟内有效。"


def _mobile(value: str) -> str:
    mobile = "".join(value.split()).removeprefix("+86")
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        raise InvalidInput("手机号码格式不正确", {"mobile": list(exc.messages)}) from exc
    return mobile


# ---------------------------------------------------------------- codes


def request_signup_code(*, mobile: str, ip: str | None) -> VerificationCode:
    number = _mobile(mobile)
    return codes.issue(purpose=Purpose.SIGNUP, key=number, mobile=number, ip=ip)


def _login_key(login: str) -> str:
    return " ".join(login.split()).lower()[:150]


def account_for(login: str) -> User | None:
    """The active account a reset is for: by username, else the one account holding that mobile (a mobile two
    accounts share names neither)."""
    key = " ".join(login.split())
    named = list(User.objects.filter(username__iexact=key, is_active=True)[:5])
    exact = [u for u in named if u.username == key]
    if exact or len(named) == 1:
        return (exact or named)[0]
    holders = list(User.objects.filter(mobile=key, is_active=True)[:2]) if key.isdigit() else []
    return holders[0] if len(holders) == 1 else None


def request_reset_code(*, login: str, ip: str | None) -> str:
    """Send a code to the mobile on file of the account ``login`` names; the same answer (and the same cooldown)
    whether or not there is one, so the page tells no one which accounts exist."""
    key = _login_key(login)
    if not key:
        raise InvalidInput("请填写用户名或手机号码", {"login": ["此项为必填项"]})
    user = account_for(login)
    mobile = user.mobile if user is not None and user.mobile else ""
    codes.issue(purpose=Purpose.RESET, key=key, mobile=mobile, user=user if mobile else None, ip=ip)
    return RESET_SENT


# ---------------------------------------------------------------- sign-up


def _check_password(data_password1: str, data_password2: str, user: User, field: str = "password1") -> None:
    if data_password1 != data_password2:
        raise InvalidInput("两次输入的密码不一致", {"password2": ["两次输入的密码不一致"]})
    try:
        password_validation.validate_password(data_password1, user)
    except ValidationError as exc:
        raise InvalidInput("密码不符合要求", {field: list(exc.messages)}) from exc


def office_of(region: Region) -> list[User]:
    """The dispatchers of ``region``, or of the nearest enclosing region that has any."""
    ids = region.ancestor_ids()
    found = list(User.objects.filter(is_active=True, role=Role.DISPATCHER, region_id__in=ids))
    for region_id in reversed(ids):
        nearest = [u for u in found if u.region_id == region_id]
        if nearest:
            return nearest
    return []


def _enterprise_errors(uscc: str, name: str, contact: str, region_id: int) -> tuple[dict, Region | None]:
    errors: dict[str, list[str]] = {}
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = list(exc.messages)
    if not name:
        errors["enterprise_name"] = ["请填写企业名称"]
    if not contact:
        errors["contact_name"] = ["请填写联系人姓名"]
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        errors["region"] = ["所在区划不存在"]
    return errors, region


def submit_signup(*, data: SignupIn, ip: str | None = None) -> LinkRequest:
    """A new enterprise account (no enterprise yet) and its link request, once the SMS code matches."""
    uscc = normalise_uscc(data.uscc)
    name, contact, username = data.enterprise_name.strip(), data.contact_name.strip(), data.username.strip()
    errors, region = _enterprise_errors(uscc, name, contact, data.region)
    mobile = "".join(data.mobile.split()).removeprefix("+86")
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        errors["mobile"] = list(exc.messages)
    try:
        User.username_validator(username)
    except ValidationError:
        errors["username"] = ["用户名只能包含字母、数字和 @/./+/-/_"]
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被使用"]
    account = User(username=username, role=Role.ENTERPRISE, full_name=contact, mobile=mobile)
    try:
        _check_password(data.password1, data.password2, account)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput("注册信息有误", errors)
    assert region is not None
    try:
        with transaction.atomic():
            verdict = codes.check(purpose=Purpose.SIGNUP, key=mobile, code=data.code)
            if verdict.ok and verdict.row is not None:
                codes.use(verdict.row)
                link = _create_signup(account, data.password1, uscc, name, contact, mobile, region, data)
    except IntegrityError as exc:  # the same username taken a moment ago by another sign-up
        raise InvalidInput("注册信息有误", {"username": ["该用户名已被使用"]}) from exc
    if not verdict.ok:
        raise InvalidInput(verdict.message, {"code": [verdict.message]})
    return link


def _create_signup(
    account: User, password: str, uscc: str, name: str, contact: str, mobile: str, region, data
):
    account.set_password(password)
    account.save()
    password_validation.password_changed(password, account)
    return _file_request(account, uscc, name, contact, mobile, region, data)


def _file_request(account: User, uscc: str, name: str, contact: str, mobile: str, region, data, again=False):
    enterprise = Enterprise.objects.filter(uscc=uscc).select_related("region").first()
    link = LinkRequest.objects.create(
        applicant=account,
        uscc=uscc,
        enterprise_name=name,
        industry=data.industry,
        scale=data.scale,
        contact_name=contact,
        mobile=mobile,
        region=enterprise.region if enterprise is not None else region,
        enterprise=enterprise,
    )
    audit.record(
        A.SIGNED_UP,
        user=account,
        username=account.username,
        target=f"signup.linkrequest#{link.pk}",
        account=account.username,
        uscc=uscc,
        enterprise_name=name,
        in_registry=enterprise is not None,
        again=again,
    )
    notify(
        office_of(link.region),
        kind=notices.Kind.LINK_REQUESTED,
        title=f"企业注册待审核：{name}",
        body=f"{contact}（账号 {account.username}）申请关联企业 {name}（{uscc}），请审核。",
        url=f"/signup/requests/{link.pk}/",
    )
    return link


@transaction.atomic
def reapply(*, by: User, data: ReapplyIn) -> LinkRequest:
    """After a rejection the account files a corrected request (its mobile stays the one it proved)."""
    account = User.objects.select_for_update().get(pk=by.pk)
    if account.role != Role.ENTERPRISE or account.enterprise_id:
        raise NotPermitted("只有尚未关联企业的企业账号可以重新申请")
    last = LinkRequest.objects.filter(applicant=account).order_by("-created_at", "-id").first()
    if last is not None and last.state != LinkRequest.State.REJECTED:
        raise TransitionNotAllowed("已有申请正在审核或已通过，不能重复申请")
    uscc = normalise_uscc(data.uscc)
    name, contact = data.enterprise_name.strip(), data.contact_name.strip()
    errors, region = _enterprise_errors(uscc, name, contact, data.region)
    if errors:
        raise InvalidInput("申请信息有误", errors)
    return _file_request(account, uscc, name, contact, account.mobile, region, data, again=True)


# ---------------------------------------------------------------- the office's decision


def _locked(link: LinkRequest, by: User) -> LinkRequest:
    locked = LinkRequest.objects.select_for_update().select_related("region", "applicant").get(pk=link.pk)
    if not workflow.parties(locked, by):
        raise NotVisible("未找到该注册申请")
    return locked


@transaction.atomic
def approve(*, link: LinkRequest, by: User) -> LinkRequest:
    """Link the applicant to the enterprise of the request's code, registering it first when it is not in the
    registry (name, industry and scale as the applicant gave them, in the request's region)."""
    locked = _locked(link, by)
    workflow.LINKS.check(locked, "approve", by)
    applicant = User.objects.select_for_update().get(pk=locked.applicant_id)
    if applicant.role != Role.ENTERPRISE or applicant.enterprise_id or not applicant.is_active:
        raise TransitionNotAllowed("该账号已变更或停用，不能再关联企业")
    enterprise = Enterprise.objects.filter(uscc=locked.uscc).select_related("region").first()
    created = enterprise is None
    if enterprise is None:
        enterprise = Enterprise.objects.create(
            uscc=locked.uscc,
            name=locked.enterprise_name,
            industry=locked.industry,
            scale=locked.scale,
            region=locked.region,
        )
        Contact.objects.create(
            enterprise=enterprise, name=locked.contact_name, mobile=locked.mobile, is_primary=True
        )
    elif by.region is None or not enterprise.region.is_within(by.region):
        raise TransitionNotAllowed("该企业已登记在其他区划，请由所在区划的营商办审核")
    applicant.enterprise = enterprise
    applicant.save()
    locked.enterprise = enterprise
    locked.state = workflow.LINKS.actions["approve"].target or locked.state
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.save()
    audit.record(
        A.LINK_APPROVED,
        user=by,
        target=f"signup.linkrequest#{locked.pk}",
        account=applicant.username,
        uscc=locked.uscc,
        enterprise=enterprise.pk,
        registered=created,
    )
    notify(
        [applicant],
        kind=notices.Kind.LINK_APPROVED,
        title=f"企业关联已通过：{enterprise.name}",
        body=f"营商办已审核通过，您的账号已关联企业 {enterprise.name}。",
        url="/appeals/",
        params={"name": enterprise.name},
    )
    return locked


@transaction.atomic
def reject(*, link: LinkRequest, by: User, reason: str) -> LinkRequest:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请填写驳回理由", {"reason": ["请填写驳回理由"]})
    locked = _locked(link, by)
    workflow.LINKS.check(locked, "reject", by)
    locked.state = workflow.LINKS.actions["reject"].target or locked.state
    locked.decided_by, locked.decided_at, locked.reason = by, timezone.now(), reason
    locked.save()
    audit.record(
        A.LINK_REJECTED,
        user=by,
        target=f"signup.linkrequest#{locked.pk}",
        account=locked.applicant.username,
        uscc=locked.uscc,
        reason=reason,
    )
    notify(
        [locked.applicant],
        kind=notices.Kind.LINK_REJECTED,
        title="企业关联申请未通过",
        body=f"您关联企业 {locked.enterprise_name} 的申请未通过。理由：{reason}",
        url="/signup/pending/",
        params={"reason": reason},
    )
    return locked


# ---------------------------------------------------------------- password reset


def reset_password(*, data: ResetIn) -> User:
    """Set a new password for the account whose code matches. Changing the password ends every session of the
    account (Django checks each session against the password's hash) and its API tokens are revoked. The
    failed-login lockout is *not* released: releasing a lock is the security administrator's (docs/security.md);
    a locked account signs in with the new password once the lock has run out."""
    key = _login_key(data.login)
    if data.password1 != data.password2:
        raise InvalidInput("两次输入的密码不一致", {"password2": ["两次输入的密码不一致"]})
    weak: list[str] = []
    with transaction.atomic():
        # The code first: what the password rules say of an account must not tell a stranger it exists.
        verdict = codes.check(purpose=Purpose.RESET, key=key, code=data.code)
        row = verdict.row
        account = None
        if verdict.ok and row is not None and row.user_id is not None:
            account = User.objects.select_for_update().get(pk=row.user_id)
            try:
                password_validation.validate_password(data.password1, account)
            except ValidationError as exc:
                weak = list(exc.messages)  # the code stays valid for a better password
            else:
                codes.use(row)
                account.set_password(data.password1)
                account.save()
                password_validation.password_changed(data.password1, account)
                revoked = ApiToken.objects.filter(user=account, revoked=False).update(revoked=True)
                audit.record(
                    A.PASSWORD_RESET,
                    username=account.username,
                    target=account.username,
                    account=account.username,
                    tokens_revoked=revoked,
                )
    if weak:
        raise InvalidInput("新密码不符合要求", {"password1": weak})
    if account is None:
        message = verdict.message or "验证码不正确"
        raise InvalidInput(message, {"code": [message]})
    return account
