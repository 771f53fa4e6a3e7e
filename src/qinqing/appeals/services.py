"""Every change to an appeal is one function here, one transaction, one immutable event.

Each function takes the appeal row lock first (select_for_update), then checks the workflow table
against the locked row: two people acting on one appeal at once are serialised, and the second one
sees the state the first one left and is refused if its action no longer applies.

Why one module of ~850 lines: it is the appeal's state machine in code, one function per row of
``workflow.ACTIONS`` in the table's order, sharing the lock-check-record helpers at the top (``_lock``,
``_begin``, ``_record``, ``_set_step``); reading a transition next to its neighbours is how it is reviewed.
Split it by lifecycle stage (intake / handling / closing) when it passes ~1,000 lines.
"""

import datetime as dt
import os
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.scope import region_of
from qinqing.appeals import workflow
from qinqing.appeals.models import (
    PUBLIC_KINDS,
    Appeal,
    AppealEvent,
    Attachment,
    Category,
    Channel,
    ClockPause,
    Difficulty,
    ExtensionRequest,
    ResponsibilityCatalogue,
    Review,
    Satisfaction,
    Status,
    Step,
    TimeLimit,
    Urgency,
)
from qinqing.core import numbering, workcalendar
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from qinqing.core.files import check_for_viruses, content_matches
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.validators import validate_mobile
from qinqing.organisation import selectors as organisation_selectors
from qinqing.organisation.models import Department, Region
from qinqing.organisation.selectors import departments_in_reach

Kind = AppealEvent.Kind
MAX_EXTENSION_DAYS = 30
MAX_HANDLE_DAYS = 90

DEFAULT_LIMITS = {Step.TRIAGE: 1, Step.SIGN: 1, Step.HANDLE: 10, Step.RATE: 5}


# ---------------------------------------------------------------- reference look-ups


_LIMITS_KEY = "qinqing:time-limits"


def _limit_rows() -> list[tuple[str, int | None, str, int]]:
    return list(TimeLimit.objects.values_list("step", "category_id", "urgency", "working_days"))


def invalidate_time_limits() -> None:
    cache.delete(_LIMITS_KEY)


_CATEGORIES_KEY = "qinqing:categories"


def category_by_code(code: str) -> Category | None:
    """A category by its code, active or not. Reference data read on every intake: cached per process for a
    minute like the time limits; an edit in admin clears the editing process's copy at once (signals.py)."""
    # Plain rows, not instances: the process-local cache pickles, and unpickling models costs more than a query.
    names = [f.attname for f in Category._meta.concrete_fields]
    at = names.index("code")
    rows = (
        cache.get_or_set(
            _CATEGORIES_KEY, lambda: {r[at]: r for r in Category.objects.values_list(*names)}, 60
        )
        or {}
    )
    row = rows.get(code)
    return Category.from_db(Category.objects.db, names, row) if row else None


def invalidate_categories() -> None:
    cache.delete(_CATEGORIES_KEY)


def time_limit(step: str, category: Category | None, urgency: str) -> int:
    """Working days for `step`; the most specific TimeLimit row wins (see TimeLimit).

    The table is small and read on every intake and assignment, so each process caches it for a minute;
    an edit in admin clears the editing process's copy at once (signals.py)."""
    rows = cache.get_or_set(_LIMITS_KEY, _limit_rows, 60) or []
    category_id = category.pk if category else None
    best: tuple[int, int] | None = None
    for row_step, row_category, row_urgency, days in rows:
        if row_step != step or row_category not in (None, category_id) or row_urgency not in ("", urgency):
            continue
        rank = (2 if row_category else 0) + (1 if row_urgency else 0)
        if best is None or rank > best[0]:
            best = (rank, days)
    return best[1] if best else DEFAULT_LIMITS[Step(step)]


def suggest_assignment(region: Region, category: Category) -> ResponsibilityCatalogue | None:
    """The 职责清单 entry of the nearest region enclosing `region` (the region itself first)."""
    ancestor_ids = organisation_selectors.ancestor_ids(region)
    entries = {
        e.region_id: e
        for e in ResponsibilityCatalogue.objects.filter(region_id__in=ancestor_ids, category=category)
        .select_related("lead_department")
        .prefetch_related("co_departments")
    }
    for region_id in reversed(ancestor_ids):
        if region_id in entries:
            return entries[region_id]
    return None


# ---------------------------------------------------------------- helpers


def _missing(**fields: str) -> dict[str, list[str]]:
    labels = {
        "title": "标题",
        "content": "诉求内容",
        "reason": "理由",
        "measures": "采取的措施",
        "result": "办理结果",
        "note": "说明",
        "contact_name": "联系人",
    }
    return {
        name: [f"请填写{labels.get(name, name)}"]
        for name, value in fields.items()
        if not (value or "").strip()
    }


def _required(**fields: str) -> None:
    errors = _missing(**fields)
    if errors:
        raise InvalidInput("请完整填写必填项", errors)


def _record(appeal: Appeal, kind: str, by: User | None, **fields) -> AppealEvent:
    """Save the event of a step; `fields` (from_status, note, data) as for ``_event``."""
    event = _event(appeal, kind, by, **fields)
    event.save(force_insert=True)
    return event


def _event(
    appeal: Appeal,
    kind: str,
    by: User | None,
    *,
    from_status: str = "",
    note: str = "",
    data: dict | None = None,
    public: bool | None = None,
) -> AppealEvent:
    """The unsaved event row of a step; whether the enterprise sees it follows ``PUBLIC_KINDS`` unless given."""
    return AppealEvent(
        appeal=appeal,
        kind=kind,
        actor=by,
        actor_name=by.display_name if by else "系统",
        actor_role=by.role if by else "system",
        actor_department_id=by.department_id if by else None,
        from_status=from_status,
        to_status=appeal.status,
        note=note,
        data=data or {},
        public=kind in PUBLIC_KINDS if public is None else public,
        created_at=timezone.now(),
    )


def record_event(
    appeal: Appeal, kind: str, by: User | None, *, note: str = "", data: dict | None = None
) -> AppealEvent:
    """An event that does not change the appeal's state (warnings, reminders, supervision): for other apps."""
    return _record(appeal, kind, by, from_status=appeal.status, note=note, data=data)


def _lock(appeal: Appeal) -> Appeal:
    # of=("self",): lock only the appeal row (PostgreSQL refuses FOR UPDATE on the nullable side of a join).
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "category")
        .get(pk=appeal.pk)
    )


