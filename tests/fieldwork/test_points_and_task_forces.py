"""Contact points carry their channel and are counted per kind; task forces have one lead, named people and a
progress log that only the office and member departments see and write."""

import pytest
from django.test import Client

from qinqing.core.errors import InvalidInput, NotVisible, TransitionNotAllowed
from qinqing.fieldwork import services
from qinqing.fieldwork.models import ContactPointKind

pytestmark = pytest.mark.django_db


def test_contact_points_carry_their_channel_and_are_counted(world, field, clock):
    npc = services.designate_contact_point(
        by=world.dispatcher,
        enterprise=world.ent_a,
        kind=ContactPointKind.CONGRESS,
        responsible="市人大代表 冯某",
    )
    ip = services.designate_contact_point(
        by=world.dispatcher,
        enterprise=world.ent_b,
        kind=ContactPointKind.IP,
        responsible="知识产权科",
        department=world.land,
    )
    with pytest.raises(InvalidInput):
        services.designate_contact_point(
            by=world.dispatcher, enterprise=world.ent_a, kind="congress", responsible="x"
        )
    a = services.register_via_contact_point(
        by=world.dispatcher, point=npc, title="用地", content="二期用地", category=world.labour
    )
    b = services.register_via_contact_point(
        by=world.dispatcher, point=ip, title="侵权", content="商标被仿冒", category=world.labour
    )
    assert (a.channel, b.channel) == ("congress", "ip_contact") and a.origin.contact_point == npc
    with pytest.raises(NotVisible):  # the west office cannot register for an east enterprise's point
        services.register_via_contact_point(
            by=world.dispatcher_west, point=npc, title="x", content="y", category=world.labour
        )

    office = Client()
    office.force_login(world.dispatcher)
    page = office.get("/fieldwork/contact-points/").content.decode()
    assert "人大优化营商环境企业联系点</span><b>1</b>" in page and "知识产权保护联系点</span><b>1</b>" in page
    points = (
        Client()
        .get(
            "/api/fieldwork/contact-points",
            headers={"Authorization": f"Bearer {world.token(world.dispatcher_east)}"},
        )
        .json()
    )
    assert [p["enterprise_id"] for p in points] == [world.ent_a.pk]  # a district office sees its own
    r = Client().get(
        "/api/fieldwork/contact-points", headers={"Authorization": f"Bearer {world.token(world.handler_hr)}"}
    )
    assert r.json() == []
    # The appeal list filters by the channel.
    listing = office.get("/appeals/", {"tab": "all", "channel": "ip_contact"}).content.decode()
    assert b.number in listing and a.number not in listing


def test_task_force_members_log_progress_others_do_not_see_it(world, field, clock):
    appeal = world.assigned()
    members = [
        {"department": world.land, "person": "钱经办", "is_lead": True},
        {"department": world.hr, "person": "王科长"},
    ]
    with pytest.raises(InvalidInput) as exc:
        services.create_task_force(
            by=world.dispatcher,
            name="专班",
            matter="m",
            members=[{**m, "is_lead": True} for m in members],
        )
    assert "牵头单位" in exc.value.errors["members"][0]
    with pytest.raises(InvalidInput):
        services.create_task_force(by=world.dispatcher, name="专班", matter="m", members=members[:1])
    tf = services.create_task_force(
        by=world.dispatcher,
        name="二期项目专班",
        matter="用地规划施工许可协同",
        members=members,
        appeals=[appeal],
    )
    assert appeal.events.filter(kind="note", note__contains="二期项目专班").exists()
    services.log_task_force(task_force=tf, by=world.handler_land, note="用地预审已完成")
    r = Client().post(
        f"/api/fieldwork/task-forces/{tf.pk}/logs",
        {"note": "社保补贴已对接"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.token(world.handler_hr)}"},
    )
    assert r.status_code == 201 and [x["note"] for x in r.json()["logs"]] == [
        "社保补贴已对接",
        "用地预审已完成",
    ]
    # A department outside the task force sees nothing and cannot write.
    with pytest.raises(NotVisible):
        services.log_task_force(task_force=tf, by=world.handler_power, note="x")
    c = Client()
    c.force_login(world.handler_power)
    assert c.get(f"/fieldwork/task-forces/{tf.pk}/").status_code == 404
    r = Client().post(
        f"/api/fieldwork/task-forces/{tf.pk}/logs",
        {"note": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.token(world.handler_power)}"},
    )
    assert r.status_code == 404
    c.force_login(world.handler_land)
    page = c.get(f"/fieldwork/task-forces/{tf.pk}/").content.decode()
    assert "用地预审已完成" in page and "钱经办" in page
    services.close_task_force(task_force=tf, by=world.dispatcher, note="项目已开工")
    with pytest.raises(TransitionNotAllowed):
        services.log_task_force(task_force=tf, by=world.handler_land, note="x")


def test_task_force_actions_follow_the_table(world, field, clock):
    """Members and the office may log while the task force is active, only the office closes it; after the
    close nobody is offered anything."""
    from qinqing.core.errors import NotPermitted

    tf = services.create_task_force(
        by=world.dispatcher,
        name="专班",
        matter="用地协同",
        members=[
            {"department": world.land, "person": "钱经办", "is_lead": True},
            {"department": world.hr, "person": "王科长"},
        ],
    )

    def actions(user):
        [row] = (
            Client()
            .get("/api/fieldwork/task-forces", headers={"Authorization": f"Bearer {world.token(user)}"})
            .json()
        )
        return row["actions"]

    assert actions(world.dispatcher) == ["log", "close"]
    assert actions(world.handler_land) == ["log"]
    c = Client()
    c.force_login(world.handler_land)
    page = c.get(f"/fieldwork/task-forces/{tf.pk}/").content.decode()
    assert "记录进展" in page and 'value="close"' not in page
    with pytest.raises(NotPermitted):
        services.close_task_force(task_force=tf, by=world.handler_land, note="x")
    services.close_task_force(task_force=tf, by=world.dispatcher, note="完成")
    assert actions(world.dispatcher) == [] and actions(world.handler_land) == []
