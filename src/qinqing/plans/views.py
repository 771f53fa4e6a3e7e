"""Pages of 行动方案与任务清单: plans and their task trees, a task with its milestones, reports, evidence and slips,
the slips, the rankings (preview, confirm, publish, frozen lists), the 四挂钩 sheet and the leaders' dashboard.
Every list has its Excel (``?format=xlsx``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.core import excel, pages
from qinqing.core.errors import DomainError, NotPermitted, NotVisible
from qinqing.core.inputs import fields, parse
from qinqing.indices import selectors as index_selectors
from qinqing.plans import actions, assessment, inputs, rankings, selectors, workflow
from qinqing.plans.models import Cadence, Environment, Light, Milestone, Ranking, Responsibility, Slip, Task
from qinqing.plans.sweep import escalates_to
from qinqing.projects import selectors as project_selectors

STAFF = (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD)
LEADING = (Role.DISPATCHER, Role.LEADER)


def _staff(request: AuthedRequest) -> None:
    if request.user.role not in STAFF and not request.user.supervised_plan_tasks.exists():
        raise Http404("未找到页面")


def _wants_xlsx(request: AuthedRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _attempt(request: AuthedRequest, call, success: str):
    """Run one drafting action from a page form. What the user may not see answers 404 and what they may not do
    403, as the API does; any other refusal (bad input, the wrong moment) comes back as the errors to redisplay
    the form with, field by field, and nothing is saved (every service is one transaction)."""
    try:
        done = call()
    except NotVisible as exc:
        raise Http404(exc.message) from exc
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, pages.error_text(exc))
        return None, exc.errors  # the message itself is on the page (messages)
    messages.success(request, success)
    return done, {}


def _form(schema, request: AuthedRequest, errors: dict, **kw) -> list[dict]:
    """The schema's fields for a drafting form, refilled with what was posted; lists are multiple selects and
    days are date pickers."""
    posted = request.POST if request.method == "POST" else None
    data = {k: v for k, v in posted.items() if k != "csrfmiddlewaretoken"} if posted else {}
    out = fields(schema, data=data, errors=errors, **kw)
    for f in out:
        annotation = schema.model_fields[f["name"]].annotation
        f["multiple"] = getattr(annotation, "__origin__", None) is list
        if f["multiple"]:
            f["values"] = posted.getlist(f["name"]) if posted else []
        f["type"] = "date" if f["name"] == "due" else ""
    return out


def home(request: AuthedRequest) -> HttpResponse:
    """Offices and leaders land on the plans; a department (or a 督办专员) on its tasks. The office drafts a new
    plan of its region here (编制行动方案)."""
    _staff(request)
    user = request.user
    if user.role not in LEADING:
        if request.method == "POST":
            raise PermissionDenied("只有营商办可以编制行动方案")
        return redirect("plans:tasks")
    errors: dict = {}
    if request.method == "POST":
        made, errors = _attempt(
            request, lambda: actions.create_plan(user, parse(inputs.PlanIn, request.POST)), "行动方案已创建"
        )
        if made is not None:
            return redirect("plans:plan", pk=made.pk)
    drafts = user.role == Role.DISPATCHER and user.region is not None
    return render(
        request,
        "plans/plans.html",
        {
            "plans": selectors.plans_visible_to(user),
            "plan_fields": _form(
                inputs.PlanIn,
                request,
                errors,
                textarea=("leading_group", "working_groups"),
                choices={"cadence": Cadence.choices},
                hints={"working_groups": "每行一个专班"},
            )
            if drafts
            else None,
        },
    )


def plan(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_page(request, pk, {})


def _plan_page(request: AuthedRequest, pk: int, errors: dict) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_plan(request.user, pk))
    assert found is not None
    tasks = list(
        selectors.with_figures(selectors.tasks_visible_to(request.user).filter(plan=found)).order_by(
            "position", "code"
        )
    )
    for t in tasks:
        t.pct = selectors.progress(t)  # type: ignore[attr-defined]
    available = {a.name: a for a in workflow.PLANS.available(found, request.user)}
    task_fields = None
    if "edit" in available:
        task_fields = _form(
            inputs.PlanTaskIn,
            request,
            errors,
            textarea=("description",),
            choices={
                **selectors.drafting_choices(request.user, found),
                "environment": Environment.choices,
                "responsibility": Responsibility.choices,
            },
        )
    return render(
        request,
        "plans/plan.html",
        {
            "plan": found,
            "tasks": tasks,
            "actions": available,
            "groups": [g for g in found.working_groups.splitlines() if g.strip()],
            "task_fields": task_fields,
        },
    )


@require_POST
def add_task(request: AuthedRequest, pk: int) -> HttpResponse:
    """新增任务 (the office, while the plan may be edited): to the new task's page, or the plan page again."""
    made, errors = _attempt(
        request,
        lambda: actions.add_task(request.user, pk, parse(inputs.PlanTaskIn, request.POST)),
        "任务已新增",
    )
    if made is not None:
        return redirect("plans:task", pk=made.pk)
    return _plan_page(request, pk, errors)


