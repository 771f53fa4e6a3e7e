"""Every step of an appeal tells the people it concerns. The appeals app stays unaware: each step writes one
``AppealEvent`` in its transaction, and ``on_event`` (a post_save receiver, ``signals.py``) turns it into the
notices of ``notices.NOTICES``, in that same transaction, so a rolled-back step tells nobody.

Steps the supervision services notify themselves (督办, its answer) and the sweep's rungs are not handled here.
Who "the office" is: the dispatchers of the appeal's own region, or of the nearest enclosing region that has
any (a district case is not broadcast to every dispatcher of the city)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals.models import Appeal, AppealEvent, ClockPause, Satisfaction, Status
from qinqing.organisation.models import Department
from qinqing.supervision.notices import Kind
from qinqing.supervision.notify import notify

E = AppealEvent.Kind


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _url(appeal: Appeal) -> str:
    return f"/appeals/{appeal.number}/"


def enterprise_users(appeal: Appeal) -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.ENTERPRISE, enterprise_id=appeal.enterprise_id))


def registrant(appeal: Appeal) -> list[User]:
    """The service officer or supervisor who registered the appeal on the enterprise's behalf."""
    user = appeal.submitted_by
    return [user] if user.role in (Role.OFFICER, Role.SUPERVISOR) and user.is_active else []


def department_staff(departments: Iterable[Department]) -> list[User]:
    ids = [d.pk for d in departments]
    return list(
        User.objects.filter(is_active=True, department_id__in=ids, role__in=[Role.HANDLER, Role.DEPT_HEAD])
    )


def office(appeal: Appeal) -> list[User]:
    ids = [int(x) for x in appeal.region.path.strip("/").split("/") if x]
    found = list(User.objects.filter(is_active=True, role=Role.DISPATCHER, region_id__in=ids))
    for region_id in reversed(ids):  # the appeal's own region first, then outwards
        nearest = [u for u in found if u.region_id == region_id]
        if nearest:
            return nearest
    return []


def tell_enterprise(appeal: Appeal, kind: str, title: str, body: str, **params: str) -> None:
    """The enterprise's users in-app (and by email), its contact for this appeal by SMS; the registrant too."""
    notify(
        enterprise_users(appeal),
        kind=kind,
        title=title,
        body=body,
        appeal=appeal,
        url=_url(appeal),
        params=params,
        sms_to=appeal.contact_mobile,
    )
    agent = registrant(appeal)
    if agent:
        notify(agent, kind=kind, title=title, body=body, appeal=appeal, url=_url(appeal), channels={"email"})


def tell_departments(
    appeal: Appeal, departments: list[Department], kind: str, title: str, body: str, **params: str
) -> None:
    if departments:
        notify(
            department_staff(departments),
            kind=kind,
            title=title,
            body=body,
            appeal=appeal,
            url=_url(appeal),
            params=params,
            departments=departments,
        )


def tell_office(appeal: Appeal, kind: str, title: str, body: str) -> None:
    notify(office(appeal), kind=kind, title=title, body=body, appeal=appeal, url=_url(appeal))


def _handling(appeal: Appeal) -> list[Department]:
    """The lead department and the co-handling ones."""
    lead = [appeal.lead_department] if appeal.lead_department is not None else []
    return lead + [d for d in appeal.co_departments.all() if d.pk != appeal.lead_department_id]


def on_event(event: AppealEvent) -> None:
    handler = HANDLERS.get(event.kind)
    if handler is None:
        return
    appeal = Appeal.objects.select_related("region", "lead_department", "submitted_by").get(
        pk=event.appeal_id
    )
    handler(appeal, event)


def _assigned(appeal: Appeal, event: AppealEvent) -> None:
    lead = appeal.lead_department
    if lead is None:
        return
    co = [d for d in _handling(appeal) if d.pk != lead.pk]
    with_co = f"，协办单位：{'、'.join(d.name for d in co)}" if co else ""
    tell_enterprise(
        appeal,
        Kind.ACCEPTED,
        f"诉求已受理：{appeal.number}",
        f"“{appeal.title}”已受理，交{lead.name}办理{with_co}，办理时限至 {_day(appeal.handle_deadline)}。",
        dept=lead.name,
        date=_day(appeal.handle_deadline),
    )
    tell_departments(
        appeal,
        [lead, *co],
        Kind.ASSIGNED,
        f"新交办：{appeal.number} {appeal.title}",
        f"主办：{lead.name}{with_co}。请于 {_day(appeal.deadline)} 前签收，办理时限至 {_day(appeal.handle_deadline)}。"
        + (f"\n交办意见：{event.note}" if event.note else ""),
        date=_day(appeal.deadline),
    )


