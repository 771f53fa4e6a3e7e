"""Field-service personas on top of the shared World: two officers, a linked leader's resident specialist, two
supervisors, a discipline-inspection department and its handler."""

import datetime as dt

import pytest

from qinqing.accounts.models import Role, User
from qinqing.fieldwork import services
from qinqing.fieldwork.models import ServiceRole
from qinqing.organisation.models import Department


class Field:
    def __init__(self, world):
        self.w = world

        def user(name, role, **kw):
            return User.objects.create_user(
                username=name, password="pw-qinqing-1", role=role, full_name=name, **kw
            )

        self.officer = user("officer_lin", Role.OFFICER, region=world.city)
        self.officer2 = user("officer_xu", Role.OFFICER, region=world.city)
        self.resident = user("resident_he", Role.OFFICER, region=world.city)
        self.sup_user = user("supervisor_feng", Role.SUPERVISOR, region=world.city)
        self.sup_user2 = user("supervisor_ma", Role.SUPERVISOR, region=world.city)
        self.discipline = Department.objects.create(
            name="市纪委监委派驻组", kind=Department.Kind.DISCIPLINE, region=world.city
        )
        self.inspector = user("inspector_wu", Role.HANDLER, department=self.discipline)

    def serve(self, enterprise, officer=None, on=dt.date(2026, 1, 5), role=ServiceRole.CHIEF):
        return services.assign_officer(
            by=self.w.dispatcher, enterprise=enterprise, user=officer or self.officer, role=role, on=on
        )

    def appoint(self, user=None, cert="JD-001", start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31)):
        return services.appoint_supervisor(
            by=self.w.dispatcher,
            user=user or self.sup_user,
            certificate_no=cert,
            background="npc",
            term_start=start,
            term_end=end,
            organisation="市人大代表",
        )


@pytest.fixture
def field(world):
    return Field(world)
