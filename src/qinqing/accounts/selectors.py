"""Reads of accounts that take the user."""

from django.db.models import QuerySet

from qinqing.accounts.models import ApiToken, User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's own API tokens, newest first; nobody reads another's."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
