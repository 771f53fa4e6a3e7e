"""Appeal endpoints: thin. Parse with a schema, call one selector or service, shape the answer."""

import datetime as dt
from collections.abc import Callable
from typing import Literal

from django.conf import settings
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.appeals import actions, inputs, selectors, services, workflow
from qinqing.appeals.models import Appeal, Category, ExtensionRequest
from qinqing.core.errors import NotPermitted
from qinqing.core.inputs import Day
from qinqing.enterprises.validators import mask_mobile
from qinqing.organisation.selectors import departments_in_reach

router = Router(tags=["诉求"])
revisit_router = Router(tags=["回访"])
import_router = Router(tags=["台账导入"])
reference_router = Router(tags=["基础数据"])


# ---------------------------------------------------------------- schemas


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str


class AppealRow(Schema):
    number: str
    title: str
    status: str
    status_label: str
    category: str
    channel: str
    channel_label: str
    urgency: str
    enterprise: str
    lead_department: str | None
    step: str
    deadline: dt.datetime | None
    light: str | None
    submitted_at: dt.datetime


class AppealPage(Schema):
    count: int = Field(description="总数；超过 count_cap 时为 count_cap + 1，且 count_capped 为 true")
    count_capped: bool
    count_cap: int
    page: int
    page_size: int
    items: list[AppealRow]


class EventOut(Schema):
    kind: str
    kind_label: str
    actor: str
    actor_department: str | None
    from_status: str
    to_status: str
    note: str
    data: dict
    public: bool = Field(..., description="企业是否可见")
    created_at: dt.datetime


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    state: str
    decision_note: str
    created_at: dt.datetime
    actions: list[str] = Field([], description="当前用户可执行的操作（approve / deny）")


class PauseOut(Schema):
    kind: str
    reason: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    working_days: int


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: dt.datetime


class AppealDetail(AppealRow):
    content: str
    urgency_label: str
    contact_name: str
    contact_mobile: str
    co_departments: list[str]
    handle_deadline: dt.datetime | None
    reply_measures: str
    reply_result: str
    satisfaction: str
    resolved: bool | None
    auto_closed: bool
    reopen_count: int
    merged_into: str | None
    imported: bool = Field(False, description="由台账导入（日期和状态取自台账）")
    actions: list[str]
    events: list[EventOut]
    extensions: list[ExtensionOut]
    pauses: list[PauseOut]
    attachments: list[AttachmentOut]


class SubmitOut(Schema):
    number: str
    created: bool
    status: str
    deadline: dt.datetime | None


class FilterParams(Schema):
    status: str = ""
    category: int | None = None
    channel: str = ""
    department: int | None = None
    light: Literal["", "green", "yellow", "red"] = ""
    date_from: Day | None = None
    date_to: Day | None = None
    q: str = Field("", max_length=100)
    review: Literal["", "pending", "reopened", "declined"] = Field(
        "", description="不满意复核：pending 待复核"
    )
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class AssignmentSuggestionOut(Schema):
    lead: DepartmentOut | None
    co: list[DepartmentOut]
    handle_days: int
    matters: str


# ---------------------------------------------------------------- shaping


def _row(appeal: Appeal) -> dict:
    return {
        "number": appeal.number,
        "title": appeal.title,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "category": appeal.category.name,
        "channel": appeal.channel,
        "channel_label": appeal.get_channel_display(),
        "urgency": appeal.urgency,
        "enterprise": appeal.enterprise.name,
        "lead_department": appeal.lead_department.name if appeal.lead_department is not None else None,
        "step": appeal.step,
        "deadline": appeal.deadline,
        "light": appeal.light(),
        "submitted_at": appeal.submitted_at,
    }


def _events(user, appeal: Appeal) -> list[dict]:
    return [
        {
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "actor": e.actor_name,
            "actor_department": e.actor_department.name if e.actor_department is not None else None,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
            "data": e.data,
            "public": e.is_public,
            "created_at": e.created_at,
        }
        for e in selectors.timeline(user, appeal)
    ]


