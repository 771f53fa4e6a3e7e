"""The request a signed-in page receives. ``LoginRequiredMiddleware`` closes every page that does not opt out, so a
view behind it always has a ``User`` (never ``AnonymousUser``); annotating it so lets mypy check what views do
with the user. Public views (``@login_not_required``) keep ``HttpRequest``."""

from django.http import HttpRequest

from qinqing.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # narrowed: the middleware guarantees a signed-in user
