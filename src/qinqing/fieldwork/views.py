"""Pages of the field service. Every page asks a selector for what the user may see; anything else is a 404."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.appeals import selectors as appeal_selectors
from qinqing.appeals.models import OPEN_STATUSES, Appeal, Category, Light
from qinqing.core import excel
from qinqing.core.errors import DomainError, InvalidInput, NotVisible
from qinqing.core.numbers import percent
from qinqing.core.params import date_or
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import reports, selectors, services
from qinqing.fieldwork.models import (
    SPOT_CHECK_ITEM_MAX,
    SPOT_CHECK_ITEMS,
    Clue,
    ContactPointKind,
    Meeting,
    MeetingKind,
    ServiceRole,
    SupervisorBackground,
    TaskForce,
    Visit,
)
from qinqing.organisation.models import Department
from qinqing.organisation.selectors import departments_in_reach
from qinqing.supervision.evaluation import period_bounds


def _fail(request: HttpRequest, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs]
    messages.error(request, exc.message + ("：" + "；".join(details) if details else ""))


def _office(request: HttpRequest, *, write: bool = False) -> User:
    user = request.user
    roles = (Role.DISPATCHER,) if write else (Role.DISPATCHER, Role.LEADER)
    if user.role not in roles or not user.region_id:
        raise Http404("未找到页面")
    return user


def _date(value: str | None, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise InvalidInput(f"请填写正确的{label}", {label: [f"请填写正确的{label}"]}) from exc


def _category(value) -> Category:
    category = (
        Category.objects.filter(pk=value or 0, active=True).first() if str(value or "").isdigit() else None
    )
    if category is None:
        raise InvalidInput("请选择类别", {"category": ["请选择类别"]})
    return category


def _quarter(request: HttpRequest) -> tuple[dt.date, dt.date]:
    anchor = date_or(request.GET.get("date"), timezone.localdate())
    return period_bounds("quarter", anchor)


def _lights(appeals) -> dict:
    now = timezone.now()
    return appeals.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        red=Count("pk", filter=appeal_selectors.light_q(Light.RED, now)),
        yellow=Count("pk", filter=appeal_selectors.light_q(Light.YELLOW, now)),
    )


# ---------------------------------------------------------------- officers


def officer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.OFFICER:
        raise Http404("未找到页面")
    today = timezone.localdate()
    assignments = selectors.assignments_of(user, today)
    rows = []
    for a in assignments:
        appeals = Appeal.objects.filter(enterprise=a.enterprise)
        rows.append({"assignment": a, **_lights(appeals)})
    if request.method == "POST":
        served = Enterprise.objects.filter(pk__in=selectors.assigned_enterprise_ids(user))
        enterprise = served.filter(pk=request.POST.get("enterprise") or 0).first()
        try:
            if enterprise is None:
                raise InvalidInput("请选择包干企业", {"enterprise": ["请选择您包干服务的企业"]})
            appeal = services.register_for_enterprise(
                by=user,
                enterprise=enterprise,
                title=request.POST.get("title", ""),
                content=request.POST.get("content", ""),
                category=_category(request.POST.get("category")),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
            messages.success(request, f"已代企业登记诉求 {appeal.number}，等待营商办受理")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_officer")
    visits = Visit.objects.filter(officer=user).select_related("enterprise")[:20]
    return render(
        request,
        "fieldwork/officer_home.html",
        {
            "rows": rows,
            "visits": visits,
            "categories": Category.objects.filter(active=True),
            "today": today,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def visit_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.OFFICER:
        raise Http404("未找到页面")
    enterprise = Enterprise.objects.filter(
        pk=request.GET.get("enterprise") or request.POST.get("enterprise") or 0
    )
    enterprise = enterprise.filter(pk__in=selectors.assigned_enterprise_ids(user)).first()
    if enterprise is None:
        raise Http404("该企业不在您的包干服务名单中")
    categories = Category.objects.filter(active=True)
    if request.method == "POST":
        post = request.POST
        try:
            issues = []
            for i in range(1, 4):
                content = (post.get(f"issue{i}_content") or "").strip()
                if content:
                    issues.append(
                        {
                            "title": post.get(f"issue{i}_title", ""),
                            "content": content,
                            "category": _category(post.get(f"issue{i}_category")),
                        }
                    )
            visit, appeals = services.log_visit(
                by=user,
                enterprise=enterprise,
                visited_on=_date(post.get("visited_on"), "走访日期"),
                people_met=post.get("people_met", ""),
                findings=post.get("findings", ""),
                policies=post.get("policies", ""),
                issues=issues,
            )
        except DomainError as exc:
            _fail(request, exc)
            return render(
                request,
                "fieldwork/visit_new.html",
                {"enterprise": enterprise, "categories": categories, "post": post, "slots": range(1, 4)},
            )
        numbers = "、".join(a.number for a in appeals)
        messages.success(
            request, "走访已记录" + (f"，已登记诉求 {numbers}，等待营商办受理" if appeals else "")
        )
        return redirect("fieldwork_officer")
    return render(
        request,
        "fieldwork/visit_new.html",
        {
            "enterprise": enterprise,
            "categories": categories,
            "post": {"visited_on": timezone.localdate().isoformat()},
            "slots": range(1, 4),
        },
    )


def enterprise_service(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise's service history: who served it when, visits (with who went), appeals (with who served
    it then)."""
    user = request.user
    try:
        enterprise, history = selectors.service_record(user, pk)
    except NotVisible as exc:
        raise Http404("未找到该企业") from exc
    office = user.role in (Role.DISPATCHER, Role.LEADER)
    if request.method == "POST":
        try:
            target = User.objects.filter(pk=request.POST.get("user") or 0).first()
            if target is None:
                raise InvalidInput("请选择服务人员", {"user": ["请选择服务人员"]})
            services.assign_officer(
                by=user,
                enterprise=enterprise,
                user=target,
                role=request.POST.get("role", ""),
                on=_date(request.POST.get("on"), "起始日期"),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "包干关系已更新，历史记录已保留")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_enterprise", pk=pk)
    visits = enterprise.visits.select_related("officer")
    appeals = list(
        appeal_selectors.appeals_visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("lead_department", "origin__officer")[:50]
    )

    def who_then(day: dt.date) -> str:
        names = [f"{a.get_role_display()} {a.user.display_name}" for a in history if a.covers(day)]
        return "、".join(names) or "—"

    appeal_rows = [
        {"appeal": a, "served_by": who_then(timezone.localtime(a.submitted_at).date())} for a in appeals
    ]
    people = (
        User.objects.filter(role__in=[Role.OFFICER, Role.LEADER], region__path__startswith=user.region.path)
        if office and user.role == Role.DISPATCHER
        else User.objects.none()
    )
    return render(
        request,
        "fieldwork/enterprise.html",
        {
            "enterprise": enterprise,
            "history": history,
            "visits": visits,
            "appeal_rows": appeal_rows,
            "people": people,
            "roles": ServiceRole.choices,
            "can_assign": user.role == Role.DISPATCHER,
            "contact_points": enterprise.contact_points.all() if office else [],
            "today": timezone.localdate(),
        },
    )


