"""Reads of accounts that take the user."""

from django.db.models import QuerySet

from qinqing.accounts.models import ApiToken, GrantRequest, Role, User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's own API tokens, newest first; nobody reads another's."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def grant_requests_visible_to(user: User) -> QuerySet[GrantRequest]:
    """Grant requests are the security administrators' (each sees all, to approve another's)."""
    if not user.is_authenticated or not user.is_active or user.role != Role.SECADMIN:
        return GrantRequest.objects.none()
    return GrantRequest.objects.select_related("account", "requested_by", "decided_by")
