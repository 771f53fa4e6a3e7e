"""Reads of supervision, scoped by the user: 督办 orders, deadline alerts, one's own notifications, 红黑榜."""

from django.db.models import Q, QuerySet

from qinqing.accounts.models import Role, User
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.organisation.models import within
from qinqing.supervision import notices
from qinqing.supervision.models import (
    DeadlineAlert,
    HonourList,
    NoticeOptOut,
    Notification,
    SupervisionOrder,
)


def orders_visible_to(user: User) -> QuerySet[SupervisionOrder]:
    qs = SupervisionOrder.objects.select_related("department__region", "issued_by")
    if user.role in (Role.DISPATCHER, Role.LEADER) and (region := user.region) is not None:
        return qs.filter(within(region, "department__region") | Q(issued_by=user))
    if user.role == Role.DEPT_HEAD and (department := user.department) is not None:
        return qs.filter(within(department, "department"))
    if user.role == Role.HANDLER and user.department_id:
        return qs.filter(department=user.department)
    return qs.none()


def alerts_visible_to(user: User) -> QuerySet[DeadlineAlert]:
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        return DeadlineAlert.objects.none()
    return DeadlineAlert.objects.filter(appeal__in=appeals_visible_to(user)).select_related(
        "appeal", "department"
    )


def notifications_for(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread else qs


def honour_lists_of(user: User) -> QuerySet[HonourList]:
    """The lists published in the office's region and below."""
    if (region := user.region) is None:
        return HonourList.objects.none()
    return HonourList.objects.filter(within(region, "region"))


def published_honour_lists() -> QuerySet[HonourList]:
    """红黑榜 once published are public (the page anyone may open): a frozen snapshot, no case content."""
    return HonourList.objects.select_related("region")


def notification_of(user: User, pk: int) -> Notification | None:
    """One of the user's own messages, with the record of its copies (email, SMS); anyone else's is not found."""
    return notifications_for(user).filter(pk=pk).prefetch_related("deliveries").first()


OPTIONAL_CHANNELS = (notices.EMAIL, notices.SMS)


def preferences_of(user: User) -> list[dict]:
    """Each notice kind that can reach ``user``, with its email and SMS copies: on or off, and whether the rules
    require it (then it is on, with the reason)."""
    off = set(NoticeOptOut.objects.filter(user=user).values_list("kind", "channel"))
    rows = []
    for n in notices.kinds_for(user):
        channels = []
        for channel in OPTIONAL_CHANNELS:
            if channel not in n.channels:
                continue
            channels.append(
                {
                    "channel": channel,
                    "label": notices.CHANNEL_LABELS[channel],
                    "key": f"{n.kind}:{channel}",
                    "enabled": bool(n.mandatory) or (n.kind, channel) not in off,
                }
            )
        rows.append(
            {
                "kind": n.kind,
                "label": n.label,
                "concerns": "、".join(notices.AUDIENCE_LABELS[a] for a in n.concerns),
                "mandatory": bool(n.mandatory),
                "reason": n.mandatory,
                "channels": channels,
            }
        )
    return rows
