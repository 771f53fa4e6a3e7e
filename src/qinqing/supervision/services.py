"""督办 (supervision orders) and the notification centre."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import FINAL_STATUSES, Appeal, AppealEvent, Status
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.appeals.services import record_event
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.organisation.models import Department
from qinqing.supervision import notices, workflow
from qinqing.supervision.models import NoticeOptOut, Notification, SupervisionOrder
from qinqing.supervision.notify import notify


def _department_users(department: Department) -> QuerySet[User]:
    return User.objects.filter(is_active=True, department=department, role__in=[Role.HANDLER, Role.DEPT_HEAD])


@transaction.atomic
def issue_order(
    *, by: User, department: Department, appeals: list[Appeal], content: str, respond_by: dt.date
) -> SupervisionOrder:
    if by.role not in (Role.DISPATCHER, Role.LEADER):
        raise NotPermitted("只有营商办调度员或领导可以督办")
    errors = {}
    if not content.strip():
        errors["content"] = ["请填写督办要求"]
    if not appeals:
        errors["appeals"] = ["请至少选择一件诉求"]
    if respond_by < timezone.localdate():
        errors["respond_by"] = ["回复日期不能早于今天"]
    if errors:
        raise InvalidInput("督办内容有误，请修改后重试", errors)
    visible = set(appeals_visible_to(by).filter(pk__in=[a.pk for a in appeals]).values_list("pk", flat=True))
    if len(visible) != len({a.pk for a in appeals}):
        raise NotVisible("未找到该诉求")
    for appeal in appeals:
        involved = (
            appeal.lead_department_id == department.pk
            or appeal.co_departments.filter(pk=department.pk).exists()
        )
        if not involved:
            raise InvalidInput(
                f"{appeal.number} 不由{department.name}办理", {"department": ["该单位不是这些诉求的承办单位"]}
            )
        if appeal.status in FINAL_STATUSES:
            raise InvalidInput(f"{appeal.number} 已办结，无需督办", {"appeals": ["已办结的诉求无需督办"]})
    order = SupervisionOrder.objects.create(
        department=department, content=content.strip(), respond_by=respond_by, issued_by=by
    )
    order.appeals.set(appeals)
    for appeal in appeals:
        record_event(
            appeal,
            AppealEvent.Kind.SUPERVISED,
            by,
            note=f"督办{department.name}：{order.content}（{respond_by:%Y-%m-%d} 前回复）",
            data={"order": order.pk, "respond_by": respond_by.isoformat()},
        )
    numbers = "、".join(a.number for a in appeals[:5]) + ("等" if len(appeals) > 5 else "")
    notify(
        _department_users(department),
        kind=Notification.Kind.SUPERVISION,
        title=f"督办：请于 {respond_by:%Y-%m-%d} 前回复（{numbers}）",
        body=order.content,
        appeal=appeals[0] if len(appeals) == 1 else None,
        url=f"/supervision/orders/{order.pk}/",
        params={"date": f"{respond_by:%Y-%m-%d}", "number": numbers},
        departments=[department],
    )
    return order


@transaction.atomic
def answer_order(*, order: SupervisionOrder, by: User, answer: str) -> SupervisionOrder:
    order = SupervisionOrder.objects.select_for_update().select_related("department__region").get(pk=order.pk)
    step = workflow.ORDERS.check(order, "answer", by)
    if not answer.strip():
        raise InvalidInput("请填写回复内容", {"answer": ["请填写回复内容"]})
    assert step.target is not None  # "answer" always moves the order on (workflow.ORDERS)
    order.state = step.target
    order.answer = answer.strip()
    order.answered_by = by
    order.answered_at = timezone.now()
    order.save()
    for appeal in order.appeals.all():
        record_event(
            appeal, AppealEvent.Kind.SUPERVISION_ANSWERED, by, note=order.answer, data={"order": order.pk}
        )
    notify(
        [order.issued_by],
        kind=Notification.Kind.SUPERVISION_ANSWER,
        title=f"督办回复：{order.department.name}",
        body=order.answer,
        url=f"/supervision/orders/{order.pk}/",
    )
    return order


def settle_orders() -> int:
    """End the open 督办 orders whose appeals have all ended (办结, 不予受理, 撤回, 并案): no order waits forever
    for an answer nobody can give any more. One transaction per order, re-checked under its lock."""
    settled = 0
    candidates = (
        SupervisionOrder.objects.filter(state=SupervisionOrder.State.OPEN)
        .exclude(appeals__status__in=[s for s in Status.values if s not in FINAL_STATUSES])
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            order = SupervisionOrder.objects.select_for_update().get(pk=pk)
            appeals = list(order.appeals.all())
            if order.state != SupervisionOrder.State.OPEN or any(
                a.status not in FINAL_STATUSES for a in appeals
            ):
                continue
            step = workflow.ORDERS.check(order, "settle", None)
            assert step.target is not None  # "settle" always moves the order on (workflow.ORDERS)
            order.state = step.target
            order.answered_at = timezone.now()
            order.save(update_fields=["state", "answered_at"])
            for appeal in appeals:
                record_event(
                    appeal,
                    AppealEvent.Kind.NOTE,
                    None,
                    note=f"督办单（{order.department.name}）随诉求办结自动结束",
                    data={"order": order.pk},
                )
            settled += 1
    return settled


def mark_read(user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def set_preferences(user: User, enabled: list[str]) -> list[str]:
    """Which email and SMS copies ``user`` receives: every optional copy not in ``enabled`` (``kind:channel``) is
    turned off; mandatory kinds cannot be turned off. Returns the copies now off."""
    optional = {
        f"{n.kind}:{channel}": (n.kind, channel)
        for n in notices.kinds_for(user)
        if not n.mandatory
        for channel in (notices.EMAIL, notices.SMS)
        if channel in n.channels
    }
    mandatory = {
        f"{n.kind}:{channel}"
        for n in notices.kinds_for(user)
        if n.mandatory
        for channel in (notices.EMAIL, notices.SMS)
    }
    unknown = [key for key in enabled if key not in optional and key not in mandatory]
    if unknown:
        raise InvalidInput("消息设置有误", {"enabled": [f"没有这类消息：{'、'.join(unknown[:5])}"]})
    off = [pair for key, pair in optional.items() if key not in set(enabled)]
    NoticeOptOut.objects.filter(user=user).delete()
    NoticeOptOut.objects.bulk_create([NoticeOptOut(user=user, kind=k, channel=c) for k, c in off])
    return sorted(f"{k}:{c}" for k, c in off)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# ---------------------------------------------------------------- contested ratings


@transaction.atomic
def contest_rating(*, appeal: Appeal, by: User, reason: str):
    from qinqing.supervision.models import RatingContest

    if (
        by.role not in (Role.HANDLER, Role.DEPT_HEAD)
        or appeal.lead_department_id is None
        or by.department_id != appeal.lead_department_id
    ):
        raise NotPermitted("只有主办单位可以对评价提出申诉")
    if not appeal.satisfaction or appeal.auto_closed:
        raise InvalidInput("该诉求尚未被企业评价，无需申诉")
    if not reason.strip():
        raise InvalidInput("请说明申诉理由", {"reason": ["请说明申诉理由"]})
    if RatingContest.objects.filter(appeal=appeal).exists():
        raise InvalidInput("该评价已申诉过，每件诉求只能申诉一次")
    contest = RatingContest.objects.create(
        appeal=appeal, department_id=appeal.lead_department_id, reason=reason.strip(), raised_by=by
    )
    record_event(appeal, AppealEvent.Kind.RATING_CONTESTED, by, note=contest.reason)
    return contest


@transaction.atomic
def decide_contest(*, contest, by: User, uphold: bool, note: str = ""):
    from qinqing.supervision.models import RatingContest

    contest = RatingContest.objects.select_for_update().select_related("appeal__region").get(pk=contest.pk)
    step = workflow.CONTESTS.check(contest, "uphold" if uphold else "reject", by)
    if not note.strip():
        raise InvalidInput("请填写处理意见", {"note": ["请填写处理意见"]})
    contest.state = step.target
    contest.decided_by = by
    contest.decided_at = timezone.now()
    contest.decision_note = note.strip()
    contest.save()
    # An upheld contest takes the rating out of 满意率 and 解决率: the dashboard's summaries refresh the appeals
    # that changed, so the appeal is marked changed.
    Appeal.objects.filter(pk=contest.appeal_id).update(updated_at=timezone.now())
    record_event(
        contest.appeal,
        AppealEvent.Kind.CONTEST_DECIDED,
        by,
        note=f"{contest.get_state_display()}：{contest.decision_note}",
        data={"upheld": uphold},
    )
    return contest