def linked(request: HttpRequest) -> HttpResponse:
    """A leader's "1+1" key enterprises, with the resident specialist and the open appeals of each."""
    user = request.user
    if user.role != Role.LEADER:
        raise Http404("未找到页面")
    today = timezone.localdate()
    rows = []
    for a in selectors.linked_enterprises(user):
        team = [s for s in selectors.served_by(a.enterprise, today) if s.user_id != user.pk]
        rows.append(
            {"assignment": a, "team": team, **_lights(Appeal.objects.filter(enterprise=a.enterprise))}
        )
    return render(request, "fieldwork/linked.html", {"rows": rows})


def officer_report(request: HttpRequest) -> HttpResponse:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER, Role.OFFICER):
        raise Http404("未找到页面")
    start, end = _quarter(request)
    rows = reports.officer_report(request.user, start, end)
    items = reports.coordination_items(request.user, start, end)
    return render(
        request,
        "fieldwork/officer_report.html",
        {
            "rows": rows,
            "items": [(a, reports.item_result(a)) for a in items],
            "start": start,
            "end": end,
            "quarter": f"{start.year}年第{(start.month - 1) // 3 + 1}季度",
            "query": request.GET.urlencode(),
        },
    )


OFFICER_HEADERS = [
    "服务官",
    "走访次数",
    "覆盖企业数",
    "包干企业数",
    "收集诉求",
    "已办结",
    "已评价",
    "满意数",
    "满意率（%）",
]
ITEM_HEADERS = ["序号", "诉求编号", "登记日期", "服务官", "企业", "事项内容", "责任单位", "状态", "办理结果"]