@require_POST
def plan_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """批准方案 (freezes the baseline) and 结束方案: back to the plan page, with the reason when refused."""
    _attempt(request, lambda: actions.plan_step(request.user, pk, step), "已办理")
    return redirect("plans:plan", pk=pk)


def _filtered_tasks(request: AuthedRequest):
    qs = selectors.with_figures(selectors.tasks_visible_to(request.user))
    g = request.GET
    filters = {k: g.get(k, "") for k in ("plan", "light", "environment", "department", "state", "mine")}
    if (p := _int(filters["plan"])) is not None:
        qs = qs.filter(plan_id=p)
    if filters["light"] in Light.values:
        qs = qs.filter(light=filters["light"])  # type: ignore[misc]  # annotated by with_figures
    if filters["environment"] in Environment.values:
        qs = qs.filter(environment=filters["environment"])
    if (d := _int(filters["department"])) is not None:
        qs = qs.filter(lead_department_id=d)
    if filters["state"] in Task.State.values:
        qs = qs.filter(state=filters["state"])
    return qs.order_by("plan__year", "plan_id", "position", "code"), filters


def tasks(request: AuthedRequest) -> HttpResponse:
    """任务清单 (for a department: 我的任务), filterable by plan, light, environment, department and state."""
    _staff(request)
    qs, filters = _filtered_tasks(request)
    if _wants_xlsx(request):
        rows = [
            [
                t.plan.year,
                t.code,
                t.title,
                t.get_environment_display(),
                str(t.lead_department),
                t.get_responsibility_display(),
                str(t.supervisor or ""),
                float(t.weight),
                t.get_state_display(),
                Light(t.light).label,
                selectors.progress(t),
            ]
            for t in qs
        ]
        headers = [
            "年度",
            "编号",
            "任务",
            "所属环境",
            "牵头部门",
            "责任类型",
            "督办专员",
            "权重",
            "状态",
            "灯",
            "进度（%）",
        ]
        return excel.response(excel.workbook([("任务清单", headers, rows)]), "任务清单.xlsx")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for t in page:
        t.pct = selectors.progress(t)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "plans/tasks.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "lights": Light.choices,
            "environments": Environment.choices,
            "states": Task.State.choices,
            "mine": request.user.role in (Role.HANDLER, Role.DEPT_HEAD),
        },
    )


def task(request: AuthedRequest, pk: int) -> HttpResponse:
    return _task_page(request, pk, {})


def _task_page(request: AuthedRequest, pk: int, errors: dict) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_task(request.user, pk))
    assert found is not None
    user = request.user
    today = timezone.localdate()
    internals = selectors.sees_internals(user, found)
    milestones = list(selectors.milestones_of(user, found))
    for m in milestones:
        m.task = found  # the machine reads the task's plan and department: no query per milestone
    evidence: dict[int, list] = {}
    for e in selectors.evidence_for_task(user, found):
        evidence.setdefault(e.milestone_id, []).append(e)
    rows = [
        {
            "m": m,
            "light": m.light(today),
            "slip": selectors.slippage(m),
            "evidence": evidence.get(m.pk, []),
            "actions": {a.name: a for a in workflow.MILESTONES.available(m, user)},
        }
        for m in milestones
    ]
    task_actions = {a.name: a for a in workflow.TASKS.available(found, user)}
    submittable = [m for m in milestones if m.state in (Milestone.State.OPEN, Milestone.State.RETURNED)]
    drafting = found.state != Task.State.CLOSED and any(
        a.name == "edit" for a in workflow.PLANS.available(found.plan, user)
    )
    return render(
        request,
        "plans/task.html",
        {
            "task": found,
            "pct": selectors.progress(found),
            "rows": rows,
            "internals": internals,
            "reports": selectors.reports_of(user, found)[:30] if internals else [],
            "slips": selectors.slips_visible_to(user).filter(task=found),
            "events": selectors.events_of(user, found),
            "actions": task_actions,
            "report_fields": fields(
                inputs.PlanReportIn,
                textarea=("text", "problems"),
                choices={"milestone": [(m.pk, f"{m.title}（{m.due:%Y-%m-%d}）") for m in submittable]},
            ),
            "note_fields": fields(inputs.PlanNoteIn, textarea=("note",)),
            "review_fields": fields(inputs.PlanReviewIn),
            "reschedule_fields": fields(inputs.PlanRescheduleIn),
            "indicators": list(found.indicators.select_related("framework")),
            "co": list(found.co_departments.all()),
            "milestone_fields": _form(inputs.PlanMilestoneIn, request, errors) if drafting else None,
        },
    )


