"""Domain exceptions. Services raise these; one place per surface (API, pages) turns them into
responses. Messages are Chinese because they reach the user unchanged."""


class DomainError(Exception):
    """A rule of the domain refused the action. Maps to 400 (or 409 for a state conflict)."""

    status = 400
    # Field names in Chinese, where known, for pages that show the errors as one line.
    labels: dict[str, str] = {}  # replaced per instance, never mutated

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(DomainError):
    status = 400


class TransitionNotAllowed(DomainError):
    status = 409


class NotVisible(DomainError):
    """The object does not exist for this user. Deliberately the same answer as a missing one."""

    status = 404

    def __init__(self, message: str = "未找到该记录"):
        super().__init__(message)


class NotPermitted(DomainError):
    """The user sees the object but may not do this to it."""

    status = 403


class Unavailable(DomainError):
    """A service the action depends on (the virus scanner) cannot be reached: refused, nothing saved."""

    status = 503
