"""Text-insight endpoints: similar appeals, routing suggestions, reply checks, common issues."""

import datetime as dt

from django.db.models import Q
from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.appeals import selectors
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.core.inputs import Day
from qinqing.insights import actions, inputs, routing, services
from qinqing.insights.models import CommonIssue, ReplyCheck

router = Router(tags=["文本分析"])


class SimilarOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    enterprise: str
    submitted_at: dt.datetime
    similarity: float


EXCLUDE_MISSING = {404: {"description": "exclude 所指的诉求不存在或不在本人可见范围内"}}


def _similar(request, text: str, exclude: str | None) -> list[SimilarOut]:
    return [
        SimilarOut(
            number=m.appeal.number,
            title=m.appeal.title,
            status=m.appeal.status,
            status_label=m.appeal.get_status_display(),
            enterprise=m.appeal.enterprise.name,
            submitted_at=m.appeal.submitted_at,
            similarity=m.similarity,
        )
        for m in actions.similar_appeals(request.auth, text, exclude)
    ]


# A query string must fit the request line servers accept (gunicorn: 4094 bytes, about 250 characters
# percent-encoded at 4 bytes each); a whole appeal's text goes in the body of the POST below.
@router.get(
    "/similar",
    response=list[SimilarOut],
    summary="相似诉求（最多5件，仅限本人可见范围；长文本请用 POST）",
    url_name="insights_similar",
    openapi_extra={"responses": EXCLUDE_MISSING},
)
def similar_list(
    request,
    text: str = Query(..., max_length=250),
    exclude: str | None = Query(None, max_length=30),
):
    return _similar(request, text, exclude)


class SimilarIn(Schema):
    text: str = Field(..., max_length=20000, title="诉求内容")
    exclude: str | None = Field(None, max_length=30, title="排除的诉求编号", description="诉求自己的编号")


@router.post(
    "/similar",
    response=list[SimilarOut],
    summary="相似诉求（文本放在请求体中；最多5件，仅限本人可见范围）",
    openapi_extra={"responses": EXCLUDE_MISSING},
)
def similar_search(request, payload: SimilarIn):
    return _similar(request, payload.text, payload.exclude)


class RoutingSuggestionOut(Schema):
    label: str
    confidence: float
    department: str | None = None


class RoutingOut(Schema):
    model_version: int | None
    categories: list[RoutingSuggestionOut]
    departments: list[RoutingSuggestionOut]


def _office(user) -> None:
    if user.role not in (Role.DISPATCHER, Role.LEADER):
        raise NotPermitted("只有营商办调度员或领导可以查看分拨建议")


@router.get("/appeals/{number}/routing", response=RoutingOut, summary="诉求的分拨建议（前三类别及责任部门）")
def appeal_routing(request, number: str):
    _office(request.auth)
    appeal = selectors.get_visible_appeal(request.auth, number)
    categories, departments = services.routing_advice(appeal)
    model = routing.load("category")
    return RoutingOut(
        model_version=model.meta.get("version") if model else None,
        categories=[
            RoutingSuggestionOut(
                label=c.category.name,
                confidence=c.confidence,
                department=c.department.name if c.department else None,
            )
            for c in categories
        ],
        departments=[RoutingSuggestionOut(label=d.label, confidence=d.confidence) for d in departments],
    )


@router.post("/routing", response=RoutingOut, summary="任意文本的分拨建议")
def text_routing(request, payload: inputs.TextIn):
    _office(request.auth)
    if not payload.text.strip():
        raise InvalidInput("请输入诉求内容", {"text": ["请输入诉求内容"]})
    cat, dept = routing.load("category"), routing.load("department")
    return RoutingOut(
        model_version=cat.meta.get("version") if cat else None,
        categories=[
            RoutingSuggestionOut(label=s.label, confidence=s.confidence)
            for s in (cat.suggest(payload.text) if cat else [])
        ],
        departments=[
            RoutingSuggestionOut(label=s.label, confidence=s.confidence)
            for s in (dept.suggest(payload.text) if dept else [])
        ],
    )


class LinkOut(Schema):
    appeal: str
    related: str


@router.post("/appeals/{number}/links", response={201: LinkOut}, summary="关联相似诉求")
def link(request, number: str, payload: inputs.LinkIn):
    made = actions.link(request.auth, number, payload)
    return Status(201, {"appeal": made.appeal.number, "related": made.related.number})


class ReplyCheckOut(Schema):
    score: int
    relevance: float
    flagged: bool
    reasons: list[str]


