"""Self-service endpoints: public ones to ask for an SMS code, sign up and reset a password (no login; the same
answers and limits as the pages), and the office's queue of link requests with its decision."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from qinqing.accounts.http import AuthedRequest
from qinqing.audit.services import client_address
from qinqing.signup import actions, inputs, selectors, workflow
from qinqing.signup.models import LinkRequest

router = Router(tags=["企业注册与找回密码"])


class SentOut(Schema):
    message: str


class SignupOut(Schema):
    request_id: int
    username: str
    state: str
    state_label: str
    message: str


class ResetOut(Schema):
    username: str
    message: str


class LinkRequestOut(Schema):
    id: int
    state: str
    state_label: str
    uscc: str
    enterprise_name: str
    industry: str
    scale: str
    region_id: int
    region: str
    contact_name: str
    mobile: str
    applicant: str
    enterprise_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str
    reason: str
    actions: list[str]


class LinkRequestDetailOut(LinkRequestOut):
    in_registry: bool
    registry_name: str
    existing_accounts: list[str]


class LinkRequestFilter(Schema):
    state: LinkRequest.State | None = None


def _out(link: LinkRequest, user) -> dict:
    return {
        "id": link.pk,
        "state": link.state,
        "state_label": link.get_state_display(),
        "uscc": link.uscc,
        "enterprise_name": link.enterprise_name,
        "industry": link.industry,
        "scale": link.scale,
        "region_id": link.region_id,
        "region": link.region.name,
        "contact_name": link.contact_name,
        "mobile": link.mobile,
        "applicant": link.applicant.username,
        "enterprise_id": link.enterprise_id,
        "created_at": link.created_at,
        "decided_at": link.decided_at,
        "decided_by": str(link.decided_by) if link.decided_by else "",
        "reason": link.reason,
        "actions": [a.name for a in workflow.LINKS.available(link, user)],
    }


@router.post("/codes", response=SentOut, auth=None, summary="获取注册短信验证码")
def signup_code(request: HttpRequest, payload: inputs.SignupCodeIn):
    return {"message": actions.signup_code(payload, client_address(request))}


@router.post("/accounts", response={201: SignupOut}, auth=None, summary="企业自助注册")
def signup(request: HttpRequest, payload: inputs.SignupIn):
    link = actions.signup(payload, client_address(request))
    return Status(
        201,
        {
            "request_id": link.pk,
            "username": link.applicant.username,
            "state": link.state,
            "state_label": link.get_state_display(),
            "message": "注册成功，企业关联待营商办审核",
        },
    )


@router.post("/password-reset/codes", response=SentOut, auth=None, summary="获取找回密码短信验证码")
def reset_code(request: HttpRequest, payload: inputs.ResetCodeIn):
    return {"message": actions.reset_code(payload, client_address(request))}


@router.post("/password-reset", response=ResetOut, auth=None, summary="短信验证重置密码")
def reset(request: HttpRequest, payload: inputs.ResetIn):
    user = actions.reset(payload)
    return {"username": user.username, "message": "密码已重置，其他登录已退出"}


@router.get(
    "/requests", response=list[LinkRequestOut], summary="企业关联申请（营商办：本区划；申请人：本人）"
)
def requests(request: AuthedRequest, filters: Query[LinkRequestFilter]):
    qs = selectors.requests_visible_to(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return [_out(link, request.user) for link in qs[:200]]


@router.post("/requests", response={201: LinkRequestOut}, summary="驳回后重新申请关联企业（申请人）")
def reapply(request: AuthedRequest, payload: inputs.ReapplyIn):
    return Status(201, _out(actions.reapply(request.user, payload), request.user))


@router.get("/requests/{request_id}", response=LinkRequestDetailOut, summary="企业关联申请详情")
def request_detail(request: AuthedRequest, request_id: int):
    link = selectors.get_request(request.user, request_id)
    match = selectors.registry_match(request.user, link)
    return {
        **_out(link, request.user),
        "in_registry": match is not None,
        "registry_name": match.name if match else "",
        "existing_accounts": [u.username for u in selectors.users_of(request.user, match)],
    }


@router.post("/requests/{request_id}/approve", response=LinkRequestOut, summary="通过并关联企业")
def approve(request: AuthedRequest, request_id: int):
    return _out(actions.approve(request.user, request_id), request.user)


@router.post("/requests/{request_id}/reject", response=LinkRequestOut, summary="驳回企业关联申请")
def reject(request: AuthedRequest, request_id: int, payload: inputs.RejectIn):
    return _out(actions.reject(request.user, request_id, payload), request.user)