def _begin_step(appeal: Appeal, action: str, by: User | None) -> Appeal:
    """``_begin`` for an action the system may take too (no user: the ``SYSTEM`` party)."""
    if by is not None:
        return _begin(appeal, action, by)
    locked = _lock(appeal)
    failure = workflow.guard_failure(locked, action, None)
    if failure:
        raise TransitionNotAllowed(failure)
    return locked


def _begin(appeal: Appeal, action: str, by: User) -> Appeal:
    """Lock the appeal and check that `by` may do `action` to it in its current state."""
    locked = _lock(appeal)
    found = workflow.parties(locked, by)
    if not found:
        raise NotVisible()
    failure = workflow.guard_failure(locked, action, by, found)
    if failure:
        if not found & workflow.ACTIONS[action].parties:
            raise NotPermitted(failure)
        raise TransitionNotAllowed(failure)
    return locked


def _set_step(appeal: Appeal, step: str, deadline: dt.datetime | None, days: int) -> None:
    appeal.step = step
    appeal.deadline = deadline
    if step == Step.SIGN:
        appeal.sign_deadline = deadline
    appeal.step_days = days
    appeal.yellow_at = workcalendar.yellow_from(deadline, days) if deadline else None


def _handle_deadline(appeal: Appeal) -> dt.datetime:
    """The handling deadline, which assignment sets; the steps that read it (reply, extension, resume) come after."""
    if appeal.handle_deadline is None:
        raise TransitionNotAllowed("该诉求尚未交办，没有办理时限")
    return appeal.handle_deadline


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _validate_attachment(upload: UploadedFile) -> None:
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if ext not in settings.ATTACHMENT_EXTENSIONS:
        allowed = "、".join(settings.ATTACHMENT_EXTENSIONS)
        raise InvalidInput(
            "附件类型不允许", {"attachments": [f"不支持 .{ext or '无扩展名'} 文件，允许的类型：{allowed}"]}
        )
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise InvalidInput("附件过大", {"attachments": [f"“{upload.name}”超过 {limit_mb} MB 的上限"]})
    if not content_matches(upload, ext):
        raise InvalidInput(
            "附件内容与类型不符",
            {"attachments": [f"“{upload.name}”的内容不是 .{ext} 文件，请检查后重新上传"]},
        )
    check_for_viruses(upload)


def _validate_attachments(uploads: Sequence[UploadedFile]) -> None:
    """Each file, and the request as a whole: at most ATTACHMENT_MAX_FILES files, ATTACHMENT_MAX_TOTAL_MB in all."""
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            "附件过多", {"attachments": [f"一次最多上传 {settings.ATTACHMENT_MAX_FILES} 个附件"]}
        )
    if sum(u.size or 0 for u in uploads) > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024)
        raise InvalidInput("附件总量过大", {"attachments": [f"一次上传的附件合计不能超过 {limit_mb} MB"]})
    for upload in uploads:
        _validate_attachment(upload)


def validate_attachments(uploads: Sequence[UploadedFile]) -> None:
    """The same checks for another app's uploads (policy application materials, payment vouchers): count, size,
    type by content, virus scan (``core.files``); field errors under ``attachments``."""
    _validate_attachments(uploads)


def _store_attachments(appeal: Appeal, by: User, files: Sequence[UploadedFile]) -> list[Attachment]:
    saved = []
    for upload in files:
        saved.append(
            Attachment.objects.create(
                appeal=appeal,
                file=upload,
                original_name=(upload.name or "")[:200],
                size=upload.size or 0,
                uploaded_by=by,
            )
        )
    return saved


# ---------------------------------------------------------------- intake


def submit_appeal(
    *,
    by: User,
    title: str,
    content: str,
    category: Category,
    enterprise: Enterprise | None = None,
    urgency: str = Urgency.NORMAL,
    channel: str = Channel.ONLINE,
    contact_name: str = "",
    contact_mobile: str = "",
    idempotency_key: str | None = None,
    attachments: Sequence[UploadedFile] = (),
    agent_checked: bool = False,
) -> tuple[Appeal, bool]:
    """Register an appeal. Returns (appeal, created); a repeated idempotency key returns the first one.

    An enterprise user submits for its own enterprise through the online channel; a dispatcher registers
    one on an enterprise's behalf with the channel it came through. A service officer or supervisor
    registers through the fieldwork services, which check their relation to the enterprise first and say
    so with ``agent_checked``.
    """
    if idempotency_key:
        existing = Appeal.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
        if existing:
            return existing, False

    if by.role == Role.ENTERPRISE:
        if not by.enterprise_id:
            raise NotPermitted("您的账号未关联企业，请联系营商办")
        if enterprise is not None and enterprise.pk != by.enterprise_id:
            raise InvalidInput("只能为本企业提交诉求", {"enterprise": ["只能为本企业提交诉求"]})
        # The enterprise and whom to call at it, in one query.
        enterprise = Enterprise.objects.with_primary_contact(by.enterprise_id)
        channel = Channel.ONLINE
    elif by.role == Role.DISPATCHER:
        if enterprise is None:
            raise InvalidInput("请选择企业", {"enterprise": ["请选择代为登记的企业"]})
        if not enterprise.region.is_within(region_of(by)):
            raise InvalidInput("该企业不在您的管辖区划内", {"enterprise": ["该企业不在您的管辖区划内"]})
    elif by.role in (Role.OFFICER, Role.SUPERVISOR) and agent_checked:
        if enterprise is None:
            raise InvalidInput("请选择企业", {"enterprise": ["请选择代为登记的企业"]})
    else:
        raise NotPermitted("只有企业用户或营商办调度员可以登记诉求")

    errors = _missing(title=title, content=content)
    if len(title.strip()) > 100:
        errors["title"] = ["标题不能超过100个字"]
    if len(content) > 5000:
        errors["content"] = ["诉求内容不能超过5000个字"]
    if not category.active:
        errors["category"] = ["该类别已停用，请选择其他类别"]
    if urgency not in Urgency.values:
        errors["urgency"] = ["紧急程度不正确"]
    if channel not in Channel.values:
        errors["channel"] = ["来源渠道不正确"]
    if not contact_name.strip() or not contact_mobile:
        primary_name, primary_mobile = enterprise.primary_contact()
        contact_name = contact_name.strip() or primary_name
        contact_mobile = contact_mobile or primary_mobile
    if not contact_name:
        errors["contact_name"] = ["请填写联系人"]
    try:
        validate_mobile(contact_mobile)
    except ValidationError as exc:
        errors["contact_mobile"] = list(exc.messages)
    if errors:
        raise InvalidInput("提交内容有误，请修改后重试", errors)
    _validate_attachments(attachments)

    now = timezone.now()
    triage_days = time_limit(Step.TRIAGE, category, urgency)
    try:
        with transaction.atomic():
            appeal = Appeal(
                title=title.strip(),
                content=content.strip(),
                category=category,
                urgency=urgency,
                channel=channel,
                enterprise=enterprise,
                region_id=enterprise.region_id,
                submitted_by=by,
                contact_name=contact_name,
                contact_mobile=contact_mobile,
                idempotency_key=idempotency_key or None,
                submitted_at=now,
            )
            _set_step(appeal, Step.TRIAGE, workcalendar.deadline_after(now, triage_days), triage_days)
            data = {"channel": channel, "deadline": _iso(appeal.deadline)}
            if by.role != Role.ENTERPRISE:
                data["on_behalf_of"] = enterprise.name
            # The number last before the inserts: its counter row stays locked until commit, so it is held
            # for two INSERTs, and a failure anywhere rolls it back with the rest (gap-free).
            appeal.number = numbering.next_number("QQ", workcalendar.local_date(now))
            appeal.save(force_insert=True)
            _record(appeal, Kind.SUBMITTED, by, note="", data=data)
            _store_attachments(appeal, by, attachments)
    except IntegrityError:
        # A concurrent request with the same idempotency key won the race; answer with its appeal.
        if idempotency_key:
            existing = Appeal.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
            if existing:
                return existing, False
        raise
    return appeal, True