def _rejected(appeal: Appeal, event: AppealEvent) -> None:
    tell_enterprise(
        appeal,
        Kind.REJECTED,
        f"诉求不予受理：{appeal.number}",
        f"“{appeal.title}”不予受理。原因：{event.note}",
        reason=event.note,
    )


def _signed(appeal: Appeal, event: AppealEvent) -> None:
    dept = appeal.lead_department.name if appeal.lead_department else ""
    tell_enterprise(
        appeal,
        Kind.SIGNED,
        f"部门已签收：{appeal.number}",
        f"“{appeal.title}”已由{dept}签收办理。",
        dept=dept,
    )


def _returned(appeal: Appeal, event: AppealEvent) -> None:
    dept = event.data.get("department", "")
    tell_office(appeal, Kind.RETURNED, f"部门退回：{appeal.number}（{dept}）", f"退回理由：{event.note}")


def _extension_requested(appeal: Appeal, event: AppealEvent) -> None:
    days = event.data.get("days")
    tell_office(
        appeal,
        Kind.EXTENSION_REQUESTED,
        f"延期申请待审批：{appeal.number}（{days}个工作日）",
        f"{event.actor_name}申请延期 {days} 个工作日。理由：{event.note}",
    )


def _extension_decided(appeal: Appeal, event: AppealEvent) -> None:
    approved = event.kind == E.EXTENSION_APPROVED
    lead = [appeal.lead_department] if appeal.lead_department is not None else []
    verdict = "同意" if approved else "不同意"
    tell_departments(
        appeal,
        lead,
        Kind.EXTENSION_DECIDED,
        f"延期申请{verdict}：{appeal.number}",
        (f"办理时限延至 {_day(appeal.handle_deadline)}。" if approved else "")
        + (f"审批意见：{event.note}" if event.note else ""),
    )
    if approved:
        tell_enterprise(
            appeal,
            Kind.EXTENDED,
            f"办理期限已延长：{appeal.number}",
            f"“{appeal.title}”的办理期限延长至 {_day(appeal.handle_deadline)}。",
            date=_day(appeal.handle_deadline),
        )


def _note(appeal: Appeal, event: AppealEvent) -> None:
    if event.kind != E.INSTRUCTED and event.actor_role != Role.LEADER:
        return  # 办理进展 and 协办意见 are on the timeline; a leader's note is a 批示 the departments must read
    tell_departments(
        appeal,
        _handling(appeal),
        Kind.INSTRUCTION,
        f"领导批示：{appeal.number}",
        f"{event.actor_name}：{event.note}",
    )


def _paused(appeal: Appeal, event: AppealEvent) -> None:
    if event.data.get("kind") != ClockPause.Kind.ENTERPRISE:
        return
    tell_enterprise(
        appeal,
        Kind.PAUSED,
        f"请补充材料：{appeal.number}",
        f"“{appeal.title}”需要您补充材料：{event.note}\n请在诉求页面上传，补齐后恢复办理（等待期间不计办理时限）。",
        reason=event.note,
    )


def _replied(appeal: Appeal, event: AppealEvent) -> None:
    if appeal.status == Status.REVIEW:
        return  # held for 答复复核: the enterprise hears of it when it is released
    tell_enterprise(
        appeal,
        Kind.REPLIED,
        f"诉求已答复：{appeal.number}",
        f"办理结果：{appeal.reply_result}\n请在 {_day(appeal.deadline)} 前评价。",
    )


def _rated(appeal: Appeal, event: AppealEvent) -> None:
    satisfaction = Satisfaction(event.data.get("satisfaction")).label
    resolved = "已解决" if event.data.get("resolved") else "未解决"
    comment = f"\n评价意见：{event.note}" if event.note else ""
    tell_departments(
        appeal,
        _handling(appeal),
        Kind.RATED,
        f"企业评价：{appeal.number} {satisfaction}",
        f"企业评价“{satisfaction}”，{resolved}。{comment}",
    )
    if event.data.get("satisfaction") == Satisfaction.DISSATISFIED:
        tell_office(
            appeal,
            Kind.DISSATISFIED,
            f"不满意评价：{appeal.number}",
            f"企业评价“不满意”，{resolved}。{comment}",
        )