def _attachment(a) -> dict:
    return {"id": a.pk, "name": a.original_name, "size": a.size, "uploaded_at": a.uploaded_at}


def _extension(x: ExtensionRequest, appeal: Appeal, user) -> dict:
    x.appeal = appeal
    return {
        "id": x.pk,
        "days": x.days,
        "reason": x.reason,
        "state": x.state,
        "decision_note": x.decision_note,
        "created_at": x.created_at,
        "actions": [a.name for a in workflow.EXTENSIONS.available(x, user)],
    }


def _detail(appeal: Appeal, user) -> dict:
    data = _row(appeal)
    data.update(
        content=appeal.content,
        urgency_label=appeal.get_urgency_display(),
        contact_name=appeal.contact_name,
        contact_mobile=(
            appeal.contact_mobile
            if workflow.may_see_contact(appeal, user)
            else mask_mobile(appeal.contact_mobile)
        ),
        co_departments=[d.name for d in appeal.co_departments.all()],
        handle_deadline=appeal.handle_deadline,
        # A reply waiting for review (答复复核) or sent back is not the enterprise's to read yet.
        reply_measures=appeal.reply_measures if _reply_shown(user, appeal) else "",
        reply_result=appeal.reply_result if _reply_shown(user, appeal) else "",
        satisfaction=appeal.satisfaction,
        resolved=appeal.resolved,
        auto_closed=appeal.auto_closed,
        reopen_count=appeal.reopen_count,
        merged_into=appeal.merged_into.number if appeal.merged_into is not None else None,
        imported=appeal.import_batch_id is not None,
        actions=[a.name for a in workflow.available_actions(appeal, user)],
        events=_events(user, appeal),
        # Extension requests and decisions are internal: the enterprise sees the deadline they produce.
        extensions=[_extension(x, appeal, user) for x in appeal.extensions.all()]
        if selectors.sees_internal(user, appeal)
        else [],
        pauses=list(appeal.pauses.all()),
        attachments=[_attachment(a) for a in appeal.attachments.all()],
    )
    return data


def _reply_shown(user, appeal: Appeal) -> bool:
    return selectors.sees_internal(user, appeal) or appeal.status not in (
        "review",
        "in_progress",
    )  # held, or sent back


def _appeal(request, number: str) -> Appeal:
    return selectors.get_visible_appeal(request.auth, number)


def _detail_response(request, number: str) -> dict:
    return _detail(_appeal(request, number), request.auth)


# ---------------------------------------------------------------- endpoints


@router.get("", response=AppealPage, summary="诉求列表（按权限范围）")
def list_appeals(request, filters: Query[FilterParams]):
    f = selectors.AppealFilters(
        status=filters.status,
        category=filters.category,
        channel=filters.channel,
        department=filters.department,
        light=filters.light,
        date_from=filters.date_from,
        date_to=filters.date_to,
        q=filters.q,
        review=filters.review,
    )
    qs = selectors.list_appeals(request.auth, f)
    count = selectors.capped_count(qs, selectors.LIST_COUNT_CAP)
    start = (filters.page - 1) * filters.page_size
    items = [_row(a) for a in qs[start : start + filters.page_size]]
    return {
        "count": count,
        "count_capped": count > selectors.LIST_COUNT_CAP,
        "count_cap": selectors.LIST_COUNT_CAP,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": items,
    }


@router.post("", response={201: SubmitOut, 200: SubmitOut}, summary="提交诉求（企业）或代为登记（营商办）")
def submit(request, payload: inputs.SubmitIn):
    key = request.headers.get("Idempotency-Key") or None
    appeal, created = actions.submit(request.auth, payload, idempotency_key=key)
    body = {"number": appeal.number, "created": created, "status": appeal.status, "deadline": appeal.deadline}
    return Status(201 if created else 200, body)


@router.get("/{number}", response=AppealDetail, summary="诉求详情（含流转记录）")
def detail(request, number: str):
    return _detail_response(request, number)


