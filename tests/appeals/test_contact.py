"""Contact numbers (个人信息保护): the enterprise sees its own; the office and the lead department see it masked
and may reveal it, each reveal audited; everyone else sees it masked only."""

import pytest
from django.test import Client

from qinqing.audit.models import AuditRecord

MOBILE = "13912345678"
MASKED = "139****5678"


@pytest.fixture
def appeal(world):
    return world.assigned(contact_name="王经理", contact_mobile=MOBILE)


def page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(world, user) -> Client:
    return Client(headers={"Authorization": f"Bearer {world.token(user)}"})


def test_the_enterprise_sees_its_own_number(world, appeal):
    assert MOBILE in page(world.ent_user_a).get(f"/appeals/{appeal.number}/").content.decode()
    assert (
        api(world, world.ent_user_a).get(f"/api/appeals/{appeal.number}").json()["contact_mobile"] == MOBILE
    )


@pytest.mark.parametrize("who", ["dispatcher", "handler_hr", "head_hr", "handler_land", "leader"])
def test_staff_see_the_number_masked(world, appeal, who):
    user = getattr(world, who)
    body = page(user).get(f"/appeals/{appeal.number}/").content.decode()
    assert MASKED in body and MOBILE not in body
    assert api(world, user).get(f"/api/appeals/{appeal.number}").json()["contact_mobile"] == MASKED


@pytest.mark.parametrize("who", ["dispatcher", "handler_hr", "head_hr"])
def test_the_office_and_the_lead_department_reveal_it_and_each_reveal_is_audited(world, appeal, who):
    user = getattr(world, who)
    c = page(user)
    assert "显示号码" in c.get(f"/appeals/{appeal.number}/").content.decode()
    r = c.post(f"/appeals/{appeal.number}/contact/")
    assert r.status_code == 200 and MOBILE in r.content.decode()
    assert api(world, user).post(f"/api/appeals/{appeal.number}/contact").json()["contact_mobile"] == MOBILE
    reveals = AuditRecord.objects.filter(action=AuditRecord.Action.CONTACT_REVEALED, actor=user)
    assert reveals.count() == 2 and reveals.first().detail == {"appeal": appeal.number}


@pytest.mark.parametrize("who", ["handler_land", "leader"])
def test_a_co_department_and_a_leader_may_not_reveal_it(world, appeal, who):
    user = getattr(world, who)
    c = page(user)
    assert "显示号码" not in c.get(f"/appeals/{appeal.number}/").content.decode()
    r = c.post(f"/appeals/{appeal.number}/contact/", follow=True)
    assert MOBILE not in r.content.decode() and "只有营商办和主办单位" in r.content.decode()
    assert api(world, user).post(f"/api/appeals/{appeal.number}/contact").status_code == 403
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.CONTACT_REVEALED).exists()


def test_someone_who_cannot_see_the_appeal_gets_404(world, appeal):
    for user in (world.handler_power, world.dispatcher_west, world.ent_user_b):
        assert page(user).post(f"/appeals/{appeal.number}/contact/").status_code == 404
        assert api(world, user).post(f"/api/appeals/{appeal.number}/contact").status_code == 404


def test_an_enterprise_downloads_everything_held_about_it_and_only_its_own(world, appeal):
    import io

    from openpyxl import load_workbook

    world.submit(by=world.ent_user_b, title="西江企业的诉求", content="别人的内容")
    r = page(world.ent_user_a).get("/my-data/")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["企业信息", "联系人", "诉求", "办理过程", "附件"]
    text = "".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    assert world.ent_a.uscc in text and MOBILE in text and appeal.number in text and "受理并分派" in text
    assert "西江企业的诉求" not in text and world.ent_b.uscc not in text
    assert AuditRecord.objects.filter(action=AuditRecord.Action.EXPORT, actor=world.ent_user_a).exists()
    for staff in (world.dispatcher, world.handler_hr, world.auditor):
        assert page(staff).get("/my-data/").status_code == 404
