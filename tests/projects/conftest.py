import datetime as dt

import pytest
from django.test import Client

from qinqing.accounts.models import Role, User
from qinqing.core.workcalendar import add_working_days
from qinqing.organisation.models import Department
from qinqing.projects import services
from qinqing.projects.models import Project, StepKind


class Projects:
    """Key projects over the conftest's World: a service officer, a leader of 东城区 and two approving departments."""

    def __init__(self, world):
        self.world = world
        self.officer = User.objects.create_user(
            username="officer_p",
            password="pw-qinqing-1",
            role=Role.OFFICER,
            full_name="刘专员",
            region=world.east,
        )
        self.other_officer = User.objects.create_user(
            username="officer_q",
            password="pw-qinqing-1",
            role=Role.OFFICER,
            full_name="何专员",
            region=world.east,
        )
        self.housing = Department.objects.create(name="市住建局", region=world.city)
        self.handler_housing = User.objects.create_user(
            username="handler_housing", password="pw-qinqing-1", role=Role.HANDLER, department=self.housing
        )

    def project(
        self, *, name="东城智能装备产业园项目", region=None, enterprise=None, by=None, **kw
    ) -> Project:
        w = self.world
        kw.setdefault("officer", self.officer)
        kw.setdefault("leader", w.leader)
        kw.setdefault("since", dt.date(2025, 1, 2))
        return services.create_project(
            by=by or w.dispatcher,
            name=name,
            enterprise=enterprise or w.ent_a,
            amount=kw.pop("amount", 50000),
            industry="C",
            region=region or w.east,
            **kw,
        )

    def walk(self, project: Project, dates: dict[str, dt.date], by=None) -> Project:
        """Move `project` through the stages whose actions `dates` names, in order."""
        for action, on in dates.items():
            project = services.move_stage(
                by=by or self.world.dispatcher, project=project, action=action, on=on
            )
        return project

    def step(self, project, kind=StepKind.CONSTRUCTION, department=None, submitted=None, days=None):
        step = services.add_step(
            by=self.world.dispatcher, project=project, kind=kind, department=department or self.world.land
        )
        if submitted is not None:
            step = services.record_step(by=self.world.dispatcher, step=step, action="submit", on=submitted)
            if days is not None:
                step = services.record_step(
                    by=self.world.dispatcher,
                    step=step,
                    action="approve",
                    on=add_working_days(submitted, days),
                )
        return step


@pytest.fixture
def pj(world):
    return Projects(world)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(world, user, method, path, data=None):
    c = Client(headers={"Authorization": f"Bearer {world.token(user)}"})
    if method == "get":
        return c.get("/api/projects" + path, data or {})
    return c.post("/api/projects" + path, data or {}, content_type="application/json")
