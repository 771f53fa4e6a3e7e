"""Each self-service action once, for the page and the API: find the request through the user's selector
(invisible: 404), then call the one service."""

from __future__ import annotations

from qinqing.accounts.models import User
from qinqing.signup import inputs, selectors, services
from qinqing.signup.models import LinkRequest


def approve(by: User, pk: int) -> LinkRequest:
    return services.approve(link=selectors.get_request(by, pk), by=by)


def reject(by: User, pk: int, data: inputs.RejectIn) -> LinkRequest:
    return services.reject(link=selectors.get_request(by, pk), by=by, reason=data.reason)


def signup_code(data: inputs.SignupCodeIn, ip: str | None) -> str:
    services.request_signup_code(mobile=data.mobile, ip=ip)
    return "验证码已发送，5分钟内有效。"


def signup(data: inputs.SignupIn, ip: str | None) -> LinkRequest:
    return services.submit_signup(data=data, ip=ip)


def reset_code(data: inputs.ResetCodeIn, ip: str | None) -> str:
    return services.request_reset_code(login=data.login, ip=ip)


def reset(data: inputs.ResetIn) -> User:
    return services.reset_password(data=data)


def reapply(by: User, data: inputs.ReapplyIn) -> LinkRequest:
    return services.reapply(by=by, data=data)
