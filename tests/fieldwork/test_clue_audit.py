"""Every read of a confidential clue's content by someone other than its author (the office, the discipline
inspectors), on the page and in the API, is a security audit record naming the clues."""

import datetime as dt

import pytest
from django.test import Client

from qinqing.audit.models import AuditRecord
from qinqing.fieldwork import services

pytestmark = pytest.mark.django_db
READ = AuditRecord.Action.CLUE_READ


@pytest.fixture
def clue(world, field, clock):
    field.appoint()
    return services.submit_clue(
        by=field.sup_user,
        title="窗口要求重复提交材料",
        content="暗示找中介可加快办理",
        department=world.hr,
        occurred_on=dt.date(2026, 11, 10),
    )


def test_the_discipline_inspector_and_the_office_leave_a_record_for_each_read(world, field, clue):
    inspector = Client()
    inspector.force_login(field.inspector)
    assert inspector.get(f"/fieldwork/clues/{clue.number}/", REMOTE_ADDR="10.8.8.8").status_code == 200
    row = AuditRecord.objects.get(action=READ)
    assert row.actor == field.inspector and row.target == clue.number and row.ip_address == "10.8.8.8"
    assert row.detail == {"clue": clue.number, "side": "纪检监察"}

    headers = {"Authorization": f"Bearer {world.token(world.dispatcher)}"}
    assert Client().get(f"/api/fieldwork/clues/{clue.number}", headers=headers).status_code == 200
    assert Client().get("/api/fieldwork/clues", headers=headers).status_code == 200
    office = AuditRecord.objects.filter(action=READ, actor=world.dispatcher).order_by("id")
    assert [r.detail.get("side") for r in office] == ["营商办", "营商办"]
    assert all(r.target == clue.number for r in office)


def test_the_author_reading_their_own_clue_and_refused_reads_leave_none(world, field, clue):
    own = Client()
    own.force_login(field.sup_user)
    assert own.get(f"/fieldwork/clues/{clue.number}/").status_code == 200
    outsider = Client()
    outsider.force_login(world.handler_hr)
    assert outsider.get(f"/fieldwork/clues/{clue.number}/").status_code == 404
    headers = {"Authorization": f"Bearer {world.token(world.dispatcher_west)}"}
    assert Client().get("/api/fieldwork/clues", headers=headers).json() == []
    assert not AuditRecord.objects.filter(action=READ).exists()