# ---------------------------------------------------------------- triage


@transaction.atomic
def assign_appeal(
    *,
    appeal: Appeal,
    by: User,
    lead: Department,
    co: Iterable[Department] = (),
    handle_days: int | None = None,
    note: str = "",
    difficulty: int | None = None,
) -> Appeal:
    """受理并分派: lead + co-handling departments. Handling time runs from now, so a slow signature
    eats into it; signing has its own, shorter limit."""
    appeal = _begin(appeal, "assign", by)
    co = [d for d in co if d.pk != lead.pk]
    errors: dict[str, list[str]] = {}
    # Lead and co-handling departments must be in the dispatcher's reach: active, not an office, in its region
    # or above it (a city-level bureau for a district case). The same list the page offers.
    reach = set(
        departments_in_reach(region_of(by))
        .filter(pk__in=[lead.pk, *(d.pk for d in co)])
        .values_list("pk", flat=True)
    )
    if lead.pk not in reach:
        errors["lead"] = ["主办单位不在本区划范围内或已停用"]
    for d in co:
        if d.pk not in reach:
            errors.setdefault("co", []).append(f"“{d}”不在本区划范围内或已停用")
    if handle_days is not None and not (1 <= handle_days <= MAX_HANDLE_DAYS):
        errors["handle_days"] = [f"办理时限应为1至{MAX_HANDLE_DAYS}个工作日"]
    if difficulty is not None and difficulty not in Difficulty.values:
        errors["difficulty"] = ["难度应为普通、较难或疑难"]
    if errors:
        raise InvalidInput("分派信息有误", errors)

    now = timezone.now()
    from_status = appeal.status
    handle_days = handle_days or time_limit(Step.HANDLE, appeal.category, appeal.urgency)
    sign_days = time_limit(Step.SIGN, appeal.category, appeal.urgency)
    appeal.status = Status.ASSIGNED
    appeal.lead_department = lead
    appeal.assigned_at = now
    if difficulty is not None:
        appeal.difficulty = difficulty
    appeal.handle_days = handle_days
    appeal.handle_deadline = workcalendar.deadline_after(now, handle_days)
    _set_step(appeal, Step.SIGN, workcalendar.deadline_after(now, sign_days), sign_days)
    appeal.save()
    appeal.co_departments.set(co)
    _record(
        appeal,
        Kind.ASSIGNED,
        by,
        from_status=from_status,
        note=note,
        data={
            "lead": lead.name,
            "co": [d.name for d in co],
            "handle_days": handle_days,
            "difficulty": appeal.get_difficulty_display(),
            "handle_deadline": _iso(appeal.handle_deadline),
            "sign_deadline": _iso(appeal.deadline),
        },
    )
    return appeal


@transaction.atomic
def reject_appeal(*, appeal: Appeal, by: User, reason: str) -> Appeal:
    _required(reason=reason)
    appeal = _begin(appeal, "reject", by)
    from_status = appeal.status
    appeal.status = Status.REJECTED
    appeal.closed_at = timezone.now()
    _set_step(appeal, Step.TRIAGE, None, 0)
    appeal.save()
    _record(appeal, Kind.REJECTED, by, from_status=from_status, note=reason.strip())
    return appeal


# ---------------------------------------------------------------- department


@transaction.atomic
def sign_appeal(*, appeal: Appeal, by: User) -> Appeal:
    appeal = _begin(appeal, "sign", by)
    now = timezone.now()
    on_time = now <= appeal.deadline if appeal.deadline else True
    from_status = appeal.status
    appeal.status = Status.IN_PROGRESS
    appeal.signed_at = now
    _set_step(appeal, Step.HANDLE, appeal.handle_deadline, appeal.handle_days)
    appeal.save()
    _record(appeal, Kind.SIGNED, by, from_status=from_status, data={"on_time": on_time})
    return appeal


@transaction.atomic
def return_appeal(*, appeal: Appeal, by: User, reason: str) -> Appeal:
    """退回: a wrong assignment goes back to the office, counted against nobody."""
    _required(reason=reason)
    appeal = _begin(appeal, "return", by)
    from_status = appeal.status
    if appeal.lead_department is None:  # the workflow returns only assigned appeals
        raise TransitionNotAllowed("该诉求尚未交办，无法退回")
    returned_from = appeal.lead_department.name
    now = timezone.now()
    triage_days = time_limit(Step.TRIAGE, appeal.category, appeal.urgency)
    appeal.status = Status.SUBMITTED
    appeal.lead_department = None
    appeal.handle_deadline = None
    appeal.handle_days = 0
    appeal.assigned_at = None
    appeal.return_count += 1
    _set_step(appeal, Step.TRIAGE, workcalendar.deadline_after(now, triage_days), triage_days)
    appeal.save()
    appeal.co_departments.clear()
    _record(
        appeal,
        Kind.RETURNED,
        by,
        from_status=from_status,
        note=reason.strip(),
        data={"department": returned_from},
    )
    return appeal


