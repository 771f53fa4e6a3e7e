"""A GET never writes: every GET route of the site (pages and API, found by walking the URL patterns) is fetched
by a logged-in persona of every role, and fails if it issues INSERT, UPDATE or DELETE (or takes a row lock).
Derived data (reply scores, appeal words, dashboard summaries, deliveries) is the worker's job (docs/worker.md).
"""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from qinqing.accounts.models import Role, User
from qinqing.appeals import services
from qinqing.insights import services as insights_services
from qinqing.supervision import services as supervision_services
from qinqing.supervision.sweep import sweep
from tests.conftest import at
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

# Writes a GET may make, each with its reason. Sessions are written by force_login before the walk, never by it.
ALLOWED_WRITES = {
    # Bearer-token bookkeeping: the token's last use, recorded at most once a minute (api.TokenAuth).
    ("UPDATE", "accounts_apitoken"),
    # The append-only security audit log: an export (a GET) is recorded as read (等保 2.0 安全审计).
    ("INSERT", "audit_auditrecord"),
}
SKIPPED_PREFIXES = ("admin/",)  # Django's own admin, for reference data; not ours to police
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
LOCK = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b", re.IGNORECASE)
PARAMS = {"start": "2026-11-01", "end": "2026-11-30", "text": "招工难，缺一线操作工"}


def get_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str]]:
    """(route, name) of every URL pattern, nested includes flattened."""
    found = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            found += get_routes(p, route)
        elif isinstance(p, URLPattern):
            found.append((route, p.name or ""))
    return found


def first_pk(label: str, default: int = 1) -> int:
    try:
        pk = apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True).first()
    except LookupError:  # renamed or moved: the route still gets walked, with an id that finds nothing
        return default
    return pk or default


def _policy_sample(world):
    """A policy item with a condition, a file value, and a full match (with its pushes) to show."""
    from qinqing.enterprises.models import EnterpriseAttribute
    from qinqing.policies import matching
    from qinqing.policies.models import Condition, PolicyDocument, PolicyItem

    doc = PolicyDocument.objects.create(
        number="青政发〔2026〕1号",
        title="若干政策",
        issuer="青川市人民政府",
        level="city",
        region=world.city,
        published_on=dt.date(2026, 1, 5),
    )
    item = PolicyItem.objects.create(
        document=doc, name="稳岗返还", kind="subsidy", mode="automatic", department=world.hr
    )
    Condition.objects.create(item=item, attribute="employees", operator="gte", value="10", clause="第一条")
    EnterpriseAttribute.objects.create(
        enterprise=world.ent_a, key="employees", value="50", source="imported", as_of=dt.date(2026, 3, 31)
    )
    matching.run()
    # A redemption case in 公示 (its page, its timeline, the item's published list) and a refused application.
    from qinqing.policies import inputs as policy_inputs
    from qinqing.policies import redemption_services

    redemption_services.open_candidates([item.pk])
    case = item.cases.get()
    case = redemption_services.confirm(
        case=case, by=world.handler_hr, data=policy_inputs.CaseConfirmIn(amount=5)
    )
    account = {
        "bank_name": "青川农商银行",
        "account_name": world.ent_a.name,
        "account_no": "6222020200112233",
    }
    case = redemption_services.accept(case=case, by=world.ent_user_a, data=policy_inputs.AccountIn(**account))
    redemption_services.publish(case=case, by=world.handler_hr)
    return item


def credit_sample(world, enterprises=None, owners=None) -> None:
    """A list imported by its authority (one row refused), an objection, a 信易贷 product and a request."""
    from qinqing.credit import services as credit_services
    from qinqing.credit.models import CreditEntry, CreditList, FinancialProduct

    wages, _ = CreditList.objects.get_or_create(
        code="wage-arrears",
        defaults={
            "kind": "serious",
            "name": "拖欠农民工工资失信联合惩戒对象名单",
            "legal_basis": "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》",
            "authority": world.hr,
        },
    )
    product, _ = FinancialProduct.objects.get_or_create(
        bank="青川农商银行",
        name="信易贷·纳税贷",
        defaults={
            "amount_max": 300,
            "rate": "年化3.45%起",
            "contact_name": "王经理",
            "contact_phone": "0571-88880000",
            "exclude_restricted": False,
        },
    )
    enterprises = enterprises or [world.ent_a, world.ent_b]
    owners = owners or [world.ent_user_a, world.ent_user_b]
    rows = "".join(f"{e.uscc},{e.name},拖欠工资,文{e.pk},2026-09-01,2029-09-01\n" for e in enterprises)
    existing = "".join(
        f"{e.uscc},{e.name},{e.reason},{e.decision_no},2026-09-01,2029-09-01\n"
        for e in CreditEntry.objects.filter(credit_list=wages).exclude(uscc__in=[x.uscc for x in enterprises])
    )
    data = (
        "uscc,name,reason,decision_no,decided_on,display_until\n"
        + existing
        + rows
        + "bad,坏行,x,y,2026-09-01,2029-09-01\n"
    )
    credit_services.import_list(
        wages, data.encode(), filename="wages.csv", by=world.handler_hr, source="page"
    )
    for enterprise, owner in zip(enterprises, owners, strict=True):
        entry = CreditEntry.objects.get(credit_list=wages, uscc=enterprise.uscc)
        credit_services.submit_request(entry=entry, by=owner, kind="objection", reason="列入有误")
        credit_services.submit_loan(product=product, by=owner, amount=50, purpose="购置设备")


