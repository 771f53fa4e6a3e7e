"""Every transition of the appeal workflow, and every refusal, as specifications."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from qinqing.appeals import selectors, services
from qinqing.appeals.models import Appeal, AppealEvent, ExtensionRequest, Light, Status
from qinqing.core.errors import InvalidInput, NotPermitted, NotVisible, TransitionNotAllowed
from tests.conftest import at

pytestmark = pytest.mark.django_db
K = AppealEvent.Kind


def kinds(appeal):
    return list(appeal.events.values_list("kind", flat=True))


class TestSubmit:
    def test_enterprise_submits_online_with_triage_deadline(self, world, clock):
        appeal = world.submit()
        assert appeal.status == Status.SUBMITTED
        assert appeal.number.startswith("QQ20261116")
        assert appeal.channel == "online"
        assert appeal.enterprise == world.ent_a
        assert appeal.region == world.east
        assert appeal.deadline == at(2026, 11, 17, 23, 59).replace(second=59)
        assert appeal.contact_mobile == "13800000001"  # defaults to the primary contact
        assert kinds(appeal) == [K.SUBMITTED]

    def test_numbers_are_sequential_within_a_day(self, world, clock):
        a, b = world.submit(), world.submit()
        assert int(b.number[-4:]) == int(a.number[-4:]) + 1

    def test_same_idempotency_key_creates_one_appeal(self, world, clock):
        a, created_a = services.submit_appeal(
            by=world.ent_user_a, title="t", content="c", category=world.labour, idempotency_key="k1"
        )
        b, created_b = services.submit_appeal(
            by=world.ent_user_a, title="t", content="c", category=world.labour, idempotency_key="k1"
        )
        assert (created_a, created_b) == (True, False)
        assert a.pk == b.pk
        assert Appeal.objects.count() == 1

    def test_dispatcher_registers_on_behalf_with_channel(self, world, clock):
        appeal = world.submit(by=world.dispatcher, enterprise=world.ent_b, channel="theme_day")
        assert appeal.channel == "theme_day"
        assert appeal.events.get().data["on_behalf_of"] == world.ent_b.name

    def test_district_dispatcher_cannot_register_for_another_district(self, world, clock):
        with pytest.raises(InvalidInput) as exc:
            world.submit(by=world.dispatcher_east, enterprise=world.ent_b, channel="hotline")
        assert "管辖" in exc.value.message

    def test_enterprise_cannot_submit_for_another_enterprise(self, world, clock):
        with pytest.raises(InvalidInput):
            world.submit(by=world.ent_user_a, enterprise=world.ent_b)
        assert Appeal.objects.count() == 0

    def test_handler_cannot_submit(self, world, clock):
        with pytest.raises(NotPermitted):
            world.submit(by=world.handler_hr)

    def test_missing_title_and_bad_mobile_are_reported_per_field(self, world, clock):
        with pytest.raises(InvalidInput) as exc:
            world.submit(title="  ", contact_name="张三", contact_mobile="12345")
        assert exc.value.errors["title"] == ["请填写标题"]
        assert "手机号码" in exc.value.errors["contact_mobile"][0]
        assert Appeal.objects.count() == 0

    def test_inactive_category_refused(self, world, clock):
        world.labour.active = False
        world.labour.save()
        with pytest.raises(InvalidInput) as exc:
            world.submit()
        assert "停用" in exc.value.errors["category"][0]

    @override_settings(ATTACHMENT_MAX_BYTES=1024)
    def test_oversized_attachment_refused_and_nothing_saved(self, world, clock):
        big = SimpleUploadedFile("现场照片.jpg", b"x" * 2048, content_type="image/jpeg")
        with pytest.raises(InvalidInput) as exc:
            world.submit(attachments=[big])
        assert "超过" in exc.value.errors["attachments"][0]
        assert Appeal.objects.count() == 0

    def test_executable_attachment_refused(self, world, clock):
        exe = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
        with pytest.raises(InvalidInput) as exc:
            world.submit(attachments=[exe])
        assert ".exe" in exc.value.errors["attachments"][0]

    def test_allowed_attachment_is_stored(self, world, clock, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path
        pdf = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        appeal = world.submit(attachments=[pdf])
        att = appeal.attachments.get()
        assert att.original_name == "说明.pdf" and att.size == 13


class TestTriage:
    def test_suggestion_comes_from_the_catalogue_of_the_nearest_region(self, world):
        entry = services.suggest_assignment(world.east, world.labour)
        assert entry.lead_department == world.hr
        assert list(entry.co_departments.all()) == [world.land]

    def test_assign_sets_sign_and_handle_deadlines(self, world, clock):
        appeal = world.assigned()
        assert appeal.status == Status.ASSIGNED
        assert appeal.lead_department == world.hr
        assert list(appeal.co_departments.all()) == [world.land]
        assert appeal.deadline.date() == dt.date(2026, 11, 17)  # sign: 1 working day
        assert appeal.handle_deadline.date() == dt.date(2026, 11, 30)  # handle: 10 working days
        assert kinds(appeal) == [K.SUBMITTED, K.ASSIGNED]

    def test_assign_with_custom_handle_days(self, world, clock):
        appeal = world.submit()
        appeal = services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr, handle_days=3)
        assert appeal.handle_deadline.date() == dt.date(2026, 11, 19)

    def test_assign_refuses_silly_handle_days(self, world, clock):
        appeal = world.submit()
        with pytest.raises(InvalidInput) as exc:
            services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr, handle_days=500)
        assert "handle_days" in exc.value.errors
        appeal.refresh_from_db()
        assert appeal.status == Status.SUBMITTED

    def test_dispatcher_of_other_region_cannot_see_to_assign(self, world, clock):
        appeal = world.submit()  # in east
        with pytest.raises(NotVisible):
            services.assign_appeal(appeal=appeal, by=world.dispatcher_west, lead=world.hr)

    def test_handler_cannot_assign(self, world, clock):
        appeal = world.assigned()
        services.return_appeal(appeal=appeal, by=world.handler_hr, reason="不属于本部门")
        with pytest.raises(NotVisible):
            services.assign_appeal(appeal=appeal, by=world.handler_hr, lead=world.hr)

    def test_reject_needs_a_reason(self, world, clock):
        appeal = world.submit()
        with pytest.raises(InvalidInput):
            services.reject_appeal(appeal=appeal, by=world.dispatcher, reason="")
        appeal = services.reject_appeal(appeal=appeal, by=world.dispatcher, reason="属民事纠纷")
        assert appeal.status == Status.REJECTED
        assert appeal.light() is None

    def test_cannot_assign_twice(self, world, clock):
        appeal = world.assigned()
        with pytest.raises(TransitionNotAllowed) as exc:
            services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.power)
        assert "待签收" in exc.value.message


class TestDepartment:
    def test_sign_moves_to_handling_deadline(self, world, clock):
        appeal = world.in_progress()
        assert appeal.status == Status.IN_PROGRESS
        assert appeal.deadline == appeal.handle_deadline
        assert appeal.events.get(kind=K.SIGNED).data["on_time"] is True

    def test_late_signature_is_recorded(self, world, clock):
        appeal = world.assigned()
        clock.move_to(at(2026, 11, 18, 9))
        appeal = services.sign_appeal(appeal=appeal, by=world.handler_hr)
        assert appeal.events.get(kind=K.SIGNED).data["on_time"] is False

    def test_co_department_cannot_sign(self, world, clock):
        appeal = world.assigned()
        with pytest.raises(NotPermitted):
            services.sign_appeal(appeal=appeal, by=world.handler_land)

    def test_handler_of_other_department_cannot_sign(self, world, clock):
        appeal = world.assigned()
        with pytest.raises(NotVisible):
            services.sign_appeal(appeal=appeal, by=world.handler_power)

    def test_head_of_parent_department_may_sign_for_a_sub_unit(self, world, clock):
        appeal = world.submit()
        appeal = services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr_unit)
        appeal = services.sign_appeal(appeal=appeal, by=world.head_hr)
        assert appeal.status == Status.IN_PROGRESS

    def test_handler_of_parent_department_cannot_sign_for_a_sub_unit(self, world, clock):
        appeal = world.submit()
        appeal = services.assign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr_unit)
        with pytest.raises(NotVisible):
            services.sign_appeal(appeal=appeal, by=world.handler_hr)

    def test_return_sends_back_to_office_with_new_triage_deadline(self, world, clock):
        appeal = world.assigned()
        appeal = services.return_appeal(appeal=appeal, by=world.handler_hr, reason="应由供电公司办理")
        assert appeal.status == Status.SUBMITTED
        assert appeal.lead_department is None
        assert appeal.co_departments.count() == 0
        assert appeal.return_count == 1
        ev = appeal.events.get(kind=K.RETURNED)
        assert ev.data["department"] == "市人社局" and ev.note == "应由供电公司办理"

    def test_cannot_return_after_signing(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(TransitionNotAllowed):
            services.return_appeal(appeal=appeal, by=world.handler_hr, reason="x")

    def test_progress_note_by_lead_and_co(self, world, clock):
        appeal = world.in_progress()
        services.add_note(appeal=appeal, by=world.handler_hr, note="已联系企业")
        services.add_note(appeal=appeal, by=world.handler_land, note="协办意见：用地无障碍")
        services.add_note(appeal=appeal, by=world.leader, note="请加快办理")
        assert kinds(appeal)[-3:] == [K.NOTE, K.CO_OPINION, K.INSTRUCTED]

    def test_enterprise_cannot_add_government_note(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(NotPermitted):
            services.add_note(appeal=appeal, by=world.ent_user_a, note="x")

    def test_reply_needs_measures_and_result(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(InvalidInput) as exc:
            services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="", result=" ")
        assert set(exc.value.errors) == {"measures", "result"}
        appeal.refresh_from_db()
        assert appeal.status == Status.IN_PROGRESS

    def test_reply_opens_rating_window(self, world, clock):
        appeal = world.replied()
        assert appeal.status == Status.REPLIED
        assert appeal.step == "rate"
        assert appeal.deadline.date() == dt.date(2026, 11, 23)  # 5 working days
        assert appeal.light() is None  # the rating window is the enterprise's, no light for departments
        assert appeal.replied_on_time is True

    def test_co_department_cannot_reply(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(NotPermitted):
            services.reply_to_appeal(appeal=appeal, by=world.handler_land, measures="m", result="r")


class TestExtension:
    def test_deadline_moves_only_on_approval(self, world, clock):
        appeal = world.in_progress()
        before = appeal.handle_deadline
        ext = services.request_extension(appeal=appeal, by=world.handler_hr, days=5, reason="需多部门会商")
        appeal.refresh_from_db()
        assert appeal.handle_deadline == before
        services.decide_extension(extension=ext, by=world.dispatcher, approve=True, note="同意")
        appeal.refresh_from_db()
        assert appeal.handle_deadline.date() == dt.date(2026, 12, 7)  # Nov 30 + 5 working days
        assert appeal.deadline == appeal.handle_deadline
        assert appeal.extension_count == 1

    def test_denied_extension_keeps_deadline_and_needs_reason(self, world, clock):
        appeal = world.in_progress()
        before = appeal.handle_deadline
        ext = services.request_extension(appeal=appeal, by=world.handler_hr, days=5, reason="r")
        with pytest.raises(InvalidInput):
            services.decide_extension(extension=ext, by=world.dispatcher, approve=False, note="")
        services.decide_extension(extension=ext, by=world.dispatcher, approve=False, note="时限充足")
        appeal.refresh_from_db()
        assert appeal.handle_deadline == before
        assert kinds(appeal)[-1] == K.EXTENSION_DENIED

    def test_one_pending_request_at_a_time(self, world, clock):
        appeal = world.in_progress()
        services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="r")
        with pytest.raises(TransitionNotAllowed):
            services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="r")

    def test_cannot_decide_twice(self, world, clock):
        appeal = world.in_progress()
        ext = services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="r")
        services.decide_extension(extension=ext, by=world.dispatcher, approve=True)
        with pytest.raises(TransitionNotAllowed):
            services.decide_extension(extension=ext, by=world.dispatcher, approve=True)

    def test_handler_cannot_approve_own_extension(self, world, clock):
        appeal = world.in_progress()
        ext = services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="r")
        with pytest.raises(NotPermitted):
            services.decide_extension(extension=ext, by=world.handler_hr, approve=True)
        assert ExtensionRequest.objects.get(pk=ext.pk).state == "pending"

    def test_days_out_of_range_refused(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(InvalidInput):
            services.request_extension(appeal=appeal, by=world.handler_hr, days=0, reason="r")
        with pytest.raises(InvalidInput):
            services.request_extension(appeal=appeal, by=world.handler_hr, days=99, reason="r")


class TestPause:
    def test_paused_working_days_do_not_count(self, world, clock):
        appeal = world.in_progress()  # handle deadline Mon Nov 30
        services.pause_clock(appeal=appeal, by=world.handler_hr, kind="enterprise", reason="等待企业补充材料")
        appeal.refresh_from_db()
        assert appeal.status == Status.PAUSED and appeal.light() is None
        clock.move_to(at(2026, 11, 19, 15))  # Mon 16 .. Thu 19: Mon, Tue, Wed paused = 3 working days
        appeal = services.resume_clock(appeal=appeal, by=world.handler_hr)
        assert appeal.status == Status.IN_PROGRESS
        assert appeal.handle_deadline.date() == dt.date(2026, 12, 3)
        assert appeal.events.get(kind=K.RESUMED).data["paused_working_days"] == 3
        assert appeal.pauses.get().working_days == 3

    def test_pause_over_a_weekend_counts_only_working_days(self, world, clock):
        appeal = world.in_progress()
        clock.move_to(at(2026, 11, 20, 16))  # Friday
        services.pause_clock(appeal=appeal, by=world.handler_hr, kind="third_party", reason="等待检测报告")
        clock.move_to(at(2026, 11, 23, 9))  # Monday
        appeal = services.resume_clock(appeal=appeal, by=world.dispatcher)
        assert appeal.handle_deadline.date() == dt.date(2026, 12, 1)  # Friday only: +1

    def test_office_sees_every_pause(self, world, clock):
        from qinqing.appeals.selectors import AppealFilters, list_appeals

        appeal = world.in_progress()
        services.pause_clock(appeal=appeal, by=world.handler_hr, kind="enterprise", reason="补充材料")
        assert list(list_appeals(world.dispatcher, AppealFilters(status="paused"))) == [appeal]

    def test_pause_needs_reason_and_kind(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(InvalidInput):
            services.pause_clock(appeal=appeal, by=world.handler_hr, kind="enterprise", reason="")
        with pytest.raises(InvalidInput):
            services.pause_clock(appeal=appeal, by=world.handler_hr, kind="holiday", reason="r")

    def test_cannot_reply_while_paused(self, world, clock):
        appeal = world.in_progress()
        services.pause_clock(appeal=appeal, by=world.handler_hr, kind="enterprise", reason="r")
        with pytest.raises(TransitionNotAllowed):
            services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="m", result="r")


class TestRateAndReopen:
    def test_rate_closes(self, world, clock):
        appeal = world.closed()
        assert appeal.status == Status.CLOSED
        assert appeal.satisfaction == "satisfied" and appeal.resolved is True
        assert kinds(appeal)[-1] == K.RATED

    def test_other_enterprise_cannot_rate(self, world, clock):
        appeal = world.replied()
        with pytest.raises(NotVisible):
            services.rate_appeal(appeal=appeal, by=world.ent_user_b, satisfaction="satisfied", resolved=True)

    def test_dispatcher_cannot_rate_for_the_enterprise(self, world, clock):
        appeal = world.replied()
        with pytest.raises(NotPermitted):
            services.rate_appeal(appeal=appeal, by=world.dispatcher, satisfaction="satisfied", resolved=True)

    def test_dissatisfied_needs_a_comment(self, world, clock):
        appeal = world.replied()
        with pytest.raises(InvalidInput) as exc:
            services.rate_appeal(
                appeal=appeal, by=world.ent_user_a, satisfaction="dissatisfied", resolved=False
            )
        assert "comment" in exc.value.errors

    def test_unknown_satisfaction_refused(self, world, clock):
        appeal = world.replied()
        with pytest.raises(InvalidInput):
            services.rate_appeal(appeal=appeal, by=world.ent_user_a, satisfaction="great", resolved=True)

    def test_reopen_after_dissatisfied_gives_fresh_deadline(self, world, clock):
        appeal = world.closed(satisfaction="dissatisfied")
        clock.move_to(at(2026, 11, 18))
        appeal = services.reopen_appeal(appeal=appeal, by=world.dispatcher, reason="问题仍未解决")
        assert appeal.status == Status.IN_PROGRESS
        assert appeal.reopen_count == 1
        assert appeal.lead_department == world.hr
        assert appeal.handle_deadline.date() == dt.date(2026, 12, 2)
        assert appeal.satisfaction == ""

    def test_reopen_refused_when_satisfied(self, world, clock):
        appeal = world.closed(satisfaction="satisfied")
        with pytest.raises(TransitionNotAllowed) as exc:
            services.reopen_appeal(appeal=appeal, by=world.dispatcher, reason="x")
        assert "不满意" in exc.value.message

    @override_settings(QINQING_MAX_REOPENS=1)
    def test_reopen_limit(self, world, clock):
        appeal = world.closed(satisfaction="dissatisfied")
        appeal = services.reopen_appeal(appeal=appeal, by=world.dispatcher, reason="x")
        appeal = services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="m", result="r")
        appeal = services.rate_appeal(
            appeal=appeal,
            by=world.ent_user_a,
            satisfaction="dissatisfied",
            resolved=False,
            comment="还是不行",
        )
        with pytest.raises(TransitionNotAllowed) as exc:
            services.reopen_appeal(appeal=appeal, by=world.dispatcher, reason="x")
        assert "上限" in exc.value.message

    def test_auto_close_after_rating_window(self, world, clock):
        appeal = world.replied()  # window ends Mon Nov 23
        assert services.close_unrated(now=at(2026, 11, 23, 20)) == 0
        assert services.close_unrated(now=at(2026, 11, 24, 0, 1)) == 1
        assert services.close_unrated(now=at(2026, 11, 24, 0, 2)) == 0  # never twice
        appeal.refresh_from_db()
        assert appeal.status == Status.CLOSED and appeal.auto_closed
        ev = appeal.events.last()
        assert ev.kind == K.AUTO_CLOSED and ev.actor is None

    def test_auto_closed_appeal_cannot_be_reopened(self, world, clock):
        appeal = world.replied()
        services.close_unrated(now=at(2026, 11, 30))
        appeal.refresh_from_db()
        with pytest.raises(TransitionNotAllowed):
            services.reopen_appeal(appeal=appeal, by=world.dispatcher, reason="x")


class TestDissatisfiedReview:
    """不满意 goes to the office of the region (12345 rules): 重办 to the same or another department, or 不予重办
    with a reason told to the enterprise. The enterprise cannot reopen by itself."""

    def test_a_dissatisfied_rating_waits_for_the_office(self, world, clock):
        appeal = world.closed(satisfaction="dissatisfied")
        assert appeal.review == "pending"
        assert world.closed(satisfaction="satisfied").review == ""
        with pytest.raises(NotPermitted):
            services.reopen_appeal(appeal=appeal, by=world.ent_user_a, reason="还没解决")
        listed = selectors.list_appeals(world.dispatcher, selectors.AppealFilters(review="pending"))
        assert appeal in listed

    def test_reopen_to_another_department_which_signs_first(self, world, clock):
        appeal = world.closed(satisfaction="dissatisfied")
        appeal = services.reopen_appeal(
            appeal=appeal, by=world.dispatcher, reason="属自然资源局职责", lead=world.land
        )
        assert appeal.status == Status.ASSIGNED and appeal.lead_department == world.land
        assert appeal.step == "sign" and appeal.review == "reopened"
        ev = appeal.events.last()
        assert ev.kind == K.REOPENED and ev.data["previous_lead"] == world.hr.name and ev.is_public
        services.sign_appeal(appeal=appeal, by=world.handler_land)

    def test_decline_reopen_needs_a_reason_and_keeps_it_closed(self, world, clock):
        appeal = world.closed(satisfaction="dissatisfied")
        with pytest.raises(InvalidInput):
            services.decline_reopen(appeal=appeal, by=world.dispatcher, reason=" ")
        appeal = services.decline_reopen(
            appeal=appeal, by=world.dispatcher, reason="已按政策答复，诉求超出政策范围"
        )
        assert appeal.status == Status.CLOSED and appeal.review == "declined"
        assert appeal.events.last().kind == K.REOPEN_DECLINED and appeal.events.last().is_public
        with pytest.raises(TransitionNotAllowed):  # decided once
            services.decline_reopen(appeal=appeal, by=world.dispatcher, reason="again")

    def test_only_the_office_of_the_region_reviews(self, world, clock):
        appeal = world.closed(satisfaction="dissatisfied")
        for who in (world.handler_hr, world.leader):
            with pytest.raises(NotPermitted):
                services.decline_reopen(appeal=appeal, by=who, reason="x")


class TestReassign:
    def test_office_reassigns_an_appeal_in_progress(self, world, clock):
        appeal = world.in_progress()
        deadline = appeal.handle_deadline
        services.request_extension(appeal=appeal, by=world.handler_hr, days=2, reason="会商")
        appeal = services.reassign_appeal(
            appeal=appeal, by=world.dispatcher, lead=world.land, reason="属用地问题"
        )
        assert appeal.status == Status.ASSIGNED and appeal.lead_department == world.land
        assert appeal.handle_deadline == deadline  # the enterprise has waited since the first assignment
        assert world.land not in appeal.co_departments.all()
        assert appeal.extensions.get().state == "lapsed"  # no request left 待审批 for a department now gone
        ev = appeal.events.last()
        assert (
            ev.kind == K.REASSIGNED and ev.note == "属用地问题" and ev.data["previous_lead"] == world.hr.name
        )
        with pytest.raises(NotVisible):  # the old department no longer sees it...
            services.sign_appeal(appeal=appeal, by=world.handler_hr)
        services.sign_appeal(appeal=appeal, by=world.handler_land)  # ...the new one signs

    def test_reassigning_a_paused_appeal_ends_the_pause(self, world, clock):
        appeal = world.in_progress()
        services.pause_clock(appeal=appeal, by=world.handler_hr, kind="third_party", reason="等待检测")
        clock.move_to(at(2026, 11, 19))
        appeal = services.reassign_appeal(
            appeal=appeal, by=world.dispatcher, lead=world.land, reason="改由用地部门"
        )
        assert appeal.status == Status.ASSIGNED and appeal.paused_at is None
        assert appeal.pauses.get().ended_at is not None

    def test_reassign_refusals(self, world, clock):
        appeal = world.in_progress()
        with pytest.raises(InvalidInput):  # to the same department
            services.reassign_appeal(appeal=appeal, by=world.dispatcher, lead=world.hr, reason="x")
        with pytest.raises(InvalidInput):  # no reason
            services.reassign_appeal(appeal=appeal, by=world.dispatcher, lead=world.land, reason="")
        with pytest.raises(NotPermitted):  # a department cannot move its own case
            services.reassign_appeal(appeal=appeal, by=world.handler_hr, lead=world.land, reason="x")
        with pytest.raises(TransitionNotAllowed):  # not yet assigned: that is 受理分派
            services.reassign_appeal(appeal=world.submit(), by=world.dispatcher, lead=world.land, reason="x")


class TestPauseLimit:
    @override_settings(QINQING_MAX_PAUSE_WORKING_DAYS=3)
    def test_a_pause_ends_by_itself_at_the_limit(self, world, clock):
        appeal = world.in_progress()  # Monday 16 Nov
        services.pause_clock(appeal=appeal, by=world.handler_hr, kind="enterprise", reason="等企业补充材料")
        assert services.resume_overlong_pauses(now=at(2026, 11, 18, 12)) == 0  # 2 working days
        assert services.resume_overlong_pauses(now=at(2026, 11, 19, 12)) == 1  # 3
        assert services.resume_overlong_pauses(now=at(2026, 11, 19, 13)) == 0  # once
        appeal.refresh_from_db()
        assert appeal.status == Status.IN_PROGRESS
        ev = appeal.events.last()
        assert ev.kind == K.RESUMED and ev.actor is None and "自动恢复" in ev.note
        assert ev.data["paused_working_days"] == 3


class TestTimelineVisibility:
    def test_the_enterprise_sees_public_steps_staff_see_everything(self, world, clock):
        appeal = world.in_progress()
        services.add_note(appeal=appeal, by=world.handler_hr, note="内部：需与用地部门会商")
        services.add_note(appeal=appeal, by=world.handler_hr, note="已安排现场勘查", public=True)
        services.add_note(
            appeal=appeal, by=world.handler_land, note="用地无障碍", public=True
        )  # co: internal
        services.add_note(appeal=appeal, by=world.leader, note="请加快办理", public=True)  # 批示: internal
        services.request_extension(appeal=appeal, by=world.handler_hr, days=2, reason="会商")
        for_enterprise = [(e.kind, e.note) for e in selectors.timeline(world.ent_user_a, appeal)]
        assert for_enterprise == [
            (K.SUBMITTED, ""), (K.ASSIGNED, ""), (K.SIGNED, ""), (K.NOTE, "已安排现场勘查"),
        ]  # fmt: skip
        for_staff = [e.kind for e in selectors.timeline(world.handler_hr, appeal)]
        assert for_staff[-5:] == [K.NOTE, K.NOTE, K.CO_OPINION, K.INSTRUCTED, K.EXTENSION_REQUESTED]
        page = Client()
        page.force_login(world.ent_user_a)
        html = page.get(f"/appeals/{appeal.number}/").content.decode()
        assert "已安排现场勘查" in html
        for hidden in ("需与用地部门会商", "用地无障碍", "请加快办理", "会商", "内部"):
            assert hidden not in html, hidden


class TestWithdrawAndMerge:
    @pytest.mark.parametrize("stage", ["submit", "assigned", "in_progress"])
    def test_enterprise_withdraws_open_appeal(self, world, clock, stage):
        appeal = getattr(world, stage)()
        appeal = services.withdraw_appeal(appeal=appeal, by=world.ent_user_a, reason="已自行解决")
        assert appeal.status == Status.WITHDRAWN and appeal.light() is None

    def test_cannot_withdraw_after_reply(self, world, clock):
        appeal = world.replied()
        with pytest.raises(TransitionNotAllowed):
            services.withdraw_appeal(appeal=appeal, by=world.ent_user_a, reason="x")

    def test_withdraw_clears_pending_extension(self, world, clock):
        appeal = world.in_progress()
        services.request_extension(appeal=appeal, by=world.handler_hr, days=2, reason="r")
        services.withdraw_appeal(appeal=appeal, by=world.ent_user_a, reason="x")
        assert not appeal.extensions.filter(state="pending").exists()

    def test_merge_duplicate_into_master(self, world, clock):
        master = world.assigned()
        dup = world.submit(by=world.ent_user_b)
        dup = services.merge_appeal(appeal=dup, by=world.dispatcher, into=master, note="同一问题")
        assert dup.status == Status.MERGED and dup.merged_into == master
        assert master.events.last().kind == K.NOTE

    def test_cannot_merge_into_itself_or_a_finished_one(self, world, clock):
        a = world.submit()
        with pytest.raises(InvalidInput):
            services.merge_appeal(appeal=a, by=world.dispatcher, into=a)
        b = world.submit()
        services.withdraw_appeal(appeal=b, by=world.ent_user_a, reason="x")
        with pytest.raises(InvalidInput):
            services.merge_appeal(appeal=a, by=world.dispatcher, into=b)

    def test_enterprise_cannot_merge(self, world, clock):
        a, b = world.submit(), world.submit()
        with pytest.raises(NotPermitted):
            services.merge_appeal(appeal=a, by=world.ent_user_a, into=b)


class TestLights:
    def test_light_turns_yellow_then_red_on_working_day_boundaries(self, world, clock):
        appeal = world.in_progress()  # 10 working days, deadline Mon Nov 30 23:59:59
        assert appeal.light(at(2026, 11, 26, 23, 59)) == Light.GREEN
        assert appeal.light(at(2026, 11, 27, 0, 0)) == Light.YELLOW  # 2 working days left (20%)
        assert appeal.light(at(2026, 11, 30, 23, 59)) == Light.YELLOW
        assert appeal.light(at(2026, 12, 1, 0, 0)) == Light.RED

    def test_light_on_sign_step(self, world, clock):
        appeal = world.assigned()  # sign deadline Tue Nov 17
        assert appeal.light(at(2026, 11, 16, 15)) == Light.GREEN
        assert appeal.light(at(2026, 11, 17, 9)) == Light.YELLOW
        assert appeal.light(at(2026, 11, 18, 9)) == Light.RED

    def test_light_is_none_when_closed(self, world, clock):
        assert world.closed().light(at(2030, 1, 1)) is None

    def test_light_filter_in_database_matches_python(self, world, clock):
        from qinqing.appeals.selectors import AppealFilters, filter_appeals

        a = world.in_progress()
        b = world.assigned()
        c = world.submit()
        now = at(2026, 11, 17, 9)  # b and c are on their deadline day (yellow), a is green
        for light in ("green", "yellow", "red"):
            got = set(filter_appeals(Appeal.objects.all(), AppealFilters(light=light), now=now))
            expected = {x for x in (a, b, c) if Appeal.objects.get(pk=x.pk).light(now) == light}
            assert got == expected


class TestEvents:
    def test_full_history_is_recorded_in_order(self, world, clock):
        appeal = world.closed()
        assert kinds(appeal) == [K.SUBMITTED, K.ASSIGNED, K.SIGNED, K.REPLIED, K.RATED]
        statuses = list(appeal.events.values_list("from_status", "to_status"))
        assert statuses == [
            ("", "submitted"),
            ("submitted", "assigned"),
            ("assigned", "in_progress"),
            ("in_progress", "replied"),
            ("replied", "closed"),
        ]

    def test_events_are_immutable(self, world, clock):
        ev = world.submit().events.get()
        ev.note = "tampered"
        with pytest.raises(RuntimeError):
            ev.save()
        with pytest.raises(RuntimeError):
            ev.delete()

    def test_refused_action_writes_no_event(self, world, clock):
        appeal = world.assigned()
        with pytest.raises(TransitionNotAllowed):
            services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="m", result="r")
        assert appeal.events.count() == 2
        appeal.refresh_from_db()
        assert appeal.status == Status.ASSIGNED


# ---------------------------------------------------------------- extension requests follow their table


def test_pending_extension_lapses_when_the_appeal_is_replied(world, clock):
    appeal = world.in_progress()
    ext = services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="需会商")
    services.reply_to_appeal(appeal=appeal, by=world.handler_hr, measures="已协调", result="已解决")
    ext.refresh_from_db()
    assert ext.state == ExtensionRequest.State.LAPSED
    assert ext.decision_note == "诉求已答复"


def test_extension_decided_once_and_only_by_the_office(world, clock):
    from qinqing.appeals import workflow

    appeal = world.in_progress()
    ext = services.request_extension(appeal=appeal, by=world.handler_hr, days=3, reason="需会商")
    assert [a.name for a in workflow.EXTENSIONS.available(ext, world.dispatcher)] == ["approve", "deny"]
    assert workflow.EXTENSIONS.available(ext, world.handler_hr) == []
    with pytest.raises(NotPermitted):
        workflow.EXTENSIONS.check(ext, "approve", world.handler_hr)
    services.decide_extension(extension=ext, by=world.dispatcher, approve=True)
    ext.refresh_from_db()
    assert workflow.EXTENSIONS.available(ext, world.dispatcher) == []
    with pytest.raises(TransitionNotAllowed, match="已同意"):
        services.decide_extension(extension=ext, by=world.dispatcher, approve=False, note="改主意")
