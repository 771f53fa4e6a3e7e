"""Supervision endpoints: notifications, deadline warnings, supervision orders (督办)."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.core.inputs import Day
from qinqing.supervision import actions, inputs, services, workflow
from qinqing.supervision import selectors as supervision_selectors

router = Router(tags=["督查督办"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


@router.get("/notifications", response=list[NotificationOut], summary="我的消息")
def notifications(request, unread: bool = False, limit: int = Query(50, ge=1, le=500)):
    qs = supervision_selectors.notifications_for(request.auth, unread=unread)
    return [
        NotificationOut(
            id=n.pk,
            kind=n.kind,
            kind_label=n.get_kind_display(),
            title=n.title,
            body=n.body,
            url=n.url,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in qs[:limit]
    ]


class ReadOut(Schema):
    marked: int
    unread: int


@router.post("/notifications/read", response=ReadOut, summary="标为已读")
def read(request, payload: inputs.ReadIn):
    return {
        "marked": services.mark_read(request.auth, payload.ids),
        "unread": services.unread_count(request.auth),
    }


class DeliveryOut(Schema):
    channel: str
    channel_label: str
    address: str = Field(..., description="已脱敏的地址")
    status: str
    status_label: str
    attempts: int
    request_id: str
    answer_code: str
    answer: str
    sent_at: dt.datetime | None
    last_attempt_at: dt.datetime | None


class NotificationDetailOut(NotificationOut):
    deliveries: list[DeliveryOut]


@router.get("/notifications/{notification_id}", response=NotificationDetailOut, summary="消息及其发送记录")
def notification(request, notification_id: int):
    n = supervision_selectors.notification_of(request.auth, notification_id)
    if n is None:
        raise NotVisible("未找到该消息")
    return NotificationDetailOut(
        id=n.pk,
        kind=n.kind,
        kind_label=n.get_kind_display(),
        title=n.title,
        body=n.body,
        url=n.url,
        created_at=n.created_at,
        read=n.read_at is not None,
        deliveries=[
            DeliveryOut(
                channel=d.channel,
                channel_label=d.get_channel_display(),
                address=d.masked_address,
                status=d.status,
                status_label=d.get_status_display(),
                attempts=d.attempts,
                request_id=d.request_id,
                answer_code=d.answer_code,
                answer=d.answer,
                sent_at=d.sent_at,
                last_attempt_at=d.last_attempt_at,
            )
            for d in n.deliveries.all()
        ],
    )


class PreferenceChannelOut(Schema):
    channel: str
    label: str
    key: str
    enabled: bool


class PreferenceOut(Schema):
    kind: str
    label: str
    concerns: str
    mandatory: bool
    reason: str
    channels: list[PreferenceChannelOut]


@router.get("/notification-preferences", response=list[PreferenceOut], summary="消息设置")
def preferences(request):
    return supervision_selectors.preferences_of(request.auth)


@router.post("/notification-preferences", response=list[PreferenceOut], summary="保存消息设置")
def set_preferences(request, payload: inputs.PreferencesIn):
    services.set_preferences(request.auth, payload.enabled)
    return supervision_selectors.preferences_of(request.auth)


class AlertOut(Schema):
    number: str
    title: str
    step: str
    rung: str
    rung_label: str
    deadline: dt.datetime
    department: str | None
    created_at: dt.datetime


@router.get("/warnings", response=list[AlertOut], summary="时限预警、催办与通报记录（本人可见范围）")
def warnings(request, rung: str | None = None, limit: int = Query(100, ge=1, le=1000)):
    qs = supervision_selectors.alerts_visible_to(request.auth).order_by("-created_at")
    if rung:
        qs = qs.filter(rung=rung)
    return [
        AlertOut(
            number=a.appeal.number,
            title=a.appeal.title,
            step=a.step,
            rung=a.rung,
            rung_label=a.get_rung_display(),
            deadline=a.deadline,
            department=a.department.name if a.department else None,
            created_at=a.created_at,
        )
        for a in qs[:limit]
    ]


class OrderOut(Schema):
    id: int
    department: str
    appeals: list[str]
    content: str
    respond_by: dt.date
    state: str
    light: str | None
    answer: str
    actions: list[str] = Field([], description="当前用户可执行的操作（answer）")


def _out(order, user=None) -> OrderOut:
    return OrderOut(
        id=order.pk,
        department=order.department.name,
        appeals=[a.number for a in sorted(order.appeals.all(), key=lambda a: a.pk)],  # prefetched in lists
        content=order.content,
        respond_by=order.respond_by,
        state=order.state,
        light=order.light(),
        answer=order.answer,
        actions=[a.name for a in workflow.ORDERS.available(order, user)] if user else [],
    )


@router.get("/orders", response=list[OrderOut], summary="督办单")
def orders(request, state: str | None = None, limit: int = Query(100, ge=1, le=1000)):
    qs = supervision_selectors.orders_visible_to(request.auth).prefetch_related("appeals")
    if state:
        qs = qs.filter(state=state)
    return [_out(o, request.auth) for o in qs[:limit]]


@router.post("/orders", response={201: OrderOut}, summary="发出督办")
def create_order(request, payload: inputs.OrderIn):
    return Status(201, _out(actions.issue(request.auth, payload), request.auth))


@router.post("/orders/{order_id}/answer", response=OrderOut, summary="回复督办")
def answer(request, order_id: int, payload: inputs.AnswerIn):
    return _out(actions.answer(request.auth, order_id, payload), request.auth)


class EvaluationRow(Schema):
    rank: int
    department_id: int
    department: str
    grade: str
    score: float | None
    received: int
    sign_on_time_rate: float | None
    close_on_time_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    avg_handle_days: float | None
    return_rate: float | None
    extension_rate: float | None
    reopen_rate: float | None
    open: int
    overdue: int
    escalations: int
    extras: dict = Field(default_factory=dict, description="其他模块提供的列，如抽查得分 spot_check_score")


@router.get("/evaluation", response=list[EvaluationRow], summary="部门考评（任意期间；本人管辖区划）")
def evaluation(request, start: Day, end: Day, difficulty: int | None = Query(None, ge=1, le=3)):
    from qinqing.accounts.models import Role
    from qinqing.core.errors import NotPermitted
    from qinqing.supervision.evaluation import evaluate

    user = request.auth
    if user.role not in (Role.DISPATCHER, Role.LEADER) or not user.region_id:
        raise NotPermitted("只有营商办调度员或领导可以查看部门考评")
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期", {"start": ["开始日期不能晚于结束日期"]})
    return [
        EvaluationRow(
            rank=i,
            department_id=r.department.pk,
            department=r.department.name,
            grade=r.grade,
            score=r.score,
            received=r.received,
            sign_on_time_rate=r.rates["sign"],
            close_on_time_rate=r.rates["on_time"],
            resolution_rate=r.rates["resolution"],
            satisfaction_rate=r.rates["satisfaction"],
            avg_handle_days=r.avg_handle_days,
            return_rate=r.rates["return"],
            extension_rate=r.rates["extension"],
            reopen_rate=r.rates["reopen"],
            open=r.open,
            overdue=r.overdue,
            escalations=r.escalations,
            extras=r.extras,
        )
        for i, r in enumerate(evaluate(user.region, start, end, difficulty=difficulty), start=1)
    ]


class ContestOut(Schema):
    appeal: str
    state: str


@router.post("/appeals/{number}/contest", response={201: ContestOut}, summary="主办单位对评价提出申诉")
def contest(request, number: str, payload: inputs.ContestIn):
    item = actions.contest(request.auth, number, payload)
    return Status(201, {"appeal": item.appeal.number, "state": item.state})


@router.post("/appeals/{number}/contest/decision", response=ContestOut, summary="营商办处理评价申诉")
def decide(request, number: str, payload: inputs.DecideIn):
    item = actions.decide(request.auth, number, payload)
    return {"appeal": item.appeal.number, "state": item.state}