@router.post(
    "/appeals/{number}/reply-check",
    response=ReplyCheckOut,
    summary="答复质量预检（不保存）",
    url_name="insights_reply_check",
)
def reply_check(request, number: str, payload: inputs.ReplyDraftIn):
    r = actions.reply_check(request.auth, number, payload)
    return ReplyCheckOut(score=r.score, relevance=r.relevance, flagged=r.flagged, reasons=r.reasons)


class CheckRow(Schema):
    number: str
    title: str
    department: str | None
    checked_at: dt.datetime
    pending: bool = Field(..., description="评分中：答复已提交，后台任务尚未评分（score 等为空）")
    score: int | None
    relevance: float | None
    flagged: bool
    reasons: list[str]


def reply_checks_visible_to(user):
    if user.role not in (Role.DEPT_HEAD, Role.DISPATCHER, Role.LEADER):
        raise NotPermitted("只有部门负责人或营商办可以复核答复质量")
    return ReplyCheck.objects.filter(appeal__in=selectors.appeals_visible_to(user)).select_related(
        "appeal", "appeal__lead_department"
    )


@router.get(
    "/reply-checks", response=list[CheckRow], summary="答复质量检查记录（默认只列需复核的和评分中的）"
)
def reply_checks(request, flagged: bool = True, limit: int = Query(50, ge=1, le=500)):
    qs = reply_checks_visible_to(request.auth)
    if flagged:
        qs = qs.filter(Q(flagged=True) | Q(score__isnull=True))
    return [
        CheckRow(
            number=c.appeal.number,
            title=c.appeal.title,
            department=c.appeal.lead_department.name if c.appeal.lead_department else None,
            checked_at=c.checked_at,
            pending=c.pending,
            score=c.score,
            relevance=c.relevance,
            flagged=c.flagged,
            reasons=c.reasons,
        )
        for c in qs[:limit]
    ]


class CandidateMemberOut(Schema):
    number: str
    title: str
    enterprise: str
    status: str
    status_label: str
    fate: str = Field(description="确认为共性问题时对该诉求的处理")


class GroupOut(Schema):
    size: int
    heat: float
    keywords: list[str]
    representative: str
    representative_title: str
    enterprises: list[str]
    departments: list[str]
    start: dt.datetime | None
    end: dt.datetime | None
    members: list[str]
    member_details: list[CandidateMemberOut]


@router.get("/common-candidates", response=list[GroupOut], summary="共性问题候选（按热度排序）")
def common_candidates(request, start: Day, end: Day):
    groups = services.candidate_groups(request.auth, start=start, end=end)
    return [
        GroupOut(
            size=g["size"],
            heat=g["heat"],
            keywords=g["keywords"],
            representative=g["representative"]["number"],
            representative_title=g["representative"]["title"],
            enterprises=g["enterprises"],
            departments=g["departments"],
            start=g["start"],
            end=g["end"],
            members=[m["number"] for m in g["members"]],
            member_details=[
                CandidateMemberOut(
                    number=m["number"],
                    title=m["title"],
                    enterprise=m["enterprise__name"],
                    status=m["status"],
                    status_label=m["status_label"],
                    fate=m["fate"],
                )
                for m in g["members"]
            ],
        )
        for g in groups
    ]


class CommonIssueOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    lead: str
    members: list[str]
    reply: str


def _issue_out(issue: CommonIssue) -> CommonIssueOut:
    return CommonIssueOut(
        id=issue.pk,
        title=issue.title,
        status=issue.status,
        status_label=issue.get_status_display(),
        lead=issue.lead_department.name,
        members=list(issue.members.order_by("id").values_list("number", flat=True)),
        reply=issue.reply,
    )


@router.post("/common-issues", response={201: CommonIssueOut}, summary="确认共性问题")
def create_issue(request, payload: inputs.CommonIssueIn):
    return Status(201, _issue_out(actions.confirm(request.auth, payload)))


@router.get("/common-issues", response=list[CommonIssueOut], summary="共性问题列表")
def list_issues(request):
    return [_issue_out(i) for i in services.common_issues_visible_to(request.auth)[:200]]


class IssueAnsweredOut(CommonIssueOut):
    replied: int = Field(description="答复的成员诉求数")
    noted: int = Field(description="记入进展的成员诉求数")


@router.post("/common-issues/{issue_id}/answer", response=IssueAnsweredOut, summary="牵头单位统一答复")
def answer_issue(request, issue_id: int, payload: inputs.IssueAnswerIn):
    counts = actions.answer(request.auth, issue_id, payload)
    return {**_issue_out(actions.issue(request.auth, issue_id)).dict(), **counts}
