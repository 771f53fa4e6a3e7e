"""Every appeal action in one table: its input schema, its API path and the one call that performs it.

``workflow.ACTIONS`` says what may happen and who may do it; this table says what each action takes and which
service carries it out. The page (``views.act``) and the API (``api``, whose endpoints are generated from this
table) both go through ``perform``, so a new action is written once: a row in ``workflow.ACTIONS``, an input
schema, a row here.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from ninja import Schema

from qinqing.accounts.models import User
from qinqing.appeals import inputs, selectors, services, workflow
from qinqing.appeals.models import ActionReceipt, Appeal, ExtensionRequest
from qinqing.core.errors import InvalidInput, NotVisible, TransitionNotAllowed
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.validators import normalise_uscc, validate_uscc
from qinqing.organisation.models import Department

Run = Callable[[Appeal, User, Any, Sequence[UploadedFile]], object]


@dataclass(frozen=True)
class ActionInput:
    name: str
    schema: type[Schema] | None  # None: the action takes nothing but (for attach) files
    run: Run
    path: str  # under /api/appeals/{number}/
    summary: str
    generated: bool = True  # False: the API endpoint is written by hand (another path shape or answer)


def _departments(ids: list[int], field: str) -> list[Department]:
    found = {d.pk: d for d in Department.objects.select_related("region").filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise InvalidInput("部门不存在", {field: [f"编号为 {pk} 的部门不存在" for pk in missing]})
    return [found[pk] for pk in ids]


def _assign(appeal: Appeal, by: User, data: inputs.AssignIn, files) -> object:
    lead, *co = _departments([data.lead, *data.co], "lead")
    return services.assign_appeal(
        appeal=appeal,
        by=by,
        lead=lead,
        co=co,
        handle_days=data.handle_days,
        note=data.note,
        difficulty=data.difficulty,
    )


def _reassign(appeal: Appeal, by: User, data: inputs.ReassignIn, files) -> object:
    (lead,) = _departments([data.lead], "lead")
    return services.reassign_appeal(appeal=appeal, by=by, lead=lead, reason=data.reason)


def _reopen(appeal: Appeal, by: User, data: inputs.ReopenIn, files) -> object:
    lead = _departments([data.lead], "lead")[0] if data.lead else None
    return services.reopen_appeal(appeal=appeal, by=by, reason=data.reason, lead=lead)


def _decide(appeal: Appeal, by: User, data: inputs.ExtensionDecisionIn, files) -> object:
    ext = ExtensionRequest.objects.filter(pk=data.extension, appeal=appeal).first()
    if ext is None:
        raise NotVisible("未找到该延期申请")
    return services.decide_extension(extension=ext, by=by, approve=data.approve, note=data.note)


def _merge(appeal: Appeal, by: User, data: inputs.MergeIn, files) -> object:
    try:
        target = selectors.get_visible_appeal(by, data.into.strip().upper())
    except NotVisible as exc:
        raise InvalidInput("目标诉求不存在", {"into": ["未找到该编号的诉求"]}) from exc
    return services.merge_appeal(appeal=appeal, by=by, into=target, note=data.note)


_ROWS = [
    ActionInput("assign", inputs.AssignIn, _assign, "assign", "受理并分派"),
    ActionInput(
        "reject",
        inputs.ReasonIn,
        lambda a, by, d, f: services.reject_appeal(appeal=a, by=by, reason=d.reason),
        "reject",
        "不予受理",
    ),
    ActionInput("reassign", inputs.ReassignIn, _reassign, "reassign", "改派"),
    ActionInput("sign", None, lambda a, by, d, f: services.sign_appeal(appeal=a, by=by), "sign", "签收"),
    ActionInput(
        "return",
        inputs.ReasonIn,
        lambda a, by, d, f: services.return_appeal(appeal=a, by=by, reason=d.reason),
        "return",
        "退回（分派有误）",
    ),
    ActionInput(
        "request_extension",
        inputs.ExtensionIn,
        lambda a, by, d, f: services.request_extension(appeal=a, by=by, days=d.days, reason=d.reason),
        "extensions",
        "申请延期",
        generated=False,
    ),
    ActionInput(
        "decide_extension",
        inputs.ExtensionDecisionIn,
        _decide,
        "extensions/{extension_id}/decision",
        "审批延期",
        generated=False,
    ),
    ActionInput(
        "pause",
        inputs.PauseIn,
        lambda a, by, d, f: services.pause_clock(appeal=a, by=by, kind=d.kind, reason=d.reason),
        "pause",
        "挂起（暂停计时）",
    ),
    ActionInput(
        "resume",
        inputs.OptionalNoteIn,
        lambda a, by, d, f: services.resume_clock(appeal=a, by=by, note=d.note),
        "resume",
        "恢复计时",
    ),
    ActionInput(
        "note",
        inputs.NoteIn,
        lambda a, by, d, f: services.add_note(appeal=a, by=by, note=d.note, public=d.public),
        "notes",
        "办理进展 / 协办意见 / 领导批示",
    ),
    ActionInput(
        "reply",
        inputs.ReplyIn,
        lambda a, by, d, f: services.reply_to_appeal(appeal=a, by=by, measures=d.measures, result=d.result),
        "reply",
        "答复",
    ),
    ActionInput(
        "release_reply",
        inputs.OptionalNoteIn,
        lambda a, by, d, f: services.release_reply(appeal=a, by=by, note=d.note),
        "release-reply",
        "同意发送（答复复核）",
    ),
    ActionInput(
        "send_back",
        inputs.ReasonIn,
        lambda a, by, d, f: services.send_back_reply(appeal=a, by=by, reason=d.reason),
        "send-back",
        "退回重答（答复复核）",
    ),
    ActionInput(
        "rate",
        inputs.RateIn,
        lambda a, by, d, f: services.rate_appeal(
            appeal=a, by=by, satisfaction=d.satisfaction, resolved=d.resolved, comment=d.comment
        ),
        "rate",
        "满意度评价",
    ),
    ActionInput("reopen", inputs.ReopenIn, _reopen, "reopen", "重办（不满意复核）"),
    ActionInput(
        "decline_reopen",
        inputs.ReasonIn,
        lambda a, by, d, f: services.decline_reopen(appeal=a, by=by, reason=d.reason),
        "decline-reopen",
        "不予重办（不满意复核）",
    ),
    ActionInput(
        "withdraw",
        inputs.ReasonIn,
        lambda a, by, d, f: services.withdraw_appeal(appeal=a, by=by, reason=d.reason),
        "withdraw",
        "撤回",
    ),
    ActionInput("merge", inputs.MergeIn, _merge, "merge", "并案"),
    ActionInput(
        "attach",
        None,
        lambda a, by, d, f: services.add_attachments(appeal=a, by=by, files=f),
        "attachments",
        "上传附件",
        generated=False,
    ),
    ActionInput(
        "revisit",
        inputs.RevisitIn,
        lambda a, by, d, f: services.record_revisit(
            appeal=a,
            by=by,
            method=d.method,
            reached=d.reached,
            satisfaction=d.satisfaction or "",
            resolved=d.resolved,
            comments=d.comments,
        ),
        "revisit",
        "回访（记录结果；问题未解决的重办）",
    ),
]
INPUTS: dict[str, ActionInput] = {row.name: row for row in _ROWS}
assert INPUTS.keys() == workflow.ACTIONS.keys(), "every workflow action needs its input row"  # noqa: S101


def submit(
    by: User,
    data: inputs.SubmitIn,
    *,
    idempotency_key: str | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> tuple[Appeal, bool]:
    """提交诉求 / 代为登记, for the page and the API: the category by its code, the enterprise by its USCC."""
    category = services.category_by_code(data.category)
    if category is None:
        raise InvalidInput(
            "诉求类别不存在", {"category": [f"未知的类别“{data.category}”，请从类别列表中选择"]}
        )
    enterprise = None
    if data.enterprise_uscc:
        code = normalise_uscc(data.enterprise_uscc)
        try:
            validate_uscc(code)
        except ValidationError as exc:
            raise InvalidInput("统一社会信用代码有误", {"enterprise_uscc": list(exc.messages)}) from exc
        enterprise = Enterprise.objects.select_related("region").filter(uscc=code).first()
        if enterprise is None:
            raise InvalidInput(
                "企业不存在", {"enterprise_uscc": ["未找到该统一社会信用代码对应的企业，请先在企业库登记"]}
            )
    if idempotency_key and len(idempotency_key) > 64:
        raise InvalidInput("Idempotency-Key 过长", {"Idempotency-Key": ["不能超过64个字符"]})
    try:
        return services.submit_appeal(
            by=by,
            title=data.title,
            content=data.content,
            category=category,
            enterprise=enterprise,
            urgency=data.urgency,
            channel=data.channel,
            contact_name=data.contact_name,
            contact_mobile=data.contact_mobile,
            idempotency_key=idempotency_key or None,
            attachments=attachments,
        )
    except InvalidInput as exc:
        # The input names the enterprise by its code: so do the errors about it.
        if "enterprise" in exc.errors:
            exc.errors["enterprise_uscc"] = exc.errors.pop("enterprise")
        raise


def perform(
    name: str,
    *,
    appeal: Appeal,
    by: User,
    data: Schema | None,
    files: Sequence[UploadedFile] = (),
    idempotency_key: str | None = None,
):
    """Carry out action `name`; the service checks the workflow table and raises domain errors.

    With an idempotency key the action happens at most once: a repeat (the client's retry after a lost answer,
    or a concurrent duplicate) returns None without acting, and the caller answers the appeal as it stands."""
    run = INPUTS[name].run
    if not idempotency_key:
        return run(appeal, by, data, files)
    if len(idempotency_key) > 64:
        raise InvalidInput("Idempotency-Key 过长", {"Idempotency-Key": ["不能超过64个字符"]})
    if _replay(name, appeal, by, idempotency_key):
        return None
    try:
        with transaction.atomic():
            result = run(appeal, by, data, files)
            ActionReceipt.objects.create(user=by, key=idempotency_key, action=name, appeal=appeal)
    except (IntegrityError, TransitionNotAllowed):
        # A duplicate that ran at the same moment took the step first (and wrote the receipt).
        if _replay(name, appeal, by, idempotency_key):
            return None
        raise
    return result


def _replay(name: str, appeal: Appeal, by: User, key: str) -> bool:
    done = ActionReceipt.objects.filter(user=by, key=key).first()
    if done is None:
        return False
    if done.action != name or done.appeal_id != appeal.pk:
        raise InvalidInput(
            "Idempotency-Key 已用于另一操作", {"Idempotency-Key": ["每个操作请使用新的 Idempotency-Key"]}
        )
    return True


def sample_revisits(by: User, data: inputs.RevisitSampleIn):
    """抽样 for 回访, for the page and the API."""
    return services.sample_revisits(
        by=by, date_from=data.date_from, date_to=data.date_to, percent=data.percent
    )


def import_ledger(by: User, upload: UploadedFile | None):
    """台账导入, for the page, the API and the command: the uploaded file's name and bytes to the service."""
    from qinqing.appeals import ledger

    if upload is None:
        raise InvalidInput("请选择要导入的台账文件", {"file": ["请选择要导入的台账文件（.xlsx）"]})
    if (upload.size or 0) > ledger.MAX_BYTES:
        raise InvalidInput(
            "文件过大",
            {"file": [f"文件超过 {ledger.MAX_BYTES // (1024 * 1024)} MB 的上限，请拆分后分批导入"]},
        )
    return services.import_ledger(by=by, file_name=upload.name or "", content=upload.read())