def officer_report_export(request: HttpRequest) -> HttpResponse:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER, Role.OFFICER):
        raise Http404("未找到页面")
    start, end = _quarter(request)
    rows = reports.officer_report(request.user, start, end)
    items = reports.coordination_items(request.user, start, end)
    sheet1 = [
        [
            r.name,
            r.visits,
            r.covered,
            r.assigned,
            r.raised,
            r.closed,
            r.rated,
            r.satisfied,
            None if r.satisfaction is None else round(r.satisfaction * 100, 1),
        ]
        for r in rows
    ]
    sheet2 = [
        [
            i,
            a.number,
            timezone.localtime(a.submitted_at).date(),
            a.origin.officer.display_name,
            a.enterprise.name,
            f"{a.title}：{a.content}",
            "、".join([a.lead_department.name + "（主办）"] if a.lead_department else [])
            + "".join(f"、{d.name}（协办）" for d in a.co_departments.all()),
            a.get_status_display(),
            reports.item_result(a),
        ]
        for i, a in enumerate(items, start=1)
    ]
    tag = f"{start:%Y%m%d}-{end:%Y%m%d}"
    content = excel.workbook(
        [("工作季报表", OFFICER_HEADERS, sheet1), ("协调事项明细表", ITEM_HEADERS, sheet2)]
    )
    return excel.response(content, f"首席服务官工作季报-{tag}.xlsx")


# ---------------------------------------------------------------- meetings