@transaction.atomic
def request_extension(*, appeal: Appeal, by: User, days: int, reason: str) -> ExtensionRequest:
    _required(reason=reason)
    if not isinstance(days, int) or not (1 <= days <= MAX_EXTENSION_DAYS):
        raise InvalidInput("延期天数有误", {"days": [f"延期天数应为1至{MAX_EXTENSION_DAYS}个工作日"]})
    appeal = _begin(appeal, "request_extension", by)
    if appeal.extensions.filter(state=ExtensionRequest.State.PENDING).exists():
        raise TransitionNotAllowed("已有待审批的延期申请，请等待营商办审批")
    ext = ExtensionRequest.objects.create(appeal=appeal, requested_by=by, days=days, reason=reason.strip())
    _record(
        appeal,
        Kind.EXTENSION_REQUESTED,
        by,
        from_status=appeal.status,
        note=reason.strip(),
        data={"extension_id": ext.pk, "days": days},
    )
    return ext


def _lapse_extensions(appeal: Appeal, why: str) -> None:
    """Close a pending extension request the appeal's own step has made moot (never left 待审批 forever)."""
    lapse = workflow.EXTENSION_ACTIONS["lapse"]
    appeal.extensions.filter(state__in=lapse.sources).update(
        state=lapse.target, decided_at=timezone.now(), decision_note=why
    )


