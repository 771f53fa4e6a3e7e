"""The supervision panel on the appeal page: open orders with their lights, and the form to issue one."""

from django import template
from django.utils import timezone

from qinqing.accounts.models import Role
from qinqing.appeals.models import FINAL_STATUSES
from qinqing.supervision import workflow

register = template.Library()


@register.inclusion_tag("supervision/_panel.html", takes_context=True)
def supervision_panel(context, appeal, user):
    orders = list(appeal.supervision_orders.select_related("department").order_by("-issued_at"))
    can_issue = (
        user.role in (Role.DISPATCHER, Role.LEADER)
        and appeal.lead_department_id
        and appeal.status not in FINAL_STATUSES
    )
    departments = []
    if can_issue:
        departments = [appeal.lead_department, *appeal.co_departments.all()]
    from qinqing.supervision.models import RatingContest

    contest = RatingContest.objects.filter(appeal=appeal).first()
    can_contest = (
        contest is None
        and bool(appeal.satisfaction)
        and not appeal.auto_closed
        and user.role in (Role.HANDLER, Role.DEPT_HEAD)
        and user.department_id == appeal.lead_department_id
    )
    decide = {}
    if contest is not None:
        contest.appeal = appeal
        decide = {a.name: a for a in workflow.CONTESTS.available(contest, user)}
    return {
        "contest": contest,
        "can_contest": can_contest,
        "can_decide": bool(decide),
        "decide": decide,
        "orders": orders,
        "appeal": appeal,
        "can_issue": can_issue,
        "departments": departments,
        "default_date": timezone.localdate() + timezone.timedelta(days=3),
        "csrf_token": context.get("csrf_token"),
    }
