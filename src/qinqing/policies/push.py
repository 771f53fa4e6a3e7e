"""Push, not spam: when an enterprise becomes eligible for an item, once per enterprise × item, its users get a
notification and the chief service officer serving it a task (explain the policy); a class the enterprise muted
is recorded as muted and sends nothing."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.fieldwork.models import ServiceAssignment, ServiceRole
from qinqing.fieldwork.selectors import current
from qinqing.policies.models import PolicyItem, PolicyMute, PolicyPush, PolicyTask
from qinqing.supervision.models import Notification
from qinqing.supervision.notify import notify


def item_url(item_id: int) -> str:
    return f"/policies/items/{item_id}/"


@transaction.atomic
def push_newly_eligible(pairs: list[tuple[int, int]]) -> int:
    """Returns how many enterprise × item pairs were pushed for the first time."""
    enterprise_ids = {e for e, _ in pairs}
    item_ids = {i for _, i in pairs}
    items = PolicyItem.objects.select_related("document").in_bulk(item_ids)
    already = set(
        PolicyPush.objects.filter(enterprise_id__in=enterprise_ids, item_id__in=item_ids).values_list(
            "enterprise_id", "item_id"
        )
    )
    mutes = set(
        PolicyMute.objects.filter(enterprise_id__in=enterprise_ids).values_list("enterprise_id", "kind")
    )
    users: dict[int, list[User]] = defaultdict(list)
    for u in User.objects.filter(enterprise_id__in=enterprise_ids, role=Role.ENTERPRISE, is_active=True):
        assert u.enterprise_id is not None
        users[u.enterprise_id].append(u)
    chiefs = dict(
        ServiceAssignment.objects.filter(
            current(timezone.localdate()), role=ServiceRole.CHIEF, enterprise_id__in=enterprise_ids
        ).values_list("enterprise_id", "user_id")
    )
    quiet: list[PolicyPush] = []
    tasks: list[PolicyTask] = []
    pushed = 0
    for eid, iid in dict.fromkeys(pairs):
        if (eid, iid) in already or iid not in items:
            continue
        item = items[iid]
        muted = (eid, item.kind) in mutes
        pushed += 1
        if muted or not users.get(eid):
            quiet.append(PolicyPush(enterprise_id=eid, item_id=iid, muted=muted))
        else:
            # One push per pair, even with two runs racing: the unique constraint decides who sends.
            push, created = PolicyPush.objects.get_or_create(enterprise_id=eid, item_id=iid)
            if not created:
                continue
            notes = notify(
                users[eid],
                kind=Notification.Kind.POLICY,
                title=f"可享政策：{item.name}",
                body=f"根据企业档案，贵企业符合“{item.name}”（{item.document.number}）的条件。兑现免费，无需中介。",
                url=item_url(iid),
            )
            push.notifications.set(notes)
        if not muted and eid in chiefs:
            tasks.append(PolicyTask(officer_id=chiefs[eid], enterprise_id=eid, item_id=iid))
    PolicyPush.objects.bulk_create(quiet, batch_size=2000, ignore_conflicts=True)
    PolicyTask.objects.bulk_create(tasks, batch_size=2000, ignore_conflicts=True)
    return pushed