def meetings(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = selectors.meetings_visible_to(user).select_related("series")
    if user.role == Role.DISPATCHER and request.method == "POST" and request.POST.get("action") == "series":
        try:
            s = services.create_series(
                by=user,
                name=request.POST.get("name", ""),
                weekday=int(request.POST.get("weekday") or 0)
                if (request.POST.get("weekday") or "0").isdigit()
                else -1,
                place=request.POST.get("place", ""),
            )
            messages.success(request, f"已创建系列：{s.name}")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_meetings")
    if user.role == Role.DISPATCHER and request.method == "POST":
        post = request.POST
        try:
            series = selectors.series_visible_to(user).filter(pk=post.get("series") or 0).first()
            starts = post.get("starts_at", "")
            try:
                starts_at = timezone.make_aware(dt.datetime.fromisoformat(starts))
            except ValueError as exc:
                raise InvalidInput("请填写活动时间", {"starts_at": ["请填写正确的活动时间"]}) from exc
            meeting = services.schedule_meeting(
                by=user,
                theme=post.get("theme", ""),
                starts_at=starts_at,
                kind=post.get("kind") or None,
                series=series,
                place=post.get("place", ""),
                host=User.objects.filter(pk=post.get("host") or 0, role=Role.LEADER).first(),
                departments=Department.objects.filter(pk__in=post.getlist("departments")),
                enterprises=Enterprise.objects.filter(pk__in=post.getlist("enterprises")),
            )
        except DomainError as exc:
            _fail(request, exc)
            return redirect("fieldwork_meetings")
        messages.success(request, f"已创建活动：{meeting.title}")
        return redirect("fieldwork_meeting", pk=meeting.pk)
    series = selectors.series_visible_to(user)
    can_edit = user.role == Role.DISPATCHER
    return render(
        request,
        "fieldwork/meetings.html",
        {
            "meetings": qs[:100],
            "series": series,
            "kinds": MeetingKind.choices,
            "can_edit": can_edit,
            "leaders": User.objects.filter(role=Role.LEADER, region__path__startswith=user.region.path)
            if can_edit
            else [],
            "departments": departments_in_reach(user.region) if can_edit else [],
            "enterprises": Enterprise.objects.filter(region__path__startswith=user.region.path)
            if can_edit
            else [],
        },
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meetings_visible_to(user).filter(pk=pk).select_related("series", "region").first()
    if meeting is None:
        raise Http404("未找到该活动")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issues":
                made = services.add_meeting_issues(
                    meeting=meeting, by=user, text=request.POST.get("issues", "")
                )
                messages.success(request, f"已登记 {len(made)} 条问题，进入受理队列")
            elif action == "announce":
                n = services.announce_meeting(meeting=meeting, by=user)
                messages.success(request, f"已向 {n} 位企业用户发送活动通知")
            elif action == "minutes":
                services.record_minutes(meeting=meeting, by=user, minutes=request.POST.get("minutes", ""))
                messages.success(request, "会议纪要已保存")
            else:
                raise InvalidInput("操作不正确")
        except DomainError as exc:
            _fail(request, exc)
            if action == "issues":
                return render(request, "fieldwork/meeting.html", _meeting_context(request, meeting))
        return redirect("fieldwork_meeting", pk=pk)
    return render(request, "fieldwork/meeting.html", _meeting_context(request, meeting))


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict:
    user = request.user
    office = user.role in (Role.DISPATCHER, Role.LEADER)
    appeals = selectors.meeting_appeals([meeting.pk])
    if not office:
        appeals = appeals.filter(pk__in=appeal_selectors.appeals_visible_to(user).values("pk"))
    return {
        "meeting": meeting,
        "funnel": selectors.funnel(appeals) if office else None,
        "appeals": appeals.select_related("enterprise", "category", "lead_department"),
        "can_edit": user.role == Role.DISPATCHER,
        "categories": Category.objects.filter(active=True),
        "issues_text": request.POST.get("issues", "") if request.method == "POST" else "",
    }


def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible_to(request.user).filter(pk=pk).first()
    if series is None:
        raise Http404("未找到该系列")
    return render(request, "fieldwork/series.html", {"r": reports.series_report(series)})


def series_export(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.series_visible_to(request.user).filter(pk=pk).first()
    if series is None:
        raise Http404("未找到该系列")
    r = reports.series_report(series)
    rows = [
        [
            x["meeting"].sequence,
            x["meeting"].theme,
            timezone.localtime(x["meeting"].starts_at),
            x["collected"],
            x["measures"],
            x["resolved"],
            percent(x["measures"], x["collected"]),
            percent(x["resolved"], x["collected"]),
        ]
        for x in r["rows"]
    ]
    t = r["total"]
    rows.append(
        [
            "合计",
            f"{len(r['rows'])}期",
            None,
            t["collected"],
            t["measures"],
            t["resolved"],
            percent(t["measures"], t["collected"]),
            percent(t["resolved"], t["collected"]),
        ]
    )
    headers = [
        "期数",
        "主题",
        "时间",
        "收集问题",
        "落实措施",
        "解决问题",
        "措施落实率（%）",
        "问题解决率（%）",
    ]
    content = excel.workbook([(series.name, headers, rows)])
    return excel.response(content, f"{series.name}-问题办理情况.xlsx")


# ---------------------------------------------------------------- supervisors and clues


def supervisor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != Role.SUPERVISOR:
        raise Http404("未找到页面")
    sup = getattr(user, "supervisor", None)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        try:
            department = Department.objects.filter(pk=post.get("department") or 0).first()
            if action == "clue":
                clue = services.submit_clue(
                    by=user,
                    title=post.get("title", ""),
                    content=post.get("content", ""),
                    department=department,
                    subject=post.get("subject", ""),
                    occurred_on=_date(post["occurred_on"], "发生日期") if post.get("occurred_on") else None,
                )
                messages.success(request, f"线索已提交，编号 {clue.number}，内容仅营商办和纪检监察机关可见")
            elif action == "spot_check":
                if department is None:
                    raise InvalidInput("请选择被抽查单位", {"department": ["请选择被抽查单位"]})
                check = services.record_spot_check(
                    by=user,
                    department=department,
                    checked_on=_date(post.get("checked_on"), "抽查日期"),
                    items={k: post.get(k) for k, _ in SPOT_CHECK_ITEMS},
                    place=post.get("place", ""),
                    comments=post.get("comments", ""),
                )
                messages.success(request, f"抽查记录已保存，得分 {check.score}")
            elif action == "appeal":
                enterprise = Enterprise.objects.filter(pk=post.get("enterprise") or 0).first()
                if enterprise is None:
                    raise InvalidInput("请选择企业", {"enterprise": ["请选择企业"]})
                appeal = services.register_as_supervisor(
                    by=user,
                    enterprise=enterprise,
                    title=post.get("title", ""),
                    content=post.get("content", ""),
                    category=_category(post.get("category")),
                )
                messages.success(request, f"已代企业登记诉求 {appeal.number}")
            else:
                raise InvalidInput("操作不正确")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_supervisor")
    region_path = sup.region.path if sup else "/-/"
    return render(
        request,
        "fieldwork/supervisor_home.html",
        {
            "sup": sup,
            "clues": selectors.clues_visible_to(user)[:50],
            "checks": selectors.spot_checks_visible_to(user)[:50],
            "appeals": appeal_selectors.appeals_visible_to(user).select_related("enterprise")[:50],
            "departments": departments_in_reach(sup.region) if sup else [],
            "enterprises": Enterprise.objects.filter(region__path__startswith=region_path)[:500],
            "categories": Category.objects.filter(active=True),
            "items": SPOT_CHECK_ITEMS,
            "item_max": SPOT_CHECK_ITEM_MAX,
            "today": timezone.localdate(),
        },
    )


def clues(request: HttpRequest) -> HttpResponse:
    user = request.user
    discipline = (
        user.role in (Role.HANDLER, Role.DEPT_HEAD)
        and user.department_id
        and user.department.kind == Department.Kind.DISCIPLINE
    )
    if user.role not in (Role.DISPATCHER, Role.SUPERVISOR) and not discipline:
        raise Http404("未找到页面")
    qs = selectors.clues_visible_to(user)
    state = request.GET.get("state", "")
    if state in Clue.State.values:
        qs = qs.filter(state=state)
    return render(
        request, "fieldwork/clues.html", {"clues": qs[:200], "states": Clue.State.choices, "state": state}
    )


def clue_detail(request: HttpRequest, number: str) -> HttpResponse:
    clue = selectors.clues_visible_to(request.user).filter(number=number).first()
    if clue is None:
        raise Http404("未找到该线索")
    if request.method == "POST":
        try:
            services.handle_clue(
                clue=clue,
                by=request.user,
                action=request.POST.get("action", ""),
                note=request.POST.get("note", ""),
                finding=request.POST.get("finding", ""),
            )
            messages.success(request, "已处理")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_clue", number=number)
    return render(
        request,
        "fieldwork/clue.html",
        {
            "clue": clue,
            "events": clue.events.all(),
            "actions": services.clue_actions(clue, request.user),
            "findings": Clue.Finding.choices,
        },
    )


def supervisors(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    start = date_or(request.GET.get("start"), timezone.localdate().replace(month=1, day=1))
    end = date_or(request.GET.get("end"), timezone.localdate())
    if request.method == "POST":
        post = request.POST
        try:
            _office(request, write=True)
            target = User.objects.filter(pk=post.get("user") or 0).first()
            if target is None:
                raise InvalidInput("请选择账号", {"user": ["请选择特约监督员账号"]})
            services.appoint_supervisor(
                by=user,
                user=target,
                certificate_no=post.get("certificate_no", ""),
                background=post.get("background", ""),
                term_start=_date(post.get("term_start"), "聘期开始"),
                term_end=_date(post.get("term_end"), "聘期结束"),
                organisation=post.get("organisation", ""),
            )
            messages.success(request, "已聘任")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_supervisors")
    rows = reports.supervisor_report(user, start, end)
    if request.GET.get("export"):
        data = [
            [
                r["supervisor"].certificate_no,
                r["supervisor"].user.display_name,
                r["supervisor"].get_background_display(),
                r["supervisor"].organisation,
                r["supervisor"].term_start,
                r["supervisor"].term_end,
                r["clues"],
                r["appeals"],
                r["checks"],
                r["avg_score"],
            ]
            for r in rows
        ]
        headers = [
            "证书编号",
            "姓名",
            "界别",
            "工作单位",
            "聘期开始",
            "聘期结束",
            "提交线索",
            "代办诉求",
            "抽查次数",
            "抽查平均分",
        ]
        return excel.response(
            excel.workbook([("特约监督员履职情况", headers, data)]),
            f"特约监督员履职-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        )
    appointed = {s.user_id for s in selectors.supervisors_visible_to(user)}
    candidates = User.objects.filter(role=Role.SUPERVISOR, region__path__startswith=user.region.path).exclude(
        pk__in=appointed
    )
    checks = selectors.spot_checks_visible_to(user).filter(checked_on__gte=start, checked_on__lte=end)
    return render(
        request,
        "fieldwork/supervisors.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "checks": checks[:100],
            "candidates": candidates,
            "backgrounds": SupervisorBackground.choices,
            "can_edit": user.role == Role.DISPATCHER,
            "query": request.GET.urlencode(),
        },
    )


# ---------------------------------------------------------------- contact points and task forces


def contact_points(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    qs = selectors.contact_points_visible_to(user)
    if request.method == "POST":
        _office(request, write=True)
        post = request.POST
        try:
            if post.get("action") == "appeal":
                point = qs.filter(pk=post.get("point") or 0).first()
                if point is None:
                    raise InvalidInput("请选择联系点", {"point": ["请选择联系点"]})
                appeal = services.register_via_contact_point(
                    by=user,
                    point=point,
                    title=post.get("title", ""),
                    content=post.get("content", ""),
                    category=_category(post.get("category")),
                )
                messages.success(request, f"已登记诉求 {appeal.number}（{appeal.get_channel_display()}）")
            else:
                enterprise = Enterprise.objects.filter(
                    pk=post.get("enterprise") or 0, region__path__startswith=user.region.path
                ).first()
                if enterprise is None:
                    raise InvalidInput("请选择企业", {"enterprise": ["请选择企业"]})
                services.designate_contact_point(
                    by=user,
                    enterprise=enterprise,
                    kind=post.get("kind", ""),
                    responsible=post.get("responsible", ""),
                    department=Department.objects.filter(pk=post.get("department") or 0).first(),
                )
                messages.success(request, "已设立联系点")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_contact_points")
    points = qs.annotate(appeal_count=Count("origins"))
    counts = {k: 0 for k, _ in ContactPointKind.choices}
    for p in points:
        if p.active:
            counts[p.kind] += 1
    return render(
        request,
        "fieldwork/contact_points.html",
        {
            "points": points,
            "counts": [(label, counts[k]) for k, label in ContactPointKind.choices],
            "kinds": ContactPointKind.choices,
            "enterprises": Enterprise.objects.filter(region__path__startswith=user.region.path)[:500],
            "departments": Department.objects.filter(active=True),
            "categories": Category.objects.filter(active=True),
            "can_edit": user.role == Role.DISPATCHER,
        },
    )


def task_forces(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    if request.method == "POST":
        _office(request, write=True)
        post = request.POST
        try:
            members = []
            lead = post.get("lead")
            for dept_id, person in zip(
                post.getlist("member_department"), post.getlist("member_person"), strict=False
            ):
                dept = Department.objects.filter(pk=dept_id or 0).first()
                if dept:
                    members.append({"department": dept, "person": person, "is_lead": dept_id == lead})
            numbers = [n.strip() for n in post.get("appeals", "").replace("，", ",").split(",") if n.strip()]
            if len(numbers) > 1000:
                raise InvalidInput("关联诉求过多", {"appeals": ["最多关联1000件诉求"]})
            appeals = list(appeal_selectors.appeals_visible_to(user).filter(number__in=numbers))
            if len(appeals) != len(set(numbers)):
                raise InvalidInput("关联诉求编号有误", {"appeals": ["有诉求编号不存在或不在本区划内"]})
            tf = services.create_task_force(
                by=user,
                name=post.get("name", ""),
                matter=post.get("matter", ""),
                members=members,
                appeals=appeals,
            )
            messages.success(request, f"已成立专班：{tf.name}")
            return redirect("fieldwork_task_force", pk=tf.pk)
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_task_forces")
    qs = selectors.task_forces_visible_to(user).prefetch_related("members__department").distinct()
    return render(
        request,
        "fieldwork/task_forces.html",
        {
            "task_forces": qs,
            "can_edit": user.role == Role.DISPATCHER,
            "departments": Department.objects.filter(active=True),
        },
    )


def task_force_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tf = selectors.task_forces_visible_to(request.user).filter(pk=pk).distinct().first()
    if tf is None:
        raise Http404("未找到该专班")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                services.close_task_force(task_force=tf, by=request.user, note=request.POST.get("note", ""))
            else:
                services.log_task_force(task_force=tf, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, "已记录")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("fieldwork_task_force", pk=pk)
    visible = appeal_selectors.appeals_visible_to(request.user)
    return render(
        request,
        "fieldwork/task_force.html",
        {
            "tf": tf,
            "members": tf.members.select_related("department"),
            "logs": tf.logs.all(),
            "appeals": tf.appeals.filter(pk__in=visible.values("pk")),
            "can_log": request.user.role in (Role.DISPATCHER, Role.HANDLER, Role.DEPT_HEAD)
            and tf.state == TaskForce.State.ACTIVE,
            "can_close": request.user.role == Role.DISPATCHER and tf.state == TaskForce.State.ACTIVE,
        },
    )
