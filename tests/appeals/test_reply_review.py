"""答复复核: in a region that holds flagged replies, a reply waits for its quality score before the enterprise sees
it; a good one goes out by itself, a flagged one waits for the reviewer (the lead department's head, or the
office by setting), who sends it on (同意发送) or back (退回重答)."""

import pytest
from django.test import Client, override_settings

from qinqing.appeals import selectors, services
from qinqing.appeals.models import AppealEvent, Status
from qinqing.core.errors import NotPermitted, TransitionNotAllowed
from qinqing.insights.models import ReplyCheck
from tests.worker import run_worker

pytestmark = pytest.mark.django_db
K = AppealEvent.Kind

GOOD = (
    "您好，感谢您的反映。经核实，我局已于11月18日协调人力资源市场为贵公司举办专场招聘会，并推送岗位信息。",
    "目前已招到一线操作工45人，剩余缺口将在12月15日前通过劳务协作补齐。如有疑问请联系就业科王科长，电话0571-88001234。",
)


@pytest.fixture
def holding(world):
    world.city.hold_flagged_replies = True
    world.city.save()
    return world


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_without_the_setting_a_reply_goes_straight_to_the_enterprise(world, clock):
    appeal = services.reply_to_appeal(
        appeal=world.in_progress(), by=world.handler_hr, measures="已处理", result="好的"
    )
    assert appeal.status == Status.REPLIED


def test_a_good_reply_waits_only_for_its_score(holding, clock):
    w = holding
    appeal = w.in_progress(title="招工难", content="旺季缺一线操作工约50人，请求人社局组织专场招聘会")
    appeal = services.reply_to_appeal(appeal=appeal, by=w.handler_hr, measures=GOOD[0], result=GOOD[1])
    assert appeal.status == Status.REVIEW and appeal.deadline is None
    # The enterprise sees neither the reply nor its step yet.
    assert K.REPLIED not in [e.kind for e in selectors.timeline(w.ent_user_a, appeal)]
    assert "招到一线操作工45人" not in _page(w.ent_user_a).get(f"/appeals/{appeal.number}/").content.decode()
    assert run_worker() >= 1  # the score job releases it (and the steps' notices are delivered)
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED and appeal.deadline is not None  # the rating window starts now
    seen = [e.kind for e in selectors.timeline(w.ent_user_a, appeal)]
    assert seen[-1] == K.REPLY_RELEASED
    assert "招到一线操作工45人" in _page(w.ent_user_a).get(f"/appeals/{appeal.number}/").content.decode()


def test_a_flagged_reply_waits_for_the_head_who_sends_it_back_or_on(holding, clock):
    w = holding
    appeal = services.reply_to_appeal(
        appeal=w.in_progress(), by=w.handler_hr, measures="已处理", result="好的"
    )
    run_worker()
    assert ReplyCheck.objects.get(appeal=appeal).flagged
    appeal.refresh_from_db()
    assert appeal.status == Status.REVIEW  # not released by the system
    # The 答复复核 list offers the head both actions.
    listing = _page(w.head_hr).get("/insights/replies/").content.decode()
    assert f"/appeals/{appeal.number}/act/release_reply/" in listing
    assert f"/appeals/{appeal.number}/act/send_back/" in listing
    for nobody in (w.handler_hr, w.ent_user_a, w.dispatcher):  # setting "head": the office is not reviewer
        with pytest.raises((NotPermitted, TransitionNotAllowed)):
            services.send_back_reply(appeal=appeal, by=nobody, reason="x")
    r = _page(w.head_hr).post(
        f"/appeals/{appeal.number}/act/send_back/", {"reason": "答复过于简单，请写明措施和结果"}
    )
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS and appeal.replied_at is None
    last = appeal.events.last()
    assert last.kind == K.REPLY_SENT_BACK and not last.is_public
    # The department answers again; the head sends the second answer on.
    appeal = services.reply_to_appeal(appeal=appeal, by=w.handler_hr, measures=GOOD[0], result="已解决")
    appeal = services.release_reply(appeal=appeal, by=w.head_hr, note="同意")
    assert appeal.status == Status.REPLIED
    seen = [(e.kind, e.note) for e in selectors.timeline(w.ent_user_a, appeal)]
    assert (K.REPLY_RELEASED, "已解决") in seen and (K.REPLIED, "好的") not in seen
    with pytest.raises(TransitionNotAllowed):
        services.release_reply(appeal=appeal, by=w.head_hr)


@override_settings(QINQING_REPLY_REVIEWERS="office")
def test_the_office_reviews_when_the_setting_says_so(holding, clock):
    w = holding
    appeal = services.reply_to_appeal(
        appeal=w.in_progress(), by=w.handler_hr, measures="已处理", result="好的"
    )
    with pytest.raises(NotPermitted):
        services.release_reply(appeal=appeal, by=w.head_hr)
    assert services.release_reply(appeal=appeal, by=w.dispatcher).status == Status.REPLIED
