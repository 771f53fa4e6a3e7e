"""Panels the appeal page borrows from insights, so the appeals app itself never imports this one."""

from django import template

from qinqing.accounts.models import Role
from qinqing.appeals.models import Status
from qinqing.insights import services, similar
from qinqing.insights.models import ReplyCheck

register = template.Library()


@register.inclusion_tag("insights/_routing_panel.html")
def routing_panel(appeal, user):
    if user.role != Role.DISPATCHER or appeal.status != Status.SUBMITTED:
        return {"show": False}
    categories, departments = services.routing_advice(appeal)
    return {"show": True, "categories": categories, "departments": departments, "appeal": appeal}


@register.inclusion_tag("insights/_similar_panel.html", takes_context=True)
def similar_panel(context, appeal, user):
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        return {"show": False}
    matches = similar.similar_appeals(user, f"{appeal.title}{appeal.content}", exclude=appeal.pk)
    linked = set(appeal.links_out.values_list("related_id", flat=True))
    return {
        "show": True,
        "matches": matches,
        "appeal": appeal,
        "linked": linked,
        "can_link": user.role == Role.DISPATCHER,
        "can_merge": user.role == Role.DISPATCHER
        and appeal.status in (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.PAUSED),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("insights/_reply_check.html")
def reply_check_panel(appeal, user):
    if user.role not in (Role.DEPT_HEAD, Role.DISPATCHER, Role.HANDLER, Role.LEADER):
        return {"show": False}
    check = ReplyCheck.objects.filter(appeal=appeal).first()  # the newest (ordering): None before any reply
    return {"show": check is not None, "check": check}


@register.simple_tag
def common_issues_of(appeal):
    return list(appeal.common_issues.all())
