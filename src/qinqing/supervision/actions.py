"""Each supervision action once, for the page and the API: resolve the input's references the same way, then
call the one service. Both surfaces map the domain errors (the API's handler, ``core.pages`` for pages)."""

from qinqing.accounts.models import User
from qinqing.appeals import selectors
from qinqing.core.errors import InvalidInput, NotVisible
from qinqing.organisation.models import Department
from qinqing.supervision import inputs, services
from qinqing.supervision.models import RatingContest, SupervisionOrder


def issue(by: User, data: inputs.OrderIn) -> SupervisionOrder:
    department = Department.objects.select_related("region").filter(pk=data.department).first()
    if department is None:
        raise InvalidInput("督办单位不存在", {"department": ["督办单位不存在"]})
    appeals = [selectors.get_visible_appeal(by, n.strip().upper()) for n in data.appeals]
    return services.issue_order(
        by=by, department=department, appeals=appeals, content=data.content, respond_by=data.respond_by
    )


def order(by: User, pk: int) -> SupervisionOrder:
    found = services.orders_visible_to(by).filter(pk=pk).first()
    if found is None:
        raise NotVisible("未找到该督办单")
    return found


def answer(by: User, pk: int, data: inputs.AnswerIn) -> SupervisionOrder:
    return services.answer_order(order=order(by, pk), by=by, answer=data.answer)


def contest(by: User, number: str, data: inputs.ContestIn) -> RatingContest:
    appeal = selectors.get_visible_appeal(by, number)
    return services.contest_rating(appeal=appeal, by=by, reason=data.reason)


def decide(by: User, number: str, data: inputs.DecideIn) -> RatingContest:
    appeal = selectors.get_visible_appeal(by, number)
    item = RatingContest.objects.filter(appeal=appeal).first()
    if item is None:
        raise NotVisible("该诉求没有评价申诉")
    item.appeal = appeal
    return services.decide_contest(contest=item, by=by, uphold=data.uphold, note=data.note)