@require_POST
def add_milestone(request: AuthedRequest, pk: int) -> HttpResponse:
    """新增节点 (the office): back to the task's page, or that page again with the errors."""
    made, errors = _attempt(
        request,
        lambda: actions.add_milestone(request.user, pk, parse(inputs.PlanMilestoneIn, request.POST)),
        "节点已新增",
    )
    if made is not None:
        return redirect("plans:task", pk=pk)
    return _task_page(request, pk, errors)


@require_POST
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    pages.perform(
        request,
        lambda: actions.file_report(
            request.user, pk, parse(inputs.PlanReportIn, request.POST), request.FILES.getlist("attachments")
        ),
        success="进展已报送",
    )
    return redirect("plans:task", pk=pk)


@require_POST
def task_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    pages.perform(
        request,
        lambda: actions.task_step(request.user, pk, step, parse(inputs.PlanNoteIn, request.POST)),
        success="已办理",
    )
    return redirect("plans:task", pk=pk)


@require_POST
def milestone_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    def call():
        if step == "reschedule":
            return actions.reschedule(request.user, pk, parse(inputs.PlanRescheduleIn, request.POST))
        return actions.milestone_step(request.user, pk, step, parse(inputs.PlanReviewIn, request.POST))

    done = pages.perform(request, call, success="已办理")
    if done is not None:
        return redirect("plans:task", pk=done.task_id)
    m = pages.perform(request, lambda: selectors.get_milestone(request.user, pk))
    assert m is not None
    return redirect("plans:task", pk=m.task_id)


def evidence(request: AuthedRequest, pk: int) -> HttpResponseBase:
    found = pages.perform(request, lambda: selectors.get_evidence(request.user, pk))
    assert found is not None
    if not found.file:
        return redirect(found.link)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name)


