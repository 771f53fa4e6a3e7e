"""The one place that says what can happen next to an appeal, and who may do it.

Services check it before acting; templates and the API ask it which actions to offer. A party is the
relation of a user to one appeal (not a global role): the enterprise that owns it, the coordinating
office of its region, the lead or a co-handling department, a leader of the region.
"""

from django.conf import settings

from qinqing.accounts.models import Role
from qinqing.appeals.models import Appeal, ExtensionRequest, Review, Satisfaction, Status
from qinqing.core.workflow import Action, Machine, table

S = Status

SYSTEM = "system"  # a step of the appeal itself, taken by no one in particular
OWNER = "owner"  # a user of the appeal's enterprise
OFFICE = "office"  # a dispatcher whose region contains the appeal's
LEADER = "leader"  # a leader whose region contains the appeal's
LEAD = "lead"  # staff of the lead department
CO = "co"  # staff of a co-handling department
AGENT = "agent"  # the service officer or supervisor who registered it on the enterprise's behalf
REVIEWER = "reviewer"  # who reviews a held reply: the lead department's head and/or the office (a setting)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("assign", "受理分派", (S.SUBMITTED,), S.ASSIGNED, frozenset({OFFICE})),
        Action("reject", "不予受理", (S.SUBMITTED,), S.REJECTED, frozenset({OFFICE})),
        # 改派: the office moves an appeal already assigned to another lead department, which signs it anew.
        Action("reassign", "改派", (S.ASSIGNED, S.IN_PROGRESS, S.PAUSED), S.ASSIGNED, frozenset({OFFICE})),
        Action("sign", "签收", (S.ASSIGNED,), S.IN_PROGRESS, frozenset({LEAD})),
        Action("return", "退回", (S.ASSIGNED,), S.SUBMITTED, frozenset({LEAD})),
        Action("request_extension", "申请延期", (S.IN_PROGRESS,), None, frozenset({LEAD})),
        Action("decide_extension", "审批延期", (S.IN_PROGRESS, S.PAUSED), None, frozenset({OFFICE})),
        Action("pause", "挂起", (S.IN_PROGRESS,), S.PAUSED, frozenset({LEAD})),
        Action("resume", "恢复计时", (S.PAUSED,), S.IN_PROGRESS, frozenset({LEAD, OFFICE})),
        Action(
            "note",
            "办理进展",
            (S.ASSIGNED, S.IN_PROGRESS, S.PAUSED, S.REPLIED),
            None,
            frozenset({LEAD, CO, OFFICE, LEADER, AGENT}),
        ),
        Action("reply", "答复", (S.IN_PROGRESS,), S.REPLIED, frozenset({LEAD})),
        # 答复复核 (regions that hold flagged replies): a reply waits in REVIEW until its score clears it (the
        # system) or the reviewer sends it on (同意发送) or back (退回重答) before the enterprise sees it.
        Action("release_reply", "同意发送", (S.REVIEW,), S.REPLIED, frozenset({REVIEWER, SYSTEM})),
        Action("send_back", "退回重答", (S.REVIEW,), S.IN_PROGRESS, frozenset({REVIEWER})),
        Action("rate", "评价", (S.REPLIED,), S.CLOSED, frozenset({OWNER})),
        # 不满意 → the office reviews: 重办 (the same or another lead department) or 不予重办 with a reason.
        Action("reopen", "重办", (S.CLOSED,), S.IN_PROGRESS, frozenset({OFFICE})),
        Action("decline_reopen", "不予重办", (S.CLOSED,), None, frozenset({OFFICE})),
        Action(
            "withdraw",
            "撤回",
            (S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED),
            S.WITHDRAWN,
            frozenset({OWNER, OFFICE}),
        ),
        Action(
            "merge", "并案", (S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED), S.MERGED, frozenset({OFFICE})
        ),
        Action(
            "attach",
            "上传附件",
            (S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED, S.REPLIED),
            None,
            frozenset({OWNER, OFFICE, LEAD, CO, AGENT}),
        ),
        # 回访: the office calls a closed appeal's enterprise back and records what it heard.
        Action("revisit", "回访", (S.CLOSED,), None, frozenset({OFFICE})),
    ]
}