def _auto_closed(appeal: Appeal, event: AppealEvent) -> None:
    tell_enterprise(
        appeal, Kind.CLOSED, f"诉求已办结：{appeal.number}", f"“{appeal.title}”评价期满未评价，已自动办结。"
    )


def _reopened(appeal: Appeal, event: AppealEvent) -> None:
    dept = appeal.lead_department.name if appeal.lead_department else ""
    date = _day(appeal.handle_deadline)
    tell_enterprise(
        appeal,
        Kind.REOPENED,
        f"诉求已重办：{appeal.number}",
        f"“{appeal.title}”已重新交{dept}办理，办理时限至 {date}。",
        dept=dept,
        date=date,
    )
    tell_departments(
        appeal,
        _handling(appeal),
        Kind.DEPT_REOPENED,
        f"诉求重办：{appeal.number}",
        f"重办理由：{event.note}\n办理时限至 {date}。",
        date=date,
    )
    if event.actor_role == Role.ENTERPRISE:
        tell_office(
            appeal, Kind.REOPEN_REQUESTED, f"企业申请重办：{appeal.number}", f"重办理由：{event.note}"
        )


def _reassigned(appeal: Appeal, event: AppealEvent) -> None:
    lead = appeal.lead_department
    if lead is None:
        return
    tell_enterprise(
        appeal,
        Kind.REASSIGNED,
        f"诉求已改派：{appeal.number}",
        f"“{appeal.title}”已改由{lead.name}办理，办理时限至 {_day(appeal.handle_deadline)}。",
        dept=lead.name,
    )
    tell_departments(
        appeal,
        [lead],
        Kind.ASSIGNED,
        f"改派交办：{appeal.number} {appeal.title}",
        f"由{event.data.get('previous_lead', '')}改派至本单位，请于 {_day(appeal.deadline)} 前签收。改派理由：{event.note}",
        date=_day(appeal.deadline),
    )


def _reopen_declined(appeal: Appeal, event: AppealEvent) -> None:
    tell_enterprise(
        appeal,
        Kind.REOPEN_DECLINED,
        f"不予重办：{appeal.number}",
        f"您对“{appeal.title}”的不满意评价已由营商办复核，不予重办。理由：{event.note}",
        reason=event.note,
    )


def _reply_sent_back(appeal: Appeal, event: AppealEvent) -> None:
    lead = appeal.lead_department
    tell_departments(
        appeal,
        [lead] if lead else [],
        Kind.DEPT_RETURNED,
        f"答复退回重答：{appeal.number}",
        f"答复未送达企业，已退回重答。理由：{event.note}\n办理时限至 {_day(appeal.handle_deadline)}。",
    )


def _withdrawn(appeal: Appeal, event: AppealEvent) -> None:
    tell_departments(
        appeal, _handling(appeal), Kind.WITHDRAWN, f"诉求已撤回：{appeal.number}", f"撤回理由：{event.note}"
    )


HANDLERS: dict[str, Callable[[Appeal, AppealEvent], None]] = {
    E.ASSIGNED: _assigned,
    E.REJECTED: _rejected,
    E.SIGNED: _signed,
    E.RETURNED: _returned,
    E.EXTENSION_REQUESTED: _extension_requested,
    E.EXTENSION_APPROVED: _extension_decided,
    E.EXTENSION_DENIED: _extension_decided,
    E.NOTE: _note,
    E.PAUSED: _paused,
    E.REPLIED: _replied,
    E.REPLY_RELEASED: _replied,
    E.REPLY_SENT_BACK: _reply_sent_back,
    E.REASSIGNED: _reassigned,
    E.REOPEN_DECLINED: _reopen_declined,
    E.INSTRUCTED: _note,
    E.RATED: _rated,
    E.AUTO_CLOSED: _auto_closed,
    E.REOPENED: _reopened,
    E.WITHDRAWN: _withdrawn,
}