def project_sample(world) -> None:
    """A key project of 东城区 at 开工 with an approved and a pending step, a 三未 flag and an appeal about it."""
    from qinqing.appeals.models import Category
    from qinqing.projects import services as project_services

    project = project_services.create_project(
        by=world.dispatcher,
        name="东城智能装备产业园项目",
        enterprise=world.ent_a,
        amount=50000,
        industry="C",
        region=world.east,
        leader=world.leader,
        since=dt.date(2025, 3, 3),
    )
    for action, on in (
        ("sign", dt.date(2025, 6, 2)),
        ("land", dt.date(2025, 8, 1)),
        ("start", dt.date(2026, 3, 2)),
    ):
        project = project_services.move_stage(by=world.dispatcher, project=project, action=action, on=on)
    step = project_services.add_step(
        by=world.dispatcher, project=project, kind="construction", department=world.land
    )
    step = project_services.record_step(
        by=world.dispatcher, step=step, action="submit", on=dt.date(2026, 1, 5)
    )
    project_services.record_step(by=world.dispatcher, step=step, action="approve", on=dt.date(2026, 2, 2))
    other = project_services.add_step(
        by=world.dispatcher, project=project, kind="completion", department=world.hr
    )
    project_services.record_step(by=world.dispatcher, step=other, action="submit", on=dt.date(2026, 11, 2))
    project_services.raise_problem(
        by=world.dispatcher,
        project=project,
        title="施工用电增容",
        content="项目施工用电需增容，请协调供电公司。",
        category=Category.objects.get(code="power"),
    )
    project_services.sweep_flags()


def plans_sample(world) -> None:
    """An approved plan whose task has a report with evidence, a slip, and a published ranking."""
    from qinqing.plans import rankings
    from qinqing.plans import services as plan_services
    from qinqing.plans.sweep import sweep as plan_sweep

    plan = plan_services.create_plan(by=world.dispatcher, year=2026, title="行动方案")
    task = plan_services.add_task(
        plan=plan,
        by=world.dispatcher,
        code="1",
        title="稳岗",
        environment="social",
        lead_department=world.hr,
        supervisor=world.leader,
    )
    milestone = plan_services.add_milestone(
        task=task,
        by=world.dispatcher,
        title="细则",
        due=dt.date(2026, 12, 1),
        expected_result="r",
        evidence_required="e",
    )
    plan_services.approve_plan(plan=plan, by=world.dispatcher, today=dt.date(2026, 10, 1))
    plan_services.file_report(
        task=task, by=world.handler_hr, text="进展", milestone=milestone, link="https://example.gov.cn/a"
    )
    plan_sweep(dt.date(2026, 11, 16))
    rankings.publish(by=world.dispatcher, period="month", anchor=dt.date(2026, 10, 1), confirm=True)


