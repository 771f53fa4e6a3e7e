"""The notice kinds, in one table: what each notice is called, whom it concerns, by which channels it leaves,
whether the rules require it (then nobody can turn it off), and the SMS template it uses.

In-app (站内消息) always; email where the recipient has an address; SMS where the kind has a template (for the
enterprise: to the appeal's contact number); 企业微信 group robot where the kind is a department's business and the
department has a robot (``DepartmentWebhook``). A user turns the email and SMS copies of a kind off on the
preferences page unless the kind is ``mandatory``.

SMS gateways only send registered templates: each template here has a key (``sms``), the text registered at the
gateway with ``${var}`` placeholders (Alibaba Cloud's form; Tencent Cloud registers the same text with ``{1}``,
``{2}``, ... in the order of ``sms_vars``), and the gateway's code for it comes from ``QINQING_SMS_TEMPLATES``
(``{"appeal_replied": "SMS_123456789", ...}``). A variable is at most ``SMS_VAR_MAX`` characters (the gateways
refuse longer ones), so reasons and titles are cut; the full text is always in the in-app message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models

# Who a notice concerns (shown on the preferences page and in docs/notifications.md).
ENTERPRISE, DEPARTMENT, OFFICE, LEADER, REGISTRANT = (
    "enterprise",
    "department",
    "office",
    "leader",
    "registrant",
)
AUDIENCE_LABELS = {
    ENTERPRISE: "企业",
    DEPARTMENT: "承办部门",
    OFFICE: "营商办",
    LEADER: "领导",
    REGISTRANT: "代为登记人",
}
EMAIL, SMS, WECOM = "email", "sms", "wecom"
CHANNEL_LABELS = {"inapp": "站内消息", EMAIL: "邮件", SMS: "短信", WECOM: "企业微信群"}
SMS_VAR_MAX = 20


class Kind(models.TextChoices):
    # appeal steps, to the enterprise (and the officer or supervisor who registered it)
    ACCEPTED = "accepted", "诉求已受理交办"
    REJECTED = "rejected", "诉求不予受理"
    SIGNED = "signed", "部门已签收"
    PAUSED = "paused", "请补充材料"
    PAUSE_REMINDER = "pause_reminder", "补充材料提醒"
    EXTENDED = "extended", "办理期限已延长"
    REPLIED = "replied", "诉求已答复"
    REOPENED = "reopened", "诉求已重办"
    CLOSED = "closed", "诉求已办结"
    REASSIGNED = "reassigned", "诉求已改派"
    REOPEN_DECLINED = "reopen_declined", "不予重办"
    # to the lead and co-handling departments
    ASSIGNED = "assigned", "新交办诉求"
    DEPT_REOPENED = "dept_reopened", "诉求重办"
    DEPT_RETURNED = "dept_returned", "诉求退回重办"
    INSTRUCTION = "instruction", "领导批示"
    RATED = "rated", "企业评价"
    EXTENSION_DECIDED = "ext_decided", "延期审批结果"
    WITHDRAWN = "withdrawn", "诉求已撤回"
    # to the office
    RETURNED = "returned", "部门退回"
    EXTENSION_REQUESTED = "ext_requested", "延期申请"
    DISSATISFIED = "dissatisfied", "不满意评价"
    REOPEN_REQUESTED = "reopen_requested", "企业申请重办"
    PAUSE_OVERDUE = "pause_overdue", "挂起超时"
    # the deadline sweep and 督办 (supervision)
    WARNING = "warning", "临期预警"
    OVERDUE = "overdue", "超期提醒"
    REMINDER = "reminder", "催办通知"
    ESCALATION = "escalation", "升级通报"
    DIGEST = "digest", "时限巡检汇总"
    SUPERVISION = "supervision", "督办"
    SUPERVISION_ANSWER = "supervision_answer", "督办回复"
    # fieldwork
    ANNOUNCEMENT = "announcement", "活动通知"
    CLUE = "clue", "问题线索"
    # credit (信易+)
    CREDIT = "credit", "信用信息"
    # policies (惠企政策精准推送)
    POLICY = "policy", "政策推送"
    # key projects (重点项目)
    PROJECT_FLAG = "project_flag", "重点项目三未预警"
    # policy redemption (政策兑现)
    REDEMPTION = "redemption", "政策兑现进展"
    REDEMPTION_PAID = "redemption_paid", "政策资金已拨付"
    REDEMPTION_TASK = "redemption_task", "政策兑现待办"
    REDEMPTION_LATE = "redemption_late", "政策兑现超期"
    REDEMPTION_OBJECTION = "redemption_object", "兑现公示异议"
    # enterprise self-service sign-up (signup): the link of a new account to its enterprise
    LINK_REQUESTED = "link_requested", "企业关联申请"
    LINK_APPROVED = "link_approved", "企业关联已通过"
    LINK_REJECTED = "link_rejected", "企业关联未通过"
    # plans (行动方案与任务清单)
    PLAN_SLIP = "plan_slip", "任务督办单"
    PLAN_REVIEW = "plan_review", "任务审核与销号"


@dataclass(frozen=True)
class Notice:
    kind: str
    concerns: tuple[str, ...]
    sms: str = ""  # the template key; empty: no SMS copy
    sms_text: str = ""  # the text registered at the gateway, ${var} placeholders
    wecom: bool = False  # a copy to the concerned departments' 企业微信 group robots
    mandatory: str = ""  # why the rules require it; empty: the user may turn email/SMS off

    @property
    def label(self) -> str:
        return Kind(self.kind).label if self.kind in Kind.values else self.kind

    @property
    def sms_vars(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(re.findall(r"\$\{(\w+)\}", self.sms_text)))

    @property
    def channels(self) -> tuple[str, ...]:
        return ("inapp", EMAIL) + ((SMS,) if self.sms else ()) + ((WECOM,) if self.wecom else ())

    def render_sms(self, params: dict[str, str]) -> str:
        return re.sub(r"\$\{(\w+)\}", lambda m: params.get(m.group(1), ""), self.sms_text)


_TOLD = "《优化营商环境条例》要求将受理、办理结果告知企业"
_MATERIALS = "补正材料须一次性告知企业"
_ORDERED = "催办、通报、督办是必须送达的工作指令"

NOTICES: dict[str, Notice] = {
    n.kind: n
    for n in [
        Notice(
            Kind.ACCEPTED,
            (ENTERPRISE, REGISTRANT),
            "appeal_accepted",
            "您的诉求${number}已受理，交${dept}办理，办理时限至${date}。",
            mandatory=_TOLD,
        ),
        Notice(
            Kind.REJECTED,
            (ENTERPRISE, REGISTRANT),
            "appeal_rejected",
            "您的诉求${number}不予受理，原因：${reason}。详情请登录亲清平台查看。",
            mandatory=_TOLD,
        ),
        Notice(
            Kind.SIGNED, (ENTERPRISE, REGISTRANT), "appeal_signed", "您的诉求${number}已由${dept}签收办理。"
        ),
        Notice(
            Kind.PAUSED,
            (ENTERPRISE, REGISTRANT),
            "appeal_paused",
            "您的诉求${number}需补充材料：${reason}。请登录亲清平台上传，补齐后恢复办理。",
            mandatory=_MATERIALS,
        ),
        Notice(
            Kind.PAUSE_REMINDER,
            (ENTERPRISE, REGISTRANT),
            "appeal_pause_reminder",
            "您的诉求${number}已等待补充材料${days}个工作日，请尽快登录亲清平台上传。",
            mandatory=_MATERIALS,
        ),
        Notice(
            Kind.EXTENDED,
            (ENTERPRISE, REGISTRANT),
            "appeal_extended",
            "您的诉求${number}办理期限延长至${date}。",
        ),
        Notice(
            Kind.REPLIED,
            (ENTERPRISE, REGISTRANT),
            "appeal_replied",
            "您的诉求${number}已答复，请登录亲清平台查看并评价。",
            mandatory=_TOLD,
        ),
        Notice(
            Kind.REOPENED,
            (ENTERPRISE, REGISTRANT),
            "appeal_reopened",
            "您的诉求${number}已重新交${dept}办理，办理时限至${date}。",
        ),
        Notice(Kind.CLOSED, (ENTERPRISE, REGISTRANT), "appeal_closed", "您的诉求${number}已办结。"),
        Notice(
            Kind.ASSIGNED,
            (DEPARTMENT,),
            "dept_assigned",
            "新交办诉求${number}，请于${date}前签收。",
            wecom=True,
        ),
        Notice(
            Kind.DEPT_REOPENED,
            (DEPARTMENT,),
            "dept_reopened",
            "诉求${number}重办，办理时限至${date}。",
            wecom=True,
        ),
        Notice(
            Kind.DEPT_RETURNED, (DEPARTMENT,), "dept_returned", "诉求${number}退回重办，请查看。", wecom=True
        ),
        Notice(Kind.INSTRUCTION, (DEPARTMENT,), wecom=True),
        Notice(Kind.RATED, (DEPARTMENT,)),
        Notice(Kind.EXTENSION_DECIDED, (DEPARTMENT,)),
        Notice(Kind.WITHDRAWN, (DEPARTMENT,)),
        Notice(Kind.RETURNED, (OFFICE,)),
        Notice(Kind.EXTENSION_REQUESTED, (OFFICE,)),
        Notice(Kind.DISSATISFIED, (OFFICE,)),
        Notice(Kind.REOPEN_REQUESTED, (OFFICE,)),
        Notice(Kind.PAUSE_OVERDUE, (OFFICE,)),
        Notice(
            Kind.WARNING,
            (DEPARTMENT, OFFICE),
            "deadline_warning",
            "诉求${number}${step}环节将于${date}到期。",
        ),
        Notice(
            Kind.OVERDUE,
            (DEPARTMENT, OFFICE),
            "deadline_overdue",
            "诉求${number}${step}环节已于${date}超期。",
        ),
        Notice(
            Kind.REMINDER,
            (DEPARTMENT, OFFICE),
            "deadline_reminder",
            "催办：诉求${number}${step}环节已超期，请当日办理。",
            wecom=True,
            mandatory=_ORDERED,
        ),
        Notice(
            Kind.ESCALATION,
            (DEPARTMENT, OFFICE, LEADER),
            "deadline_escalation",
            "通报：诉求${number}超期未办，已升级通报。",
            wecom=True,
            mandatory=_ORDERED,
        ),
        Notice(
            Kind.DIGEST,
            (DEPARTMENT, OFFICE, LEADER),
            "deadline_digest",
            "时限巡检：您有${count}件诉求需关注，请登录亲清平台查看。",
            wecom=True,
            mandatory="汇总中含催办、通报等必须送达的工作指令",
        ),
        Notice(
            Kind.SUPERVISION,
            (DEPARTMENT,),
            "supervision_order",
            "督办：请于${date}前回复（${number}）。",
            wecom=True,
            mandatory=_ORDERED,
        ),
        Notice(Kind.SUPERVISION_ANSWER, (OFFICE, LEADER)),
        Notice(Kind.ANNOUNCEMENT, (ENTERPRISE, DEPARTMENT, OFFICE, REGISTRANT)),
        Notice(Kind.CLUE, (DEPARTMENT, OFFICE, REGISTRANT)),
        Notice(
            Kind.REASSIGNED,
            (ENTERPRISE, REGISTRANT),
            "appeal_reassigned",
            "您的诉求${number}已改由${dept}办理。",
        ),
        Notice(
            Kind.REOPEN_DECLINED,
            (ENTERPRISE, REGISTRANT),
            "appeal_reopen_declined",
            "您对诉求${number}的不满意评价已复核，不予重办，原因：${reason}。",
            mandatory=_TOLD,
        ),
        Notice(Kind.CREDIT, (ENTERPRISE, DEPARTMENT, OFFICE)),
        Notice(Kind.POLICY, (ENTERPRISE,)),
        Notice(Kind.PROJECT_FLAG, (OFFICE, LEADER, REGISTRANT)),
        Notice(Kind.REDEMPTION, (ENTERPRISE,)),
        Notice(
            Kind.REDEMPTION_PAID,
            (ENTERPRISE,),
            "redemption_paid",
            "${item}资金${amount}万元已于${date}拨付，请注意查收。兑现免费，无需中介。",
            mandatory=_TOLD,
        ),
        Notice(Kind.REDEMPTION_TASK, (DEPARTMENT,)),
        Notice(
            Kind.REDEMPTION_LATE,
            (DEPARTMENT, OFFICE),
            "redemption_late",
            "政策兑现${number}（${item}）${step}已超期，请尽快办理。",
            wecom=True,
            mandatory=_ORDERED,
        ),
        Notice(Kind.REDEMPTION_OBJECTION, (OFFICE,)),
        Notice(Kind.LINK_REQUESTED, (OFFICE,)),
        Notice(
            Kind.LINK_APPROVED,
            (ENTERPRISE,),
            "link_approved",
            "您的账号已关联企业${name}，请登录亲清平台办理业务。",
            mandatory="注册审核结果须告知申请人",
        ),
        Notice(
            Kind.LINK_REJECTED,
            (ENTERPRISE,),
            "link_rejected",
            "您的企业关联申请未通过，原因：${reason}。详情请登录亲清平台查看。",
            mandatory="注册审核结果须告知申请人",
        ),
        Notice(
            Kind.PLAN_SLIP,
            (DEPARTMENT, OFFICE, LEADER),
            "plan_slip",
            "任务督办：${task}${reason}，请于${date}前回复。",
            wecom=True,
            mandatory=_ORDERED,
        ),
        Notice(Kind.PLAN_REVIEW, (DEPARTMENT, OFFICE)),
    ]
}


def notice(kind: str) -> Notice:
    """The row of ``kind``; a kind another app has not (yet) put in the table leaves in-app and by email."""
    return NOTICES.get(kind) or Notice(kind, ())


def audiences_of(user) -> set[str]:
    from qinqing.accounts.models import Role

    return {
        Role.ENTERPRISE: {ENTERPRISE},
        Role.HANDLER: {DEPARTMENT},
        Role.DEPT_HEAD: {DEPARTMENT},
        Role.DISPATCHER: {OFFICE},
        Role.LEADER: {OFFICE, LEADER},
        Role.OFFICER: {REGISTRANT},
        Role.SUPERVISOR: {REGISTRANT},
    }.get(user.role, set())


def kinds_for(user) -> list[Notice]:
    """The notice kinds that can reach ``user`` (the preferences page lists these)."""
    mine = audiences_of(user)
    return [n for n in NOTICES.values() if mine & set(n.concerns)]


def short(text: str, limit: int = SMS_VAR_MAX) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
