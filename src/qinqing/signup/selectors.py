"""Reads of link requests, always taking the user: the office sees the requests of its region (the enterprise's
region, or the one chosen at sign-up), the applicant its own, everyone else none (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from qinqing.accounts.models import Role, User
from qinqing.core.errors import NotVisible
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import within
from qinqing.signup.models import LinkRequest


def requests_visible_to(user: User) -> QuerySet[LinkRequest]:
    qs = LinkRequest.objects.select_related("region", "applicant", "enterprise", "decided_by")
    if user.role == Role.DISPATCHER and (region := user.region) is not None:
        return qs.filter(within(region, "region"))
    if user.role == Role.ENTERPRISE:
        return qs.filter(applicant=user)
    return qs.none()


def get_request(user: User, pk: int) -> LinkRequest:
    found = requests_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该注册申请")
    return found


def latest_of(user: User) -> LinkRequest | None:
    """The applicant's newest request (the page a not-yet-linked account lands on shows it)."""
    return LinkRequest.objects.filter(applicant=user).select_related("region").order_by("-created_at").first()


def registry_match(user: User, link: LinkRequest) -> Enterprise | None:
    """The registry's enterprise with the request's code, as the office reviewing it sees it (None if absent)."""
    if user.role != Role.DISPATCHER or user.region is None:
        return None
    return Enterprise.objects.filter(uscc=link.uscc).select_related("region").first()


def users_of(user: User, enterprise: Enterprise | None) -> list[User]:
    """The enterprise's existing accounts, for the office deciding a new link to it."""
    if enterprise is None or user.role != Role.DISPATCHER:
        return []
    return list(User.objects.filter(enterprise=enterprise).order_by("username"))