@router.get("/{number}/events", response=list[EventOut], summary="流转记录")
def events(request, number: str):
    # The timeline alone: no need to build the whole detail (actions, extensions, attachments).
    return _events(request.auth, _appeal(request, number))


@router.get("/{number}/suggestion", response=AssignmentSuggestionOut, summary="按职责清单建议主办、协办单位")
def suggestion(request, number: str):
    appeal = _appeal(request, number)
    if workflow.OFFICE not in workflow.parties(appeal, request.auth):
        raise NotPermitted("只有营商办可以查看分派建议")
    entry = services.suggest_assignment(appeal.region, appeal.category)
    handle_days = services.time_limit("handle", appeal.category, appeal.urgency)
    if entry is None:
        return {"lead": None, "co": [], "handle_days": handle_days, "matters": ""}
    return {
        "lead": entry.lead_department,
        "co": list(entry.co_departments.all()),
        "handle_days": handle_days,
        "matters": entry.matters,
    }


def _act(request, number: str, name: str, data=None, files=()):
    """One action through the same table as the pages (actions.perform); answers the appeal afterwards."""
    appeal = _appeal(request, number)
    result = actions.perform(
        name,
        appeal=appeal,
        by=request.auth,
        data=data,
        files=files,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    return appeal, result


def _answer(request, appeal: Appeal) -> dict:
    return _detail(selectors.get_appeal_after_action(request.auth, appeal), request.auth)


def _register(row: actions.ActionInput) -> None:
    """An endpoint per action of the table: POST /{number}/<path>, answering the appeal's detail."""
    endpoint: Callable[..., dict]
    if row.schema is None:

        def plain(request, number: str):
            return _answer(request, _act(request, number, row.name)[0])

        endpoint = plain
    else:

        def with_payload(request, number: str, payload: row.schema):  # type: ignore[name-defined]  # the schema comes from the table; ninja reads the annotation
            return _answer(request, _act(request, number, row.name, payload)[0])

        endpoint = with_payload

    router.post(
        f"/{{number}}/{row.path}",
        response=AppealDetail,
        summary=row.summary,
        operation_id=f"appeal_{row.name}",
    )(endpoint)


for _row_ in actions.INPUTS.values():
    if _row_.generated:
        _register(_row_)


@router.post("/{number}/extensions", response={201: ExtensionOut}, summary="申请延期")
def request_extension(request, number: str, payload: inputs.ExtensionIn):
    return Status(201, _act(request, number, "request_extension", payload)[1])


@router.post("/{number}/extensions/{extension_id}/decision", response=AppealDetail, summary="审批延期")
def decide_extension(request, number: str, extension_id: int, payload: inputs.DecisionIn):
    data = inputs.ExtensionDecisionIn(extension=extension_id, **payload.dict())
    return _answer(request, _act(request, number, "decide_extension", data)[0])


class RevealedContactOut(Schema):
    contact_name: str
    contact_mobile: str


@router.post("/{number}/contact", response=RevealedContactOut, summary="查看完整联系电话（记入安全审计）")
def contact(request, number: str):
    appeal = selectors.get_visible_appeal(request.auth, number)
    name, mobile = services.reveal_contact(appeal=appeal, by=request.auth, request=request)
    return {"contact_name": name, "contact_mobile": mobile}


@router.post("/{number}/attachments", response={201: list[AttachmentOut]}, summary="上传附件")
def upload(request, number: str, files: list[UploadedFile] | None = File(None)):  # noqa: B008 - ninja's declaration style
    # No files is the service's refusal, worded as on the page.
    appeal, saved = _act(request, number, "attach", files=files or [])
    if saved is None:  # a retry of an upload that was stored: the files this user attached
        saved = list(appeal.attachments.filter(uploaded_by=request.auth))
    return Status(201, [_attachment(a) for a in saved])


@reference_router.get("categories", response=list[CategoryOut], summary="诉求类别")
def categories(request):
    return Category.objects.filter(active=True)


@reference_router.get("departments", response=list[DepartmentOut], summary="可分派的部门（营商办）")
def departments(request):
    user = request.auth
    if user.role not in (Role.DISPATCHER, Role.LEADER):
        raise NotPermitted("只有营商办和领导可以查看部门列表")
    return departments_in_reach(user.region)


class MeOut(Schema):
    username: str
    name: str
    role: str
    role_label: str
    region: str | None
    department: str | None
    enterprise: str | None
    page_size: int


@reference_router.get("me", response=MeOut, summary="当前用户")
def me(request):
    u = request.auth
    return {
        "username": u.username,
        "name": u.display_name,
        "role": u.role,
        "role_label": u.get_role_display(),
        "region": u.region.name if u.region_id else None,
        "department": u.department.name if u.department_id else None,
        "enterprise": u.enterprise.name if u.enterprise_id else None,
        "page_size": settings.QINQING_PAGE_SIZE,
    }


# ---------------------------------------------------------------- 回访 and 台账导入


class RevisitOut(Schema):
    id: int
    appeal: str
    state: str
    method: str
    reached: bool | None
    satisfaction: str
    resolved: bool | None
    comments: str
    reopened: bool
    done_at: dt.datetime | None
    created_at: dt.datetime


class RevisitSampleOut(Schema):
    id: int
    date_from: dt.date
    date_to: dt.date
    percent: int
    eligible: int
    picked: int
    appeals: list[str]


class ImportOut(Schema):
    id: int
    file_name: str
    rows: int
    appeals: list[str]


def _revisit(r) -> dict:
    return {
        "id": r.pk,
        "appeal": r.appeal.number,
        "state": r.state,
        "method": r.method,
        "reached": r.reached,
        "satisfaction": r.satisfaction,
        "resolved": r.resolved,
        "comments": r.comments,
        "reopened": r.reopened,
        "done_at": r.done_at,
        "created_at": r.created_at,
    }


@revisit_router.get("", response=list[RevisitOut], summary="回访记录（营商办、领导：本区划）")
def list_revisits(
    request,
    state: Literal["", "planned", "done"] = "",
    page: int = Query(1, ge=1),  # noqa: B008 - ninja's declaration style
):
    qs = selectors.revisits_visible_to(request.auth)
    if state:
        qs = qs.filter(state=state)
    size = 100
    return [_revisit(r) for r in qs.order_by("-created_at", "-id")[(page - 1) * size : page * size]]


@revisit_router.post(
    "/sample", response={201: RevisitSampleOut}, summary="抽样回访（按办结期间抽取比例，100 为全部）"
)
def sample_revisits(request, payload: inputs.RevisitSampleIn):
    sample = actions.sample_revisits(request.auth, payload)
    numbers = list(sample.revisits.order_by("appeal__number").values_list("appeal__number", flat=True))
    return Status(
        201,
        {
            "id": sample.pk,
            "date_from": sample.date_from,
            "date_to": sample.date_to,
            "percent": sample.percent,
            "eligible": sample.eligible,
            "picked": sample.picked,
            "appeals": numbers,
        },
    )


class ImportRow(Schema):
    id: int
    file_name: str
    rows: int
    created_at: dt.datetime


@import_router.get("", response=list[ImportRow], summary="台账导入记录（营商办、领导：本区划）")
def list_imports(request):
    return list(selectors.imports_visible_to(request.auth).order_by("-created_at")[:100])


@import_router.post(
    "",
    response={201: ImportOut},
    summary="导入诉求台账（营商办，.xlsx，按模板；有错误时逐行列出，一件不导入）",
)
def import_ledger(request, file: UploadedFile | None = File(None)):  # noqa: B008 - ninja's declaration style
    batch = actions.import_ledger(request.auth, file)
    numbers = list(batch.appeals.order_by("number").values_list("number", flat=True))
    return Status(201, {"id": batch.pk, "file_name": batch.file_name, "rows": batch.rows, "appeals": numbers})