@transaction.atomic
def decide_extension(
    *, extension: ExtensionRequest, by: User, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The deadline moves only on approval, by the requested working days from the current deadline."""
    appeal = _begin(extension.appeal, "decide_extension", by)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    extension.appeal = appeal
    step = workflow.EXTENSIONS.check(extension, "approve" if approve else "deny", by)
    if not approve:
        _required(note=note)
    assert step.target is not None  # approve and deny both decide the request (workflow.EXTENSIONS)
    extension.state = step.target
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension.save()
    data: dict[str, object] = {"extension_id": extension.pk, "days": extension.days}
    if approve:
        old = _handle_deadline(appeal)
        new_day = workcalendar.add_working_days(workcalendar.local_date(old), extension.days)
        appeal.handle_deadline = workcalendar.end_of_day(new_day)
        appeal.handle_days += extension.days
        appeal.extension_count += 1
        if appeal.status == Status.IN_PROGRESS:
            _set_step(appeal, Step.HANDLE, appeal.handle_deadline, appeal.handle_days)
        appeal.save()
        data.update(old_deadline=_iso(old), new_deadline=_iso(appeal.handle_deadline))
    _record(
        appeal,
        Kind.EXTENSION_APPROVED if approve else Kind.EXTENSION_DENIED,
        by,
        from_status=appeal.status,
        note=note.strip(),
        data=data,
    )
    return extension


@transaction.atomic
def add_note(*, appeal: Appeal, by: User, note: str, public: bool = False) -> AppealEvent:
    """办理进展 (lead department, office), 协办意见 (a co-handling department), or 领导批示 (a leader): no change of
    state. Internal unless the lead department or the office chooses to tell the enterprise (告知企业); 批示 and
    协办意见 are always internal."""
    _required(note=note)
    appeal = _begin(appeal, "note", by)
    found = workflow.parties(appeal, by)
    if workflow.LEADER in found:
        kind, public = Kind.INSTRUCTED, False
    elif workflow.CO in found and not found & {workflow.LEAD, workflow.OFFICE}:
        kind, public = Kind.CO_OPINION, False
    else:
        kind = Kind.NOTE
        public = public and bool(found & {workflow.LEAD, workflow.OFFICE})
    return _record(appeal, kind, by, from_status=appeal.status, note=note.strip(), public=public)


@transaction.atomic
def pause_clock(*, appeal: Appeal, by: User, kind: str, reason: str) -> ClockPause:
    _required(reason=reason)
    if kind not in ClockPause.Kind.values:
        raise InvalidInput("挂起类型有误", {"kind": ["请选择挂起类型"]})
    appeal = _begin(appeal, "pause", by)
    now = timezone.now()
    from_status = appeal.status
    pause = ClockPause.objects.create(
        appeal=appeal, kind=kind, reason=reason.strip(), started_at=now, started_by=by
    )
    appeal.status = Status.PAUSED
    appeal.paused_at = now
    appeal.save()
    _record(
        appeal,
        Kind.PAUSED,
        by,
        from_status=from_status,
        note=reason.strip(),
        data={"pause_id": pause.pk, "kind": kind, "kind_label": pause.get_kind_display()},
    )
    return pause


@transaction.atomic
def resume_clock(*, appeal: Appeal, by: User, note: str = "") -> Appeal:
    """Paused working days are given back: the handling deadline moves by the working days the clock
    stood still (the day of pausing counts as paused, the day of resuming as running)."""
    appeal = _begin(appeal, "resume", by)
    return _resume(appeal, by, note)


def _resume(appeal: Appeal, by: User | None, note: str, now: dt.datetime | None = None) -> Appeal:
    now = now or timezone.now()
    old = _handle_deadline(appeal)
    paused_days = _end_pause(appeal, by, now)
    from_status = appeal.status
    appeal.status = Status.IN_PROGRESS
    appeal.paused_at = None
    _set_step(appeal, Step.HANDLE, appeal.handle_deadline, appeal.handle_days)
    appeal.save()
    _record(
        appeal,
        Kind.RESUMED,
        by,
        from_status=from_status,
        note=note.strip(),
        data={
            "paused_working_days": paused_days,
            "old_deadline": _iso(old),
            "new_deadline": _iso(appeal.handle_deadline),
        },
    )
    return appeal


@transaction.atomic
def reply_to_appeal(*, appeal: Appeal, by: User, measures: str, result: str) -> Appeal:
    _required(measures=measures, result=result)
    appeal = _begin(appeal, "reply", by)
    handle_deadline = _handle_deadline(appeal)
    now = timezone.now()
    from_status = appeal.status
    held = holds_replies(appeal.region)
    appeal.replied_at = now
    appeal.reply_measures = measures.strip()
    appeal.reply_result = result.strip()
    if held:
        # Waits for its score (the worker releases a good one) or the reviewer; the enterprise sees nothing yet.
        appeal.status = Status.REVIEW
        _set_step(appeal, Step.REVIEW, None, 0)
    else:
        _start_rating(appeal, now)
    appeal.save()
    _lapse_extensions(appeal, "诉求已答复")
    _record(
        appeal,
        Kind.REPLIED,
        by,
        from_status=from_status,
        note=result.strip(),
        data={"measures": appeal.reply_measures, "on_time": now <= handle_deadline, "held": held},
        public=not held,
    )
    return appeal


def holds_replies(region: Region) -> bool:
    """Whether replies in `region` wait for review: its own setting or that of a region above it."""
    return Region.objects.containing(region).filter(hold_flagged_replies=True).exists()


def _start_rating(appeal: Appeal, now: dt.datetime) -> None:
    appeal.status = Status.REPLIED
    rate_days = time_limit(Step.RATE, appeal.category, appeal.urgency)
    _set_step(appeal, Step.RATE, workcalendar.deadline_after(now, rate_days), rate_days)


@transaction.atomic
def release_reply(*, appeal: Appeal, by: User | None, note: str = "") -> Appeal:
    """同意发送: a held reply reaches the enterprise (by the reviewer, or by the system when its score is fine);
    the rating window starts now."""
    appeal = _begin_step(appeal, "release_reply", by)
    from_status = appeal.status
    _start_rating(appeal, timezone.now())
    appeal.save()
    _record(
        appeal,
        Kind.REPLY_RELEASED,
        by,
        from_status=from_status,
        note=appeal.reply_result,
        data={"measures": appeal.reply_measures, "review_note": note.strip()},
    )
    return appeal


@transaction.atomic
def send_back_reply(*, appeal: Appeal, by: User, reason: str) -> Appeal:
    """退回重答: the reviewer finds the held reply not good enough; the lead department answers again within the
    same handling deadline (the reply never reached the enterprise)."""
    _required(reason=reason)
    appeal = _begin(appeal, "send_back", by)
    from_status = appeal.status
    appeal.status = Status.IN_PROGRESS
    appeal.replied_at = None
    _set_step(appeal, Step.HANDLE, _handle_deadline(appeal), appeal.handle_days)
    appeal.save()
    _record(appeal, Kind.REPLY_SENT_BACK, by, from_status=from_status, note=reason.strip())
    return appeal


# ---------------------------------------------------------------- enterprise


@transaction.atomic
def rate_appeal(
    *, appeal: Appeal, by: User, satisfaction: str, resolved: bool | None, comment: str = ""
) -> Appeal:
    errors = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = ["请选择满意、基本满意或不满意"]
    if resolved is None:
        errors["resolved"] = ["请选择问题是否已解决"]
    if satisfaction == Satisfaction.DISSATISFIED and not comment.strip():
        errors["comment"] = ["选择“不满意”时请说明原因，便于重办"]
    if errors:
        raise InvalidInput("评价信息不完整", errors)
    appeal = _begin(appeal, "rate", by)
    now = timezone.now()
    from_status = appeal.status
    appeal.status = Status.CLOSED
    appeal.satisfaction = satisfaction
    appeal.resolved = resolved
    appeal.closed_at = now
    if satisfaction == Satisfaction.DISSATISFIED:
        appeal.review = Review.PENDING  # to the office of the region: 重办 or 不予重办
    _set_step(appeal, Step.RATE, None, 0)
    appeal.save()
    _record(
        appeal,
        Kind.RATED,
        by,
        from_status=from_status,
        note=comment.strip(),
        data={"satisfaction": satisfaction, "resolved": resolved},
    )
    return appeal


@transaction.atomic
def reopen_appeal(*, appeal: Appeal, by: User, reason: str, lead: Department | None = None) -> Appeal:
    """重办, the office's answer to a 不满意 rating: back to the same lead department (in progress, a fresh
    handling limit), or to another one, which signs it first."""
    _required(reason=reason)
    appeal = _begin(appeal, "reopen", by)
    now = timezone.now()
    from_status = appeal.status
    handle_days = time_limit(Step.HANDLE, appeal.category, appeal.urgency)
    moved_from = None
    if lead is not None and lead.pk != appeal.lead_department_id:
        _check_in_reach(by, lead)
        moved_from = appeal.lead_department.name if appeal.lead_department else ""
        appeal.lead_department = lead
        appeal.assigned_at = now
    appeal.status = Status.ASSIGNED if moved_from is not None else Status.IN_PROGRESS
    appeal.review = Review.REOPENED if appeal.review else ""
    appeal.reopen_count += 1
    appeal.closed_at = None
    appeal.replied_at = None
    appeal.satisfaction = ""
    appeal.resolved = None
    appeal.handle_days = handle_days
    appeal.handle_deadline = workcalendar.deadline_after(now, handle_days)
    if moved_from is None:
        _set_step(appeal, Step.HANDLE, appeal.handle_deadline, handle_days)
    else:
        sign_days = time_limit(Step.SIGN, appeal.category, appeal.urgency)
        _set_step(appeal, Step.SIGN, workcalendar.deadline_after(now, sign_days), sign_days)
    appeal.save()
    data = {"reopen_count": appeal.reopen_count, "handle_deadline": _iso(appeal.handle_deadline)}
    if moved_from is not None and lead is not None:
        data.update({"lead": lead.name, "previous_lead": moved_from})
    _record(appeal, Kind.REOPENED, by, from_status=from_status, note=reason.strip(), data=data)
    return appeal


@transaction.atomic
def decline_reopen(*, appeal: Appeal, by: User, reason: str) -> Appeal:
    """不予重办: the office finds the answer was right; the enterprise is told why. The appeal stays closed."""
    _required(reason=reason)
    appeal = _begin(appeal, "decline_reopen", by)
    appeal.review = Review.DECLINED
    appeal.save(update_fields=["review"])
    _record(appeal, Kind.REOPEN_DECLINED, by, from_status=appeal.status, note=reason.strip())
    return appeal


def _end_pause(appeal: Appeal, by: User | None, now: dt.datetime) -> int:
    """End the running pause: the handling deadline moves by the working days the clock stood still (the day
    of pausing counts as paused, the day of resuming as running). Returns those days."""
    pause = appeal.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    started = pause.started_at if pause else appeal.paused_at
    if started is None:  # the workflow resumes only a paused appeal, which records when it paused
        raise TransitionNotAllowed("该诉求未暂停计时")
    paused_days = workcalendar.working_days_between(
        workcalendar.local_date(started), workcalendar.local_date(now)
    )
    old = _handle_deadline(appeal)
    if paused_days:
        new_day = workcalendar.add_working_days(workcalendar.local_date(old), paused_days)
        appeal.handle_deadline = workcalendar.end_of_day(new_day)
    if pause:
        pause.ended_at = now
        pause.ended_by = by
        pause.working_days = paused_days
        pause.save()
    appeal.paused_at = None
    return paused_days


def _check_in_reach(by: User, lead: Department) -> None:
    if not departments_in_reach(region_of(by)).filter(pk=lead.pk).exists():
        raise InvalidInput("主办单位有误", {"lead": ["主办单位不在本区划范围内或已停用"]})


@transaction.atomic
def reassign_appeal(*, appeal: Appeal, by: User, lead: Department, reason: str) -> Appeal:
    """改派: the office moves an assigned, in-progress or paused appeal to another lead department, which signs
    it anew. The handling limit keeps running from the first assignment (the enterprise has waited since);
    a pause ends, a pending extension request lapses, the co-handling departments stay."""
    _required(reason=reason)
    appeal = _begin(appeal, "reassign", by)
    if lead.pk == appeal.lead_department_id:
        raise InvalidInput("改派单位有误", {"lead": ["改派单位与现主办单位相同"]})
    _check_in_reach(by, lead)
    now = timezone.now()
    from_status = appeal.status
    previous = appeal.lead_department.name if appeal.lead_department else ""
    if appeal.status == Status.PAUSED:
        _end_pause(appeal, by, now)
    appeal.status = Status.ASSIGNED
    appeal.lead_department = lead
    appeal.assigned_at = now
    sign_days = time_limit(Step.SIGN, appeal.category, appeal.urgency)
    _set_step(appeal, Step.SIGN, workcalendar.deadline_after(now, sign_days), sign_days)
    appeal.save()
    appeal.co_departments.remove(lead)
    _lapse_extensions(appeal, "诉求已改派")
    _record(
        appeal,
        Kind.REASSIGNED,
        by,
        from_status=from_status,
        note=reason.strip(),
        data={"lead": lead.name, "previous_lead": previous, "sign_deadline": _iso(appeal.deadline)},
    )
    return appeal


@transaction.atomic
def withdraw_appeal(*, appeal: Appeal, by: User, reason: str) -> Appeal:
    _required(reason=reason)
    appeal = _begin(appeal, "withdraw", by)
    from_status = appeal.status
    appeal.status = Status.WITHDRAWN
    appeal.closed_at = timezone.now()
    appeal.paused_at = None
    _set_step(appeal, appeal.step, None, 0)
    appeal.save()
    appeal.pauses.filter(ended_at__isnull=True).update(ended_at=appeal.closed_at, ended_by=by)
    _lapse_extensions(appeal, "诉求已撤回")
    _record(appeal, Kind.WITHDRAWN, by, from_status=from_status, note=reason.strip())
    return appeal


@transaction.atomic
def merge_appeal(*, appeal: Appeal, by: User, into: Appeal, note: str = "") -> Appeal:
    """并案: a duplicate follows the appeal it is merged into and is answered with it."""
    if into.pk == appeal.pk:
        raise InvalidInput("不能并入自身", {"into": ["不能并入自身"]})
    appeal = _begin(appeal, "merge", by)
    target = Appeal.objects.select_related("region").get(pk=into.pk)
    if workflow.OFFICE not in workflow.parties(target, by):
        raise InvalidInput("目标诉求不在您的管辖区划内", {"into": ["目标诉求不在您的管辖区划内"]})
    if target.status in (Status.REJECTED, Status.WITHDRAWN, Status.MERGED):
        raise InvalidInput(
            "目标诉求已终止，不能并入", {"into": [f"目标诉求状态为“{target.get_status_display()}”"]}
        )
    from_status = appeal.status
    appeal.status = Status.MERGED
    appeal.merged_into = target
    appeal.closed_at = timezone.now()
    appeal.paused_at = None
    _set_step(appeal, appeal.step, None, 0)
    appeal.save()
    _lapse_extensions(appeal, "诉求已并案")
    _record(appeal, Kind.MERGED, by, from_status=from_status, note=note.strip(), data={"into": target.number})
    _record(
        target, Kind.NOTE, by, from_status=target.status, note=f"并入诉求 {appeal.number}：{appeal.title}"
    )
    return appeal


@transaction.atomic
def add_attachments(*, appeal: Appeal, by: User, files: Sequence[UploadedFile]) -> list[Attachment]:
    if not files:
        raise InvalidInput("请选择要上传的文件", {"attachments": ["请选择要上传的文件"]})
    _validate_attachments(files)
    appeal = _begin(appeal, "attach", by)
    saved = _store_attachments(appeal, by, files)
    _record(
        appeal,
        Kind.ATTACHMENT,
        by,
        from_status=appeal.status,
        data={"files": [a.original_name for a in saved]},
    )
    return saved


# ---------------------------------------------------------------- system


def close_unrated(now: dt.datetime | None = None) -> int:
    """Close replied appeals whose rating window has passed, marked as auto-closed.

    Each appeal is claimed with a conditional UPDATE inside its own transaction, so concurrent sweeps
    (or an enterprise rating at that very moment) close it once.
    """
    now = now or timezone.now()
    closed = 0
    due = Appeal.objects.filter(status=Status.REPLIED, deadline__lt=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            claimed = Appeal.objects.filter(pk=pk, status=Status.REPLIED, deadline__lt=now).update(
                status=Status.CLOSED,
                auto_closed=True,
                closed_at=now,
                deadline=None,
                yellow_at=None,
                updated_at=now,
            )
            if claimed == 1:
                appeal = Appeal.objects.get(pk=pk)
                _record(
                    appeal,
                    Kind.AUTO_CLOSED,
                    None,
                    from_status=Status.REPLIED,
                    note="评价期满未评价，系统自动办结",
                )
                closed += 1
    return closed


def resume_overlong_pauses(now: dt.datetime | None = None) -> int:
    """End the pauses that reached ``QINQING_MAX_PAUSE_WORKING_DAYS``: the clock runs again, as a step of the
    appeal itself (no actor). One transaction per appeal, re-checked under its lock, so concurrent sweeps or a
    department resuming at the same moment resume it once."""
    limit = settings.QINQING_MAX_PAUSE_WORKING_DAYS
    if not limit:
        return 0
    now = now or timezone.now()
    today = workcalendar.local_date(now)
    resumed = 0
    for pk, paused_at in list(
        Appeal.objects.filter(status=Status.PAUSED, paused_at__isnull=False).values_list("pk", "paused_at")
    ):
        if (
            paused_at is None
            or workcalendar.working_days_between(workcalendar.local_date(paused_at), today) < limit
        ):
            continue
        with transaction.atomic():
            appeal = _lock(Appeal(pk=pk))
            if appeal.status != Status.PAUSED:
                continue
            _resume(appeal, None, f"挂起已满{limit}个工作日，系统自动恢复计时", now)
            resumed += 1
    return resumed


# ---------------------------------------------------------------- contact numbers (个人信息保护)


def reveal_contact(*, appeal: Appeal, by: User, request=None) -> tuple[str, str]:
    """The contact's name and full number, for the office or the lead department who must call back; the
    reveal is a security audit record (who, when, from where, which appeal)."""
    from qinqing.audit.models import AuditRecord
    from qinqing.audit.services import record

    if not workflow.may_reveal_contact(appeal, by):
        raise NotPermitted("只有营商办和主办单位可以查看完整联系电话")
    record(AuditRecord.Action.CONTACT_REVEALED, request=request, user=by, appeal=appeal.number)
    return appeal.contact_name, appeal.contact_mobile


# ---------------------------------------------------------------- 回访 (revisits after 办结)


def _revisit_errors(
    method: str, reached: bool | None, satisfaction: str, resolved: bool | None, comments: str
) -> dict[str, list[str]]:
    from qinqing.appeals.models import RevisitMethod

    errors: dict[str, list[str]] = {}
    if method not in RevisitMethod.values:
        errors["method"] = ["请选择回访方式：电话、上门或短信"]
    if reached is None:
        errors["reached"] = ["请选择是否联系上企业"]
    elif reached:
        if satisfaction not in Satisfaction.values:
            errors["satisfaction"] = ["联系上企业时请选择满意、基本满意或不满意"]
        if resolved is None:
            errors["resolved"] = ["联系上企业时请选择问题是否已解决"]
        elif resolved is False and not comments.strip():
            errors["comments"] = ["问题未解决时请写明企业反映的情况，诉求将据此重办"]
    elif satisfaction or resolved is not None:
        errors["reached"] = ["未联系上企业时不能填写满意度和是否解决"]
    return errors


@transaction.atomic
def record_revisit(
    *,
    appeal: Appeal,
    by: User,
    method: str,
    reached: bool | None,
    satisfaction: str = "",
    resolved: bool | None = None,
    comments: str = "",
):
    """回访 of a closed appeal by the office: completes the planned revisit (or records an unplanned one). When
    the enterprise says the problem is not solved, the appeal is reopened to its lead department in the same
    step (``workflow.REVISIT_REOPEN``): one transaction, one event."""
    from qinqing.appeals.models import Revisit

    errors = _revisit_errors(method, reached, satisfaction or "", resolved, comments or "")
    if errors:
        raise InvalidInput("回访信息不完整", errors)
    appeal = _begin(appeal, "revisit", by)
    now = timezone.now()
    revisit = Revisit.objects.select_for_update().filter(
        appeal=appeal, state=Revisit.State.PLANNED
    ).first() or Revisit(appeal=appeal)
    revisit.state = Revisit.State.DONE
    revisit.method = method
    revisit.reached = reached
    revisit.satisfaction = satisfaction if reached else ""
    revisit.resolved = resolved if reached else None
    revisit.comments = comments.strip()
    revisit.done_by = by
    revisit.done_at = now
    from_status = appeal.status
    reopen = bool(reached) and resolved is False
    data: dict[str, object] = {
        "method": method,
        "reached": reached,
        "satisfaction": revisit.satisfaction,
        "resolved": revisit.resolved,
        "reopened": reopen,
    }
    if reopen:
        step = workflow.REVISIT_REOPEN
        if appeal.status not in step.sources or not workflow.parties(appeal, by) & step.parties:
            raise TransitionNotAllowed(f"诉求当前状态为“{appeal.get_status_display()}”，不能{step.label}")
        if appeal.lead_department_id is None:
            raise TransitionNotAllowed("该诉求没有主办单位，无法重办，请重新登记")
        handle_days = time_limit(Step.HANDLE, appeal.category, appeal.urgency)
        appeal.status = Status.IN_PROGRESS
        appeal.reopen_count += 1
        appeal.closed_at = None
        appeal.replied_at = None
        appeal.satisfaction = ""
        appeal.resolved = None
        appeal.auto_closed = False
        appeal.handle_days = handle_days
        appeal.handle_deadline = workcalendar.deadline_after(now, handle_days)
        _set_step(appeal, Step.HANDLE, appeal.handle_deadline, handle_days)
        appeal.save()
        revisit.reopened = True
        data.update(reopen_count=appeal.reopen_count, handle_deadline=_iso(appeal.handle_deadline))
    revisit.save()
    data["revisit_id"] = revisit.pk
    _record(appeal, Kind.REVISITED, by, from_status=from_status, note=revisit.comments, data=data)
    return revisit


@transaction.atomic
def sample_revisits(*, by: User, date_from: dt.date, date_to: dt.date, percent: int, rng=None):
    """抽样: plan 回访 for ``percent`` % (rounded up; 100 = all) of the appeals of the office's region closed
    between the two dates that were never revisited nor planned. Drawn at random (``rng`` for tests)."""
    import math
    import random

    from qinqing.appeals.models import Revisit, RevisitSample

    if by.role != Role.DISPATCHER:
        raise NotPermitted("只有营商办可以抽样回访")
    region = region_of(by)
    errors: dict[str, list[str]] = {}
    if date_to < date_from:
        errors["date_to"] = ["结束日期不能早于开始日期"]
    if not 1 <= percent <= 100:
        errors["percent"] = ["抽样比例应为1至100"]
    if errors:
        raise InvalidInput("抽样条件有误", errors)
    since = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    eligible = list(
        Appeal.objects.filter(
            region_id__in=Region.objects.within(region).values("id"),
            status=Status.CLOSED,
            closed_at__gte=since,
            closed_at__lte=workcalendar.end_of_day(date_to),
        )
        .exclude(pk__in=Revisit.objects.values("appeal_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not eligible:
        raise InvalidInput("没有可抽样的诉求", {"date_from": ["该期间内没有尚未回访的已办结诉求"]})
    count = math.ceil(len(eligible) * percent / 100)
    picked = (rng or random.SystemRandom()).sample(eligible, count)
    sample = RevisitSample.objects.create(
        region=region,
        drawn_by=by,
        date_from=date_from,
        date_to=date_to,
        percent=percent,
        eligible=len(eligible),
        picked=count,
    )
    try:
        with transaction.atomic():
            Revisit.objects.bulk_create([Revisit(appeal_id=pk, sample=sample) for pk in sorted(picked)])
    except IntegrityError as exc:
        # Another office user drew a sample of the same appeals at the same moment (one planned revisit each).
        raise TransitionNotAllowed("同时有其他人在抽样，部分诉求已列入回访，请刷新后重试") from exc
    return sample


# ---------------------------------------------------------------- 台账导入 (an office's existing Excel ledger)


def import_ledger(*, by: User, file_name: str, content: bytes):
    """Import an office's Excel 台账: every row checked first (``ledger.check``, all problems with their line
    numbers), then all rows saved in one transaction or none. Each appeal keeps the ledger's dates and state,
    gets a number of its submission day, points at its ``AppealImport`` and carries one 由台账导入 event (the
    importer, the file and the row). The same file (by its SHA-256) is refused a second time."""
    import hashlib

    from qinqing.appeals import ledger
    from qinqing.appeals.models import AppealImport
    from qinqing.enterprises.models import Contact

    if by.role != Role.DISPATCHER:
        raise NotPermitted("只有营商办可以导入台账")
    region = region_of(by)
    name = os.path.basename(file_name or "")[:200] or "台账.xlsx"
    if not name.lower().endswith(".xlsx"):
        raise InvalidInput("文件类型不对", {"file": ["请上传 .xlsx 格式的台账（可先下载模板）"]})
    digest = hashlib.sha256(content).hexdigest()
    earlier = AppealImport.objects.filter(region=region, sha256=digest).first()
    if earlier is not None:
        when = timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")
        raise InvalidInput(
            "该台账已导入过",
            {"file": [f"同一文件已于 {when} 导入（“{earlier.file_name}”，{earlier.rows} 件），不再重复导入"]},
        )
    rows = ledger.rows_of(content)
    problems = ledger.check(rows, region)
    if problems:
        raise InvalidInput(
            f"台账有 {len(problems)} 处错误，未导入任何诉求，请修改后重新上传", {"file": problems}
        )

    now = timezone.now()
    try:
        with transaction.atomic():
            batch = AppealImport.objects.create(
                region=region, imported_by=by, file_name=name, sha256=digest, rows=len(rows), created_at=now
            )
            registered: dict[str, Enterprise] = {}
            for row in rows:
                enterprise = row.enterprise
                if enterprise is None:
                    assert row.new_enterprise is not None  # noqa: S101 - ledger.check found one or the other
                    code = row.new_enterprise["uscc"]
                    if code not in registered:
                        registered[code] = Enterprise.objects.create(region=region, **row.new_enterprise)
                        Contact.objects.create(
                            enterprise=registered[code],
                            name=row.contact_name,
                            mobile=row.contact_mobile,
                            is_primary=True,
                        )
                    enterprise = registered[code]
                _import_row(row, enterprise, by, batch)
    except IntegrityError as exc:
        raise InvalidInput(
            "该台账正在导入或已导入", {"file": ["同一文件已由他人导入，请刷新后查看"]}
        ) from exc
    return batch


def _import_row(row, enterprise: Enterprise, by: User, batch) -> Appeal:
    assert row.category is not None and row.submitted_at is not None  # noqa: S101 - checked by ledger.check
    status = row.status
    appeal = Appeal(
        title=row.text("title"),
        content=row.text("content"),
        category=row.category,
        urgency=row.urgency,
        channel=row.channel,
        enterprise=enterprise,
        region_id=enterprise.region_id,
        submitted_by=by,
        contact_name=row.contact_name,
        contact_mobile=row.contact_mobile,
        status=status,
        submitted_at=row.submitted_at,
        import_batch=batch,
    )
    if status == Status.SUBMITTED:
        days = time_limit(Step.TRIAGE, row.category, row.urgency)
        _set_step(appeal, Step.TRIAGE, workcalendar.deadline_after(row.submitted_at, days), days)
    else:
        # The ledger knows when it was assigned, not when it was signed for: signed at assignment.
        appeal.lead_department = row.lead
        appeal.assigned_at = appeal.signed_at = row.assigned_at
        if row.handle_deadline is not None:
            appeal.handle_deadline = row.handle_deadline
            appeal.handle_days = max(
                1,
                workcalendar.working_days_between(
                    workcalendar.local_date(row.assigned_at), workcalendar.local_date(row.handle_deadline)
                ),
            )
        else:
            appeal.handle_days = time_limit(Step.HANDLE, row.category, row.urgency)
            appeal.handle_deadline = workcalendar.deadline_after(row.assigned_at, appeal.handle_days)
        if status == Status.IN_PROGRESS:
            _set_step(appeal, Step.HANDLE, appeal.handle_deadline, appeal.handle_days)
        else:
            appeal.replied_at = row.replied_at
            appeal.reply_measures = row.text("measures")
            appeal.reply_result = row.text("result")
            if status == Status.REPLIED:
                days = time_limit(Step.RATE, row.category, row.urgency)
                _set_step(appeal, Step.RATE, workcalendar.deadline_after(row.replied_at, days), days)
            else:
                _set_step(appeal, Step.RATE, None, 0)
                appeal.closed_at = row.closed_at
                appeal.satisfaction = row.satisfaction
                appeal.resolved = row.resolved
                appeal.auto_closed = not row.satisfaction
    appeal.number = numbering.next_number("QQ", workcalendar.local_date(row.submitted_at))
    appeal.save(force_insert=True)
    if row.co:
        appeal.co_departments.set(row.co)
    original = row.text("original_number")
    _record(
        appeal,
        Kind.IMPORTED,
        by,
        note=f"由台账导入：{batch.file_name} 第{row.line}行" + (f"，原编号 {original}" if original else ""),
        data={
            "import_id": batch.pk,
            "file": batch.file_name,
            "row": row.line,
            "original_number": original,
            "submitted_at": _iso(appeal.submitted_at),
            "assigned_at": _iso(appeal.assigned_at),
            "replied_at": _iso(appeal.replied_at),
            "closed_at": _iso(appeal.closed_at),
        },
    )
    return appeal
