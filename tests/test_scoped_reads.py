"""Every read of a scoped model by a page or an API operation goes through a selector that takes the user.

The test walks the site's URL patterns and the API's operations, reads the source of each view (and of the
functions of its own module that it calls, transitively), and fails on any direct ``Model.objects`` of a scoped
model there. Reads belong in the apps' ``selectors`` (or ``services`` for the actions), which scope by the user
in one place. A line that must read directly says why with ``# scope-ok: <reason>``.

Every model of the project is classified below as scoped or as reference data, so a new model must be placed
before it can be read anywhere.
"""

import ast
import inspect
import textwrap
import types

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

SCOPED = {
    # A region's index: its observations (and their history), targets and choices.
    "indices.Observation",
    "indices.ObservationEvent",
    "indices.Target",
    "indices.RegionIndex",
    "enterprises.Enterprise",
    "enterprises.Contact",
    "accounts.User",
    "accounts.ApiToken",
    "accounts.PasswordHistory",
    "accounts.GrantRequest",
    "audit.AuditRecord",
    "appeals.Appeal",
    "appeals.AppealEvent",
    "appeals.ExtensionRequest",
    "appeals.ClockPause",
    "appeals.Attachment",
    "appeals.ActionReceipt",
    "appeals.AppealImport",
    "appeals.RevisitSample",
    "appeals.Revisit",
    "insights.AppealText",
    "insights.AppealLink",
    "insights.CommonIssue",
    "insights.ReplyCheck",
    "supervision.Notification",
    "supervision.DeadlineAlert",
    "supervision.SupervisionOrder",
    "supervision.HonourList",
    "supervision.RatingContest",
    "supervision.NotificationDelivery",
    "supervision.NoticeOptOut",
    "supervision.DepartmentWebhook",  # its URL carries the robot's key: the admin only
    "supervision.PauseReminder",
    "fieldwork.MeetingSeries",
    "fieldwork.Meeting",
    "fieldwork.ServiceAssignment",
    "fieldwork.Visit",
    "fieldwork.Supervisor",
    "fieldwork.Clue",
    "fieldwork.ClueEvent",
    "fieldwork.SpotCheck",
    "fieldwork.ContactPoint",
    "fieldwork.TaskForce",
    "fieldwork.TaskForceMember",
    "fieldwork.TaskForceLog",
    "fieldwork.AppealOrigin",
    "dashboard.DayRegionStat",
    "dashboard.DayMeasureStat",
    "dashboard.DayDimensionStat",
    "enterprises.EnterpriseAttribute",
    "enterprises.AttributeChange",
    "policies.PolicyMatch",
    "policies.MatchTally",
    "policies.PolicyMute",
    "policies.PolicyPush",
    "policies.PolicyTask",
    "policies.GateDecision",
    "policies.RedemptionCase",
    "policies.RedemptionEvent",
    "policies.RedemptionMaterial",
    "policies.RedemptionAppeal",
    "plans.Plan",
    "plans.Task",
    "plans.Milestone",
    "plans.ProgressReport",
    "plans.Evidence",
    "plans.Slip",
    "plans.PlanEvent",
    "plans.Ranking",
    "credit.CreditEntry",
    "credit.CreditEvent",
    "credit.CreditRequest",
    "credit.ImportBatch",
    "credit.LoanRequest",
    "projects.Project",
    "projects.StagePlan",
    "projects.ApprovalStep",
    "projects.ProjectFlag",
    "projects.ProjectAppeal",
    "projects.ProjectEvent",
    "signup.LinkRequest",
    "signup.VerificationCode",  # read by its services only; no page or endpoint lists codes
}
# Reference data and bookkeeping any signed-in page may read: the calendar, the trees, categories and limits.
REFERENCE = {
    "core.CalendarOverride",
    "core.DailySequence",
    "organisation.Region",
    "organisation.Department",
    "appeals.Category",
    "appeals.TimeLimit",
    "appeals.ResponsibilityCatalogue",
    "supervision.EvaluationWeights",
    "dashboard.RollupState",
    # The policy library is public information (政策公开): every signed-in user reads documents, items and their
    # conditions; who may edit them is the services' question.
    "policies.PolicyDocument",
    "policies.PolicyItem",
    "policies.Condition",
    "policies.GateRule",
    # Published: a list's name, basis and authority; a bank's loan offer.
    "credit.CreditList",
    "credit.FinancialProduct",
    # Published evaluation frameworks (national, provincial, B-READY) and their indicator trees.
    "indices.Framework",
    "indices.Indicator",
    "indices.IndicatorMapping",
    "indices.Grouping",
    "indices.GroupingItem",
    # Published comparator figures (对标广州、深圳) with their source.
    "indices.Benchmark",
}
# Apps of the framework and libraries, whose pages (the admin, the login) are theirs.
FOREIGN_VIEW_MODULES = ("django.", "ninja.")


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("qinqing.")]