def slips(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = selectors.slips_visible_to(request.user)
    g = request.GET
    level, state, plan_id = g.get("level", ""), g.get("state", "open"), _int(g.get("plan"))
    if level in Slip.Level.values:
        qs = qs.filter(level=level)
    if state == "open":
        qs = qs.exclude(state=Slip.State.CLOSED)
    elif state in Slip.State.values:
        qs = qs.filter(state=state)
    if plan_id is not None:
        qs = qs.filter(task__plan_id=plan_id)
    if (d := _int(g.get("department"))) is not None:
        qs = qs.filter(task__lead_department_id=d)
    if _wants_xlsx(request):
        rows = [
            [
                s.issued_on,
                s.get_level_display(),
                s.task.code,
                s.task.title,
                str(s.task.lead_department),
                s.get_kind_display(),
                s.reason,
                s.respond_by,
                escalates_to(s),
                s.get_state_display(),
                s.answer,
            ]
            for s in qs
        ]
        headers = [
            "发出日期",
            "等级",
            "任务编号",
            "任务",
            "牵头部门",
            "类型",
            "事由",
            "回复时限",
            "逾期升级至",
            "状态",
            "回复",
        ]
        return excel.response(excel.workbook([("任务督办单", headers, rows)]), "任务督办单.xlsx")
    query = "&".join(
        f"{k}={v}" for k, v in (("level", level), ("state", state), ("plan", plan_id or "")) if v
    )
    return render(
        request,
        "plans/slips.html",
        {
            "page": Paginator(qs, 50).get_page(g.get("page")),
            "level": level,
            "state": state,
            "levels": Slip.Level.choices,
            "states": Slip.State.choices,
            "query": query,
        },
    )


def slip(request: AuthedRequest, pk: int) -> HttpResponse:
    found = pages.perform(request, lambda: selectors.get_slip(request.user, pk))
    assert found is not None
    return render(
        request,
        "plans/slip.html",
        {
            "slip": found,
            "escalates_to": escalates_to(found),
            "actions": {a.name: a for a in workflow.SLIPS.available(found, request.user)},
            "answer_fields": fields(inputs.SlipAnswerIn, textarea=("answer",)),
            "note_fields": fields(inputs.PlanNoteIn),
            "events": found.events.select_related("by"),
        },
    )


@require_POST
def slip_act(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    def call():
        if step == "answer":
            return actions.answer_slip(request.user, pk, parse(inputs.SlipAnswerIn, request.POST))
        if step == "close":
            return actions.close_slip(request.user, pk, parse(inputs.PlanNoteIn, request.POST))
        raise Http404("未找到该操作")

    pages.perform(request, call, success="已办理")
    return redirect("plans:slip", pk=pk)


def _last_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def ranking_list(request: AuthedRequest) -> HttpResponse:
    """Published rankings; for the office a preview of a finished period and the confirmed publishing."""
    _staff(request)
    user = request.user
    preview = error = None
    period = request.GET.get("period", "month")
    month_text = request.GET.get("month", "")
    if user.role in LEADING and user.region is not None:
        try:
            anchor = dt.date.fromisoformat(month_text) if month_text else _last_month(timezone.localdate())
            preview = rankings.preview(user.region, period, anchor)
        except ValueError:
            error = "日期格式应为 YYYY-MM-DD"
        except DomainError as exc:
            error = pages.error_text(exc)
    return render(
        request,
        "plans/rankings.html",
        {
            "published": selectors.rankings_visible_to(user)[:24],
            "preview": preview,
            "error": error,
            "period": period,
            "month": month_text or (_last_month(timezone.localdate()).isoformat()),
            "can_publish": user.role == Role.DISPATCHER,
        },
    )


@require_POST
def ranking_publish(request: AuthedRequest) -> HttpResponse:
    done = pages.perform(
        request,
        lambda: actions.publish_ranking(request.user, parse(inputs.PlanRankingIn, request.POST)),
        success="排名已发布",
    )
    if done is not None:
        return redirect("plans:ranking", pk=done.pk)
    return redirect("plans:rankings")


RANK_HEADERS = ["名次", "单位", "到期节点", "按期完成", "逾期", "督办单", "退回", "按期率（%）", "得分"]


def _rank_rows(rows: list[dict]) -> list[list]:
    return [
        [
            i,
            r["department"],
            r["due"],
            r["on_time"],
            r["late"],
            r["slips"],
            r["rejections"],
            r["rate"],
            r["score"],
        ]
        for i, r in enumerate(rows, start=1)
    ]


def ranking(request: AuthedRequest, pk: int) -> HttpResponse:
    found: Ranking | None = pages.perform(request, lambda: selectors.get_ranking(request.user, pk))
    assert found is not None
    if _wants_xlsx(request):
        sheets = [
            ("红榜", RANK_HEADERS, _rank_rows(found.red)),
            ("黑榜", RANK_HEADERS, _rank_rows(found.black)),
            ("全部单位", RANK_HEADERS, _rank_rows(found.all_rows)),
        ]
        return excel.response(excel.workbook(sheets), f"任务推进排名-{found.start:%Y%m}.xlsx")
    return render(request, "plans/ranking.html", {"ranking": found, "rule": rankings.RULE_TEXT})


def assessment_sheet(request: AuthedRequest) -> HttpResponse:
    region = pages.perform(request, lambda: actions.leader_region(request.user))
    assert region is not None
    year = _int(request.GET.get("year")) or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404("年度不在范围内")
    rows = assessment.sheet(region, year)
    if _wants_xlsx(request):
        return excel.response(assessment.xlsx(region, year, rows), f"{year}年度绩效考核评分表.xlsx")
    return render(
        request,
        "plans/assessment.html",
        {
            "rows": rows,
            "year": year,
            "region": region,
            "weights": [(assessment.LABELS[k], w) for k, w in assessment.WEIGHTS.items()],
            "keys": list(assessment.WEIGHTS),
            "explain": [(assessment.LABELS[k], assessment._explain(k)) for k in assessment.WEIGHTS],
        },
    )


def dashboard(request: AuthedRequest) -> HttpResponse:
    """领导看板: the plans figures (tasks by light, progress, slips, slippage, departments), each drilling down.
    The index score panel and the projects panel are filled by the lead after merging indices and projects."""
    if request.user.role not in LEADING:
        raise Http404("未找到页面")
    figures = pages.perform(request, lambda: selectors.dashboard(request.user, _int(request.GET.get("plan"))))
    assert figures is not None
    region = request.user.region
    return render(
        request,
        "plans/dashboard.html",
        {
            "f": figures,
            "light_cards": [(v, label, figures.lights.get(v, 0)) for v, label in Light.choices],
            "slip_cards": [(v, label, figures.slips.get(v, 0)) for v, label in Slip.Level.choices],
            "region": region,
            "index": _index_panel(request.user, region),
            "projects": project_selectors.stage_summary(request.user, region) if region else None,
        },
    )


# The index the leaders' page shows when the region chose none: the provincial one ("一个体系").
DEFAULT_FRAMEWORK = "gd-provincial-2023"


def _index_panel(user, region) -> dict | None:
    """The index score of the region's framework (its choice, else the provincial index), the gap to each
    benchmark and the tree page behind them; None when no framework is loaded."""
    if region is None:
        return None
    chosen = index_selectors.chosen_framework(user, region, DEFAULT_FRAMEWORK)
    if chosen is None:
        return None
    period = index_selectors.latest_year(user, chosen, region)
    summary = index_selectors.region_summary(user, chosen, region, period)
    summary["gap_list"] = [(c, g) for c, g in sorted(summary["gaps"].items())]
    return summary