# A 回访 that finds the problem unsolved reopens the appeal: the office's 重办, taken as part of the revisit
# (one step, one event), without the enterprise's 不满意 that the "reopen" row asks for.
REVISIT_REOPEN = Action(
    "reopen_after_revisit", "回访未解决重办", (S.CLOSED,), S.IN_PROGRESS, frozenset({OFFICE})
)


# ---------------------------------------------------------------- extension requests (延期申请)
X = ExtensionRequest.State

EXTENSION_ACTIONS: dict[str, Action] = table(
    [
        Action("approve", "同意延期", (X.PENDING,), X.APPROVED, frozenset({OFFICE})),
        Action("deny", "不同意延期", (X.PENDING,), X.DENIED, frozenset({OFFICE})),
        # A request still pending when the appeal is replied to, withdrawn or merged is no longer a question.
        Action("lapse", "失效", (X.PENDING,), X.LAPSED, frozenset({SYSTEM})),
    ]
)


def _extension_parties(extension: ExtensionRequest, user) -> set[str]:
    return parties(extension.appeal, user)


EXTENSIONS = Machine(EXTENSION_ACTIONS, _extension_parties)


def parties(appeal: Appeal, user) -> set[str]:
    """The relations `user` has to `appeal`. Uses prefetched co_departments when present."""
    found: set[str] = set()
    if user is None:
        return {SYSTEM}
    if not user.is_authenticated:
        return found
    role = user.role
    reviewers = settings.QINQING_REPLY_REVIEWERS
    if role == Role.ENTERPRISE and user.enterprise_id and user.enterprise_id == appeal.enterprise_id:
        found.add(OWNER)
    elif role in (Role.DISPATCHER, Role.LEADER) and user.region_id:
        if appeal.region.is_within(user.region):
            found.add(OFFICE if role == Role.DISPATCHER else LEADER)
            if role == Role.DISPATCHER and reviewers in ("office", "both"):
                found.add(REVIEWER)
    elif role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        dept = user.department
        if appeal.lead_department_id and _covers(user, dept, appeal.lead_department):
            found.add(LEAD)
            if role == Role.DEPT_HEAD and reviewers in ("head", "both"):
                found.add(REVIEWER)
        if any(_covers(user, dept, co) for co in appeal.co_departments.all()):
            found.add(CO)
    elif role in (Role.OFFICER, Role.SUPERVISOR) and appeal.submitted_by_id == user.pk:
        found.add(AGENT)
    return found


def _covers(user, own, other) -> bool:
    # A head answers for the sub-units of the department; a handler for the department itself.
    if user.role == Role.DEPT_HEAD:
        return other.is_within(own)
    return other.pk == own.pk


def guard_failure(appeal: Appeal, action_name: str, user, found: set[str] | None = None) -> str | None:
    """Why `user` may not do `action_name` now, in Chinese; None when allowed."""
    action = ACTIONS[action_name]
    found = parties(appeal, user) if found is None else found
    if not found & action.parties:
        return f"您无权对该诉求执行“{action.label}”"
    if appeal.status not in action.sources:
        return f"诉求当前状态为“{appeal.get_status_display()}”，不能{action.label}"
    if action_name == "reopen":
        if appeal.satisfaction != Satisfaction.DISSATISFIED or appeal.auto_closed:
            return "只有评价为“不满意”的诉求可以重办"
        if appeal.reopen_count >= settings.QINQING_MAX_REOPENS:
            return f"该诉求已重办{appeal.reopen_count}次，达到上限"
    if action_name == "decline_reopen" and appeal.review != Review.PENDING:
        return "该诉求没有待复核的不满意评价"
    if action_name == "reassign" and appeal.lead_department_id is None:
        return "该诉求尚未交办，请使用受理分派"
    return None


def may_see_contact(appeal: Appeal, user) -> bool:
    """The enterprise sees its own contact's number in full; everyone else sees it masked (138****0000)."""
    return OWNER in parties(appeal, user)


# Who must call the enterprise back may ask for the full number: one audited step (``services.reveal_contact``).
REVEAL_CONTACT = frozenset({OFFICE, LEAD})


def may_reveal_contact(appeal: Appeal, user) -> bool:
    return bool(parties(appeal, user) & REVEAL_CONTACT)


def available_actions(appeal: Appeal, user) -> list[Action]:
    found = parties(appeal, user)
    return [a for name, a in ACTIONS.items() if guard_failure(appeal, name, user, found) is None]
