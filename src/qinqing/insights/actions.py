"""Each insights action once, for the page and the API: resolve the input's references the same way, then call
the one service. Both surfaces map the domain errors (the API's handler, ``core.pages`` for pages)."""

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible
from qinqing.insights import inputs, services, similar
from qinqing.insights.models import AppealLink, CommonIssue
from qinqing.insights.quality import QualityResult, check_reply
from qinqing.organisation.models import Department
from qinqing.organisation.selectors import departments_in_reach


def link(by: User, number: str, data: inputs.LinkIn) -> AppealLink:
    appeal = selectors.get_visible_appeal(by, number)
    related = selectors.get_visible_appeal(by, data.related.strip().upper())
    return services.link_appeals(appeal=appeal, related=related, by=by)


def _department(user: User, pk: int, field: str) -> Department:
    region = user.region
    dept = departments_in_reach(region).filter(pk=pk).first() if region is not None else None
    if dept is None:
        raise InvalidInput("单位不存在或不在您的管辖范围内", {field: ["单位不存在或不在您的管辖范围内"]})
    return dept


def confirm(by: User, data: inputs.CommonIssueIn) -> CommonIssue:
    if by.role != Role.DISPATCHER:
        raise NotPermitted("只有营商办调度员可以确认共性问题")
    lead = _department(by, data.lead, "lead")
    co = [_department(by, pk, "co") for pk in data.co]
    numbers = [n.strip().upper() for n in data.appeals]
    appeals = list(selectors.appeals_visible_to(by).filter(number__in=numbers))
    if len(appeals) != len(set(numbers)):
        raise NotVisible("未找到部分诉求")
    return services.confirm_common_issue(
        by=by,
        appeals=appeals,
        title=data.title,
        lead=lead,
        co=co,
        summary=data.summary,
        keywords=data.keywords,
    )


def issue(by: User, pk: int) -> CommonIssue:
    found = services.common_issues_visible_to(by).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该共性问题")
    return found


def answer(by: User, pk: int, data: inputs.IssueAnswerIn) -> dict:
    return services.answer_common_issue(
        issue=issue(by, pk), by=by, measures=data.measures, result=data.result
    )


def similar_appeals(by: User, text: str, exclude: str | None = None) -> list:
    """Up to five appeals like `text` among those `by` may see (``exclude``: an appeal's own number)."""
    if by.role not in (Role.ENTERPRISE, Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise NotPermitted("您的角色不能查看诉求")
    exclude_id = selectors.get_visible_appeal(by, exclude.strip().upper()).pk if exclude else None
    return similar.similar_appeals(by, text, exclude=exclude_id)


def reply_check(by: User, number: str, data: inputs.ReplyDraftIn) -> QualityResult:
    """The quality check of a reply before it is sent; nothing is saved."""
    appeal = selectors.get_visible_appeal(by, number)
    if by.role not in (Role.HANDLER, Role.DEPT_HEAD, Role.DISPATCHER):
        raise NotPermitted("只有办理部门或营商办可以检查答复")
    if not (data.measures.strip() or data.result.strip()):
        raise InvalidInput("请先填写答复内容", {"result": ["请先填写答复内容"]})
    return check_reply(f"{appeal.title}{appeal.content}", f"{data.measures}\n{data.result}")