class Sample:
    """One of each object the detail routes name, so they render instead of answering 404."""

    def __init__(self, world):
        clock_day = at(2026, 11, 16)
        self.appeal = world.in_progress(title="招工难，缺一线操作工", content="旺季缺一线操作工约50人")
        services.request_extension(appeal=self.appeal, by=world.handler_hr, days=3, reason="需协调招聘会场地")
        replied = world.replied()
        world.closed()
        world.submit()
        self.issue = insights_services.confirm_common_issue(
            by=world.dispatcher,
            appeals=[world.submit(), world.submit(by=world.ent_user_b)],
            title="共性问题",
            lead=world.hr,
        )
        supervision_services.issue_order(
            by=world.dispatcher,
            department=world.hr,
            appeals=[self.appeal],
            content="请加快办理",
            respond_by=(clock_day + dt.timedelta(days=3)).date(),
        )
        sweep(now=clock_day + dt.timedelta(days=30))  # warnings and notifications to list
        credit_sample(world)
        run_worker()  # reply scores, deliveries
        self.replied = replied
        self.policy_item = _policy_sample(world)
        project_sample(world)
        plans_sample(world)

    def value(self, route_name: str, kwarg: str) -> str:
        if kwarg == "number":
            if "clue" in route_name:
                return (
                    apps.get_model("fieldwork", "Clue").objects.values_list("number", flat=True).first()
                    or "X"
                )
            return self.appeal.number
        if kwarg == "action":
            return "reply"
        if kwarg == "code":
            return "cn-national-2020"
        model = {
            "extension_id": "appeals.ExtensionRequest",
            "issue_id": "insights.CommonIssue",
            "order_id": "supervision.SupervisionOrder",
            "meeting_id": "fieldwork.Meeting",
            "series_id": "fieldwork.MeetingSeries",
            "enterprise_id": "enterprises.Enterprise",
            "point_id": "fieldwork.ContactPoint",
            "tf_id": "fieldwork.TaskForce",
            "entry_id": "credit.CreditEntry",
            "request_id": "credit.CreditRequest",
            "batch_id": "credit.ImportBatch",
            "loan_id": "credit.LoanRequest",
            "list_id": "credit.CreditList",
            "notification_id": "supervision.Notification",
            "project_id": "projects.Project",
            "step_id": "projects.ApprovalStep",
            "task_id": "plans.Task",
            "plan_id": "plans.Plan",
            "slip_id": "plans.Slip",
            "ranking_id": "plans.Ranking",
            "milestone_id": "plans.Milestone",
        }.get(kwarg)
        if model is None and kwarg == "pk":
            model = {
                "insights_issue": "insights.CommonIssue",
                "supervision_order": "supervision.SupervisionOrder",
                "notification_detail": "supervision.Notification",
                "public_honour": "supervision.HonourList",
                "appeal_attachment": "appeals.Attachment",
                "fieldwork_enterprise": "enterprises.Enterprise",
                "fieldwork_meeting": "fieldwork.Meeting",
                "fieldwork_series": "fieldwork.MeetingSeries",
                "fieldwork_series_export": "fieldwork.MeetingSeries",
                "fieldwork_task_force": "fieldwork.TaskForce",
                "policies_item": "policies.PolicyItem",
                "redemption_case": "policies.RedemptionCase",
                "redemption_publicity": "policies.PolicyItem",
                "policies_enterprise": "enterprises.Enterprise",
                "indices_indicator": "indices.Indicator",
                "indices_evidence": "indices.Observation",
                "entry": "credit.CreditEntry",
                "request": "credit.CreditRequest",
                "batch": "credit.ImportBatch",
                "loan": "credit.LoanRequest",
                "detail": "projects.Project",
                "act": "projects.Project",
                "plan": "plans.Plan",
                "task": "plans.Task",
                "slip": "plans.Slip",
                "ranking": "plans.Ranking",
                "evidence": "plans.Evidence",
            }.get(route_name)
        return str(first_pk(model)) if model else "1"

    def url(self, route: str, name: str) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: self.value(name, m.group(1)), route)


def personas(world) -> dict[str, User]:
    def user(name, role):
        return User.objects.create_user(
            username=name, password="pw-qinqing-1", role=role, full_name=name, region=world.city
        )

    found = {
        "enterprise": world.ent_user_a,
        "dispatcher": world.dispatcher,
        "handler": world.handler_hr,
        "dept_head": world.head_hr,
        "leader": world.leader,
        "officer": user("officer_get", Role.OFFICER),
        "supervisor": user("supervisor_get", Role.SUPERVISOR),
        "sysadmin": world.sysadmin,
        "secadmin": world.secadmin,
        "auditor": world.auditor,
    }
    assert set(found) == set(Role.values), "a new role needs a persona here"
    return found


def writes_of(queries) -> list[str]:
    bad = []
    for q in queries:
        sql = q["sql"]
        m = WRITE.match(sql)
        if m and (m.group(1).split()[0].upper(), m.group(2).lower()) not in ALLOWED_WRITES:
            bad.append(sql[:160])
        elif LOCK.search(sql):
            bad.append(sql[:160])
    return bad


def test_no_get_writes_for_any_role(world, clock):
    sample = Sample(world)
    routes = [(r, n) for r, n in get_routes() if not r.startswith(SKIPPED_PREFIXES)]
    assert len(routes) > 60, "the URL walk found too few routes"
    offenders = []
    fetched = 0
    for role, user in personas(world).items():
        page = Client()
        page.force_login(user)
        api = Client(headers={"Authorization": f"Bearer {world.token(user)}"})
        for route, name in routes:
            client = api if route.startswith("api/") else page
            url = sample.url(route, name)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, PARAMS)
            fetched += 1
            assert response.status_code < 500, (role, url, response.status_code)
            offenders += [f"{role} GET {url}: {sql}" for sql in writes_of(ctx.captured_queries)]
    assert fetched >= 60 * len(Role.values)
    assert not offenders, "\n".join(offenders)