def test_every_model_is_classified():
    labels = {_label(m) for m in _project_models()}
    assert labels - SCOPED - REFERENCE == set(), "classify new models as SCOPED or REFERENCE"
    assert SCOPED & REFERENCE == set()


def _page_views(patterns=None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from _page_views(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield str(p.pattern), p.callback


def _api_operations():
    from qinqing.api.api import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                yield f"api{prefix}{path} {','.join(op.methods)}", op.view_func


def _views():
    seen = set()
    for name, view in [*_page_views(), *_api_operations()]:
        func = inspect.unwrap(view)
        func = getattr(func, "view_class", func)
        module = getattr(func, "__module__", "") or ""
        if not module.startswith("qinqing.") or func in seen:
            continue
        seen.add(func)
        yield name, func


def _called_here(node: ast.AST, module: types.ModuleType) -> set:
    """Functions of `module` called by name inside `node`."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            target = getattr(module, n.func.id, None)
            if isinstance(target, types.FunctionType) and target.__module__ == module.__name__:
                found.add(target)
    return found


def _direct_reads(func, scoped_names) -> list[str]:
    """`Model.objects` / `Model._default_manager` of scoped models in `func` and the same-module functions it
    calls, except lines marked ``# scope-ok``."""
    module = inspect.getmodule(func)
    problems, todo, done = [], [func], set()
    while todo:
        f = todo.pop()
        if f in done:
            continue
        done.add(f)
        try:
            lines, start = inspect.getsourcelines(f)
        except (OSError, TypeError):
            continue
        tree = ast.parse(textwrap.dedent("".join(lines)))
        for n in ast.walk(tree):
            if (
                isinstance(n, ast.Attribute)
                and n.attr in ("objects", "_default_manager")
                and isinstance(n.value, ast.Name)
            ):
                model = getattr(module, n.value.id, None) or f.__globals__.get(n.value.id)
                if model is None:
                    # Imported inside the function: resolve the name through the project's models.
                    model = scoped_names.get(n.value.id)
                if model is not None and _label(model) in SCOPED:
                    line = lines[n.lineno - 1]
                    if "scope-ok" not in line:
                        problems.append(
                            f"{module.__name__}.{f.__name__}:{start + n.lineno - 1}: {line.strip()}"
                        )
        todo.extend(_called_here(tree, module))
    return problems


# Direct reads still in fieldwork's views, being split into sub-domain packages with their selectors (issue 12).
# This list may only shrink: a new direct read anywhere fails the test.
KNOWN_FIELDWORK_FUNCTIONS = {
    "qinqing.insights.api.reply_checks_visible_to",
}


def test_views_read_scoped_models_only_through_selectors():
    scoped_names = {m.__name__: m for m in _project_models() if _label(m) in SCOPED}
    views = list(_views())
    assert len(views) > 50, "the walk found the site's views and API operations"
    problems = []
    for name, func in views:
        problems += [
            f"{name} -> {p}"
            for p in _direct_reads(func, scoped_names)
            if p.split(":")[0] not in KNOWN_FIELDWORK_FUNCTIONS
        ]
    assert problems == [], "\n".join(["views reading scoped models without a selector:", *problems])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def view(request):\n    return Appeal.objects.all()\n", 1),
        ("def view(request):\n    return Appeal.objects.all()  # scope-ok: test\n", 0),
        ("def view(request):\n    return Category.objects.all()\n", 0),
        (
            "def view(request):\n    return helper()\n\ndef helper():\n    return Enterprise.objects.all()\n",
            1,
        ),
    ],
)
def test_the_check_can_fail(source, expected, tmp_path, monkeypatch):
    """The detector itself: a direct read is found, in the view or in a helper it calls; a marked line is not."""
    import importlib.util
    import sys

    path = tmp_path / "fake_views.py"
    path.write_text(
        "from qinqing.appeals.models import Appeal, Category\nfrom qinqing.enterprises.models import Enterprise\n"
        + source
    )
    spec = importlib.util.spec_from_file_location("fake_views", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fake_views", module)
    spec.loader.exec_module(module)
    scoped_names = {m.__name__: m for m in _project_models() if _label(m) in SCOPED}
    assert len(_direct_reads(module.view, scoped_names)) == expected
