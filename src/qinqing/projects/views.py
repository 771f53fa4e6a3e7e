"""Pages of key projects: the list (filters, totals, Excel), a project (stages planned vs actual with slippage,
approval steps with working days, the spans between stages, the whole approval against its target and against
the baseline project, flags, linked appeals, history, and the forms of the actions the user may take), the
entry form of the office, and 四个一批 per month, quarter or year."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.core import excel, pages
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.inputs import fields, parse
from qinqing.core.params import date_or
from qinqing.enterprises.models import Industry
from qinqing.projects import actions, inputs, report, selectors, workflow
from qinqing.projects.models import FlagRule, Stage, StepKind
from qinqing.supervision.evaluation import period_bounds

READERS = (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD, Role.OFFICER, Role.ENTERPRISE)
PERIODS = (("month", "月度"), ("quarter", "季度"), ("year", "年度"))


def _reader(request: AuthedRequest):
    if request.user.role not in READERS:
        raise Http404("未找到页面")
    return request.user


def _filters(request: AuthedRequest) -> selectors.Filters:
    g = request.GET
    region = g.get("region", "")
    return selectors.Filters(
        stage=g.get("stage", "")[:12],
        industry=g.get("industry", "")[:1],
        region=int(region) if region.isdigit() and len(region) < 10 else None,
        flag=g.get("flag", "")[:24],
        q=g.get("q", "").strip()[:60],
        reached=g.get("reached", "")[:12],
        start=date_or(g.get("start"), dt.date.min) if g.get("start") else None,
        end=date_or(g.get("end"), dt.date.max) if g.get("end") else None,
        done=g.get("done") == "1",
    )


def project_list(request: AuthedRequest) -> HttpResponse:
    user = _reader(request)
    f = _filters(request)
    qs = selectors.filter_projects(selectors.projects_visible_to(user), f).order_by("-created_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = f.query()
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "rows": selectors.rows(page.object_list),
            "totals": selectors.totals(qs),
            "f": f,
            "query": urlencode(query),
            "stages": Stage.choices,
            "industries": Industry.choices,
            "flags": FlagRule.choices,
            "regions": report.regions_for(user),
            "can_create": user.role == Role.DISPATCHER,
        },
    )


def project_export(request: AuthedRequest) -> HttpResponse:
    user = _reader(request)
    f = _filters(request)
    qs = selectors.filter_projects(selectors.projects_visible_to(user), f).select_related("baseline")
    found = selectors.rows(qs.order_by("-created_at", "-id"))
    baselines = selectors.baselines_of(user, [r.project for r in found])
    content = excel.workbook([report.list_sheet(found, baselines)])
    return excel.response(content, f"重点项目_{timezone.localdate():%Y%m%d}.xlsx")


def _form_context(user, data=None, errors=None) -> dict:
    return {
        "fields": fields(
            inputs.ProjectIn,
            data=data,
            errors=errors,
            choices=report.entry_choices(user),
            textarea=("note",),
            hints={"baseline_id": "如同一企业上一期扩产项目：对比两者的全流程审批用时"},
        )
    }


def project_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.DISPATCHER or not user.region_id:
        raise Http404("未找到页面")
    context = _form_context(user)
    if request.method == "POST":
        try:
            made = actions.create(user, parse(inputs.ProjectIn, request.POST))
        except NotVisible as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            messages.error(request, pages.error_text(exc))
            context = _form_context(user, request.POST, exc.errors)
        else:
            messages.success(request, "项目已入库")
            return redirect("projects:detail", pk=made.pk)
    return render(request, "projects/new.html", context)


def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    project = pages.perform(request, lambda: selectors.get_project(user, pk))
    assert project is not None
    available = {a.name for a in workflow.PROJECTS.available(project, user)}
    d = report.describe(user, project)
    for row in d["steps"]:
        row["step"].project = project
        row["actions"] = [a.name for a in workflow.STEPS.available(row["step"], user)]
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "d": d,
            "moves": [(name, workflow.MOVE_LABELS[name]) for name in workflow.MOVES if name in available],
            "available": available,
            "appeals": selectors.appeals_of(user, project),
            "events": selectors.events_of(project),
            "earlier_stages": [(v, label) for v, label in Stage.choices][: project.stage_position],
            "stages": Stage.choices,
            "step_kinds": StepKind.choices,
            "departments": report.department_choices(),
            "categories": report.category_choices(),
            "today": timezone.localdate(),
        },
    )


@require_POST
def project_act(request: AuthedRequest, pk: int, do: str) -> HttpResponse:
    user = request.user
    post = request.POST
    if do in workflow.MOVES:
        pages.perform(
            request,
            lambda: actions.move(user, pk, do, parse(inputs.MoveIn, post)),
            success=f"已记录：{workflow.MOVE_LABELS[do]}",
        )
    elif do == "correct":
        pages.perform(
            request, lambda: actions.correct(user, pk, parse(inputs.CorrectIn, post)), success="阶段已更正"
        )
    elif do == "plan":
        pages.perform(
            request, lambda: actions.plan(user, pk, parse(inputs.StagePlanIn, post)), success="计划日期已保存"
        )
    elif do == "add_step":
        pages.perform(
            request, lambda: actions.add_step(user, pk, parse(inputs.StepIn, post)), success="审批环节已添加"
        )
    elif do in workflow.STEP_ACTIONS:
        step_id = post.get("step_id", "")
        step_pk = int(step_id) if step_id.isdigit() and len(step_id) < 10 else 0
        pages.perform(
            request,
            lambda: actions.record_step(user, pk, step_pk, do, parse(inputs.StepDateIn, post)),
            success="日期已记录",
        )
    elif do == "problem":
        made = pages.perform(
            request,
            lambda: actions.raise_problem(user, pk, parse(inputs.ProblemIn, post)),
            success="项目问题已登记为诉求",
        )
        if made is not None:
            return redirect("projects:detail", pk=pk)
    else:
        raise Http404("未找到该操作")
    return redirect("projects:detail", pk=pk)


def _period(request: AuthedRequest) -> tuple[str, dt.date, dt.date, dt.date]:
    kind = request.GET.get("period", "quarter")
    if kind not in dict(PERIODS):
        kind = "quarter"
    anchor = date_or(request.GET.get("date"), timezone.localdate())
    start, end = period_bounds(kind, anchor)
    return kind, anchor, start, end


def batches(request: AuthedRequest) -> HttpResponse:
    user = _reader(request)
    if user.role == Role.ENTERPRISE:
        raise Http404("未找到页面")
    kind, anchor, start, end = _period(request)
    f = _filters(request)
    region = report.region_param(f.region)
    figures = selectors.four_batches(user, start, end, region)
    if request.GET.get("format") == "xlsx":
        content = excel.workbook([report.batches_sheet(figures, start, end)])
        return excel.response(content, f"四个一批_{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    return render(
        request,
        "projects/batches.html",
        {
            "figures": figures,
            "period": kind,
            "periods": PERIODS,
            "anchor": anchor,
            "start": start,
            "end": end,
            "regions": report.regions_for(user),
            "region": f.region,
        },
    )
