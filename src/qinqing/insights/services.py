"""Writes of the insights app: routing suggestions for triage, links, candidate groups and common issues.

Every change to an appeal goes through ``qinqing.appeals.services`` so it is an event with a row lock, as always.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.accounts.scope import region_of
from qinqing.appeals import services as appeal_services
from qinqing.appeals.models import OPEN_STATUSES, Appeal, Category, Status
from qinqing.appeals.selectors import appeals_visible_to
from qinqing.core.errors import DomainError, InvalidInput, NotPermitted, NotVisible
from qinqing.insights import grouping, routing
from qinqing.insights.models import AppealLink, AppealText, CommonIssue
from qinqing.organisation.models import Department, within

# ---------------------------------------------------------------- routing


@dataclass
class RoutingAdvice:
    category: Category
    confidence: float
    department: Department | None  # from the responsibility catalogue of the appeal's region


def routing_advice(appeal: Appeal, k: int = 3) -> tuple[list[RoutingAdvice], list[routing.Suggestion]]:
    """Top-k categories (with the catalogue's lead department for each) and the departments the history suggests.

    Empty lists when no model was trained yet: the triage screen then shows the catalogue proposal only.
    """
    text = f"{appeal.title}{appeal.content}"
    categories: list[RoutingAdvice] = []
    model = routing.load("category")
    if model is not None:
        by_name = {c.name: c for c in Category.objects.filter(active=True)}
        for s in model.suggest(text, k):
            category = by_name.get(s.label)
            if category is None:
                continue
            entry = appeal_services.suggest_assignment(appeal.region, category)
            categories.append(RoutingAdvice(category, s.confidence, entry.lead_department if entry else None))
    departments: list[routing.Suggestion] = []
    dept_model = routing.load("department")
    if dept_model is not None:
        departments = dept_model.suggest(text, k)
    return categories, departments


# ---------------------------------------------------------------- links


def link_appeals(*, appeal: Appeal, related: Appeal, by: User, similarity: float | None = None) -> AppealLink:
    if by.role != Role.DISPATCHER:
        raise NotPermitted("只有营商办调度员可以关联诉求")
    visible = appeals_visible_to(by)
    if not visible.filter(pk=appeal.pk).exists() or not visible.filter(pk=related.pk).exists():
        raise NotVisible("未找到该诉求")
    if appeal.pk == related.pk:
        raise InvalidInput("不能关联诉求本身")
    link, created = AppealLink.objects.get_or_create(
        appeal=appeal, related=related, defaults={"created_by": by, "similarity": similarity}
    )
    if created:
        appeal_services.add_note(appeal=appeal, by=by, note=f"关联相似诉求 {related.number}：{related.title}")
    return link


# ---------------------------------------------------------------- common issues


def _require_office(user: User) -> None:
    if user.role not in (Role.DISPATCHER, Role.LEADER) or not user.region_id:
        raise NotPermitted("只有营商办调度员或领导可以查看共性问题")


def fate_on_confirm(status: str) -> str:
    """What confirming a common issue does to a member in ``status`` (exactly what ``confirm_common_issue`` does)."""
    label = Status(status).label
    if status == Status.SUBMITTED:
        return f"{label}：确认后分派给所选牵头单位（及配合单位）办理，分派说明注明本共性问题"
    if status in OPEN_STATUSES:
        return f"{label}：保留原主办单位和办理时限，办理记录中注明已纳入本共性问题"
    return f"{label}：仅关联到本共性问题，不改变其状态，不写办理记录"


def candidate_groups(
    user: User, *, start: dt.date, end: dt.date, threshold: float = 0.3, limit: int = 30
) -> list[dict]:
    """Candidate common issues among the appeals ``user`` may see that were submitted in [start, end]."""
    _require_office(user)
    if start > end:
        raise InvalidInput("开始日期不能晚于结束日期", {"start": ["开始日期不能晚于结束日期"]})
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    scope = (
        appeals_visible_to(user)
        .filter(submitted_at__gte=since, submitted_at__lt=until)
        .exclude(status__in=[Status.REJECTED, Status.WITHDRAWN, Status.MERGED])
        .exclude(common_issues__isnull=False)
    )
    appeals = list(
        scope.values(
            "id",
            "number",
            "title",
            "content",
            "submitted_at",
            "enterprise__name",
            "lead_department__name",
            "status",
            "channel",
        )
    )
    # The ids as a subquery, not a list: a long period can hold more appeals than a statement takes parameters.
    ids = scope.values("id")
    # Only words already stored (the background job analyses new appeals every minute): a read never writes.
    words = dict(AppealText.objects.filter(appeal_id__in=ids).values_list("appeal_id", "words"))
    appeals = [
        a for a in appeals if a["id"] in words
    ]  # submitted in the last minute: grouped on the next read
    docs = [grouping.Doc(a["id"], words.get(a["id"], ""), a["submitted_at"]) for a in appeals]
    result = []
    for g in grouping.group(docs, threshold=threshold)[:limit]:
        members: list[dict[str, Any]] = [
            {
                **appeals[i],
                "status_label": Status(appeals[i]["status"]).label,
                "fate": fate_on_confirm(appeals[i]["status"]),
            }
            for i in g.members
        ]
        enterprises = sorted({m["enterprise__name"] for m in members})
        if len(enterprises) < 2:
            continue  # one enterprise repeating itself is a duplicate, not a common issue
        rep = appeals[g.representative]
        result.append(
            {
                "size": g.size,
                "heat": g.heat,
                "cohesion": g.cohesion,
                "keywords": g.keywords,
                "representative": rep,
                "enterprises": enterprises,
                "departments": sorted(
                    {m["lead_department__name"] for m in members if m["lead_department__name"]}
                ),
                "channels": sorted({m["channel"] for m in members}),
                "start": g.start,
                "end": g.end,
                "members": members,
            }
        )
    return result


@transaction.atomic
def confirm_common_issue(
    *,
    by: User,
    appeals: list[Appeal],
    title: str,
    lead: Department,
    co: Sequence[Department] = (),
    summary: str = "",
    keywords: str = "",
) -> CommonIssue:
    """Turn a group into a common issue. Members still waiting for triage are assigned to its lead and co; other
    open members keep their department and get a note; finished ones are only linked (``fate_on_confirm``).
    ``issue.outcome`` counts the three: assigned, noted, linked."""
    if by.role != Role.DISPATCHER:
        raise NotPermitted("只有营商办调度员可以确认共性问题")
    errors = {}
    if not title.strip():
        errors["title"] = ["请填写问题概括"]
    if len(appeals) < 2:
        errors["appeals"] = ["共性问题至少包含两件诉求"]
    if errors:
        raise InvalidInput("提交内容有误，请修改后重试", errors)
    visible_ids = set(
        appeals_visible_to(by).filter(pk__in=[a.pk for a in appeals]).values_list("pk", flat=True)
    )
    if len(visible_ids) != len({a.pk for a in appeals}):
        raise NotVisible("未找到该诉求")
    issue = CommonIssue.objects.create(
        title=title.strip()[:100],
        summary=summary.strip(),
        keywords=keywords[:200],
        region=region_of(by),
        lead_department=lead,
        created_by=by,
    )
    issue.co_departments.set([d for d in co if d.pk != lead.pk])
    issue.members.set(appeals)
    issue.outcome = {"assigned": 0, "noted": 0, "linked": 0}
    for appeal in appeals:
        if appeal.status == Status.SUBMITTED:
            issue.outcome["assigned"] += 1
            appeal_services.assign_appeal(
                appeal=appeal,
                by=by,
                lead=lead,
                co=list(issue.co_departments.all()),
                note=f"共性问题：{issue.title}",
            )
        elif appeal.status in OPEN_STATUSES:
            issue.outcome["noted"] += 1
            appeal_services.add_note(
                appeal=appeal, by=by, note=f"已纳入共性问题“{issue.title}”统一协调，牵头单位：{lead.name}"
            )
        else:
            issue.outcome["linked"] += 1
    return issue


def answer_common_issue(*, issue: CommonIssue, by: User, measures: str, result: str) -> dict:
    """The lead department answers once; every open member appeal it leads is signed if needed and replied.

    Members led by another department get the answer as a progress note and keep their own deadline: their
    department still replies to its enterprise. Returns counts of both.
    """
    if by.role not in (Role.HANDLER, Role.DEPT_HEAD) or by.department_id != issue.lead_department_id:
        raise NotPermitted("只有牵头单位可以统一答复共性问题")
    if issue.status != CommonIssue.Status.OPEN:
        raise InvalidInput("该共性问题已统一答复")
    if not measures.strip() or not result.strip():
        raise InvalidInput("请填写采取的措施和办理结果", {"measures": ["必填"], "result": ["必填"]})
    replied, noted = 0, 0
    with transaction.atomic():
        issue = CommonIssue.objects.select_for_update().get(pk=issue.pk)
        for appeal in issue.members.order_by("id"):
            if appeal.status not in OPEN_STATUSES:
                continue
            if appeal.lead_department_id == issue.lead_department_id:
                if appeal.status == Status.ASSIGNED:
                    appeal = appeal_services.sign_appeal(appeal=appeal, by=by)
                if appeal.status == Status.IN_PROGRESS:
                    appeal_services.reply_to_appeal(
                        appeal=appeal,
                        by=by,
                        measures=measures,
                        result=f"{result}\n（共性问题“{issue.title}”统一答复）",
                    )
                    replied += 1
                    continue
            try:
                appeal_services.add_note(
                    appeal=appeal, by=by, note=f"共性问题“{issue.title}”已统一答复：{result}"
                )
                noted += 1
            except DomainError:
                pass  # led by a department this user cannot write to: it still answers its own enterprise
        issue.status = CommonIssue.Status.SOLVED
        issue.reply = f"{measures.strip()}\n{result.strip()}"
        issue.solved_at = timezone.now()
        issue.solved_by = by
        issue.save()
    return {"replied": replied, "noted": noted}


def common_issues_visible_to(user: User):
    qs = CommonIssue.objects.select_related("lead_department", "region")
    if user.role in (Role.DISPATCHER, Role.LEADER) and user.region is not None:
        return qs.filter(within(user.region, "region"))
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and user.department_id:
        from django.db.models import Q

        return qs.filter(Q(lead_department=user.department) | Q(co_departments=user.department)).distinct()
    return qs.none()
