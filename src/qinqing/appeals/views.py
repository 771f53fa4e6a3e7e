"""Pages. Thin: parse the form, call one selector or service, render. Domain errors become a message on
the page the user came from; nothing is half-saved because every service is one transaction."""

import datetime as dt
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.accounts.scope import region_of
from qinqing.appeals import actions, inputs, measures, selectors, services, workflow
from qinqing.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    Category,
    Channel,
    ClockPause,
    ExtensionRequest,
    Light,
    Review,
    RevisitMethod,
    Satisfaction,
    Status,
)
from qinqing.core import pages
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.inputs import fields, parse
from qinqing.enterprises import selectors as enterprise_selectors
from qinqing.enterprises.validators import mask_mobile
from qinqing.organisation.models import Department, Region
from qinqing.organisation.selectors import departments_in_reach

# ---------------------------------------------------------------- home and lists

TABS: dict[str, list[tuple[str, str, dict]]] = {
    Role.ENTERPRISE: [
        ("mine", "我的诉求", {}),
        ("to_rate", "待评价", {"status": Status.REPLIED}),
    ],
    Role.DISPATCHER: [
        ("triage", "待受理", {"status": Status.SUBMITTED, "oldest_first": True}),
        ("extensions", "延期审批", {"pending_extension": True, "oldest_first": True}),
        ("paused", "挂起中", {"status": Status.PAUSED}),
        ("dissatisfied", "不满意复核", {"review": Review.PENDING, "oldest_first": True}),
        ("held", "答复待审核", {"status": Status.REVIEW, "oldest_first": True}),
        ("red", "超期", {"light": Light.RED}),
        ("all", "全部诉求", {}),
    ],
    Role.HANDLER: [
        ("to_sign", "待签收", {"status": Status.ASSIGNED, "oldest_first": True}),
        ("doing", "办理中", {"status": f"{Status.IN_PROGRESS},{Status.PAUSED}"}),
        ("held", "答复待审核", {"status": Status.REVIEW, "oldest_first": True}),
        ("replied", "已答复", {"status": Status.REPLIED}),
        ("all", "全部", {}),
    ],
    Role.LEADER: [
        ("red", "超期", {"light": Light.RED}),
        ("all", "全部诉求", {}),
    ],
}
TABS[Role.DEPT_HEAD] = TABS[Role.HANDLER]
TABS[Role.OFFICER] = [
    ("open", "在办诉求", {"status": ",".join(OPEN_STATUSES)}),
    ("all", "服务企业的全部诉求", {}),
]
TABS[Role.SUPERVISOR] = [("all", "我登记的诉求", {})]
# Work queues ("oldest_first") list the longest-waiting appeal first, as a queue is worked; other tabs newest first.
TAB_OPTIONS = ("pending_extension", "oldest_first")
# The workspace of the roles whose daily work is not a case list (the fieldwork app's pages).
HOME_PAGES: dict[str, str] = {Role.OFFICER: "fieldwork_officer", Role.SUPERVISOR: "fieldwork_supervisor"}


def home(request: AuthedRequest) -> HttpResponse:
    role = request.user.role
    if role == Role.AUDITOR:
        return redirect("audit_log")
    if role in (Role.SYSADMIN, Role.SECADMIN):
        return redirect("admin:index")
    if role in HOME_PAGES:
        return redirect(HOME_PAGES[role])
    if role not in TABS:
        return render(request, "appeals/no_role.html")
    return redirect("appeal_list")


class CappedPaginator(Paginator):
    """Counts at most LIST_COUNT_CAP + 1 rows; the page shows "10000+" beyond that."""

    object_list: QuerySet  # it pages querysets only: the capped count is a database query

    @cached_property
    def count(self) -> int:
        return selectors.capped_count(self.object_list, selectors.LIST_COUNT_CAP)


class FilterForm(forms.Form):
    status = forms.CharField(required=False)
    category = forms.ModelChoiceField(Category.objects.all(), required=False, empty_label="全部类别")
    channel = forms.ChoiceField(choices=[("", "全部渠道"), *Channel.choices], required=False)
    department = forms.ModelChoiceField(Department.objects.none(), required=False, empty_label="全部部门")
    light = forms.ChoiceField(choices=[("", "全部预警"), *Light.choices], required=False)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(required=False, max_length=100)
    lead = forms.IntegerField(required=False, min_value=1)
    region = forms.IntegerField(required=False, min_value=1)
    stage = forms.ChoiceField(
        choices=[("", ""), ("measures", "已答复"), ("resolved", "已解决"), ("closed", "已办结")],
        required=False,
    )
    measure = forms.ChoiceField(
        choices=[("", ""), *((k, m.label) for k, m in measures.MEASURES.items())], required=False
    )
    part = forms.ChoiceField(choices=[("", ""), *measures.SIDES.items()], required=False)
    period_start = forms.DateField(required=False)
    period_end = forms.DateField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_office:
            self.fields["department"].queryset = departments_in_reach(region_of(user))
        else:
            del self.fields["department"]


def _listing(request: AuthedRequest):
    """The tab, filter form and query behind the list page; the export reads the very same rows."""
    user = request.user
    tabs = TABS.get(user.role)
    if tabs is None:
        raise Http404
    tab_key = request.GET.get("tab") or tabs[0][0]
    tab = next((t for t in tabs if t[0] == tab_key), tabs[0])
    form = FilterForm(request.GET or None, user=user)
    f = selectors.AppealFilters(**{k: v for k, v in tab[2].items() if k not in TAB_OPTIONS})
    if form.is_valid():
        data = form.cleaned_data
        f.status = data["status"] or f.status
        f.category = data["category"].pk if data["category"] else None
        f.channel = data["channel"]
        f.department = data["department"].pk if data.get("department") else None
        f.light = data["light"] or f.light
        f.date_from, f.date_to, f.q = data["date_from"], data["date_to"], data["q"]
        f.lead, f.region, f.stage = data["lead"], data["region"], data["stage"]
        f.measure, f.part = data["measure"], data["part"]
        f.period_start, f.period_end = data["period_start"], data["period_end"]
    qs = selectors.list_appeals(user, f)
    if tab[2].get("pending_extension"):
        qs = qs.filter(extensions__state=ExtensionRequest.State.PENDING)
    if tab[2].get("oldest_first"):
        qs = qs.order_by("submitted_at", "id")
    return tabs, tab, form, qs, f


def _measure_banner(user, f: selectors.AppealFilters, count: int) -> str:
    """ "按期办结率 分母：2026年11月 市人社局 期内答复或……的诉求 共 N 件": the figure a drill-down lists."""
    period = f.measure_period()
    if period is None:
        return ""
    m = measures.MEASURES[f.measure]
    if f.lead:
        scope = Department.objects.filter(pk=f.lead).values_list("name", flat=True).first() or ""
    elif f.region:
        scope = Region.objects.filter(pk=f.region).values_list("name", flat=True).first() or ""
    else:
        scope = user.region.name if user.region_id else ""
    return f"{m.label} {measures.SIDES[f.part]}：{period.label} {scope} {m.side_label(f.part)} 共 {count} 件"


EXPORT_LIMIT = 50_000
EXPORT_HEADERS = [
    "编号",
    "标题",
    "企业",
    "类别",
    "来源渠道",
    "紧急程度",
    "状态",
    "主办单位",
    "提交时间",
    "当前环节时限",
    "办理时限",
    "答复时间",
    "满意度",
    "问题是否解决",
]


def appeal_export(request: AuthedRequest) -> HttpResponse:
    """The filtered list as an Excel file: the same rows as the page, up to EXPORT_LIMIT."""
    from qinqing.core import excel

    _, tab, _, qs, _ = _listing(request)
    qs = qs.select_related("enterprise", "category", "lead_department")[:EXPORT_LIMIT]
    rows = (
        [
            a.number,
            a.title,
            a.enterprise.name,
            a.category.name,
            a.get_channel_display(),
            a.get_urgency_display(),
            a.get_status_display(),
            a.lead_department.name if a.lead_department else "",
            a.submitted_at,
            a.deadline,
            a.handle_deadline,
            a.replied_at,
            a.get_satisfaction_display() if a.satisfaction else "",
            "" if a.resolved is None else ("是" if a.resolved else "否"),
        ]
        for a in qs
    )
    content = excel.workbook([(tab[1], EXPORT_HEADERS, rows)])
    return excel.response(content, f"诉求清单-{timezone.localdate():%Y%m%d}.xlsx")


def appeal_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    tabs, tab, form, qs, f = _listing(request)
    page = CappedPaginator(qs, settings.QINQING_PAGE_SIZE).get_page(request.GET.get("page"))
    banner = _measure_banner(user, f, page.paginator.count) if f.measure else ""
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "appeals/list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "statuses": Status.choices,
            "counts": selectors.queue_counts(user),
            "measure_banner": banner,
            "count_cap": selectors.LIST_COUNT_CAP,
            # The filter bar renders its own options: Django's widget templates cost more than the table.
            "categories": Category.objects.filter(active=True).values_list("pk", "name"),
            "channels": Channel.choices,
            "lights": Light.choices,
            "departments": departments_in_reach(region_of(user)).values_list("pk", "name")
            if user.is_office
            else None,
            "current": {
                k: request.GET.get(k, "")
                for k in (
                    "status",
                    "category",
                    "channel",
                    "department",
                    "light",
                    "date_from",
                    "date_to",
                    "q",
                    "lead",
                    "region",
                    "stage",
                    "measure",
                    "part",
                    "period_start",
                    "period_end",
                )
            },
        },
    )


# ---------------------------------------------------------------- intake


SUBMIT_HINTS = {
    "contact_name": "不填则使用企业登记的主要联系人",
    "contact_mobile": "不填则使用企业登记的主要联系人",
}


def submit(request: AuthedRequest) -> HttpResponse:
    """提交诉求 / 代为登记: the form is drawn from the API's schema and read by it (one definition)."""
    user = request.user
    if user.role not in (Role.ENTERPRISE, Role.DISPATCHER):
        raise Http404
    errors: dict[str, list[str]] = {}
    problem = ""
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            appeal, created = actions.submit(
                user,
                parse(inputs.SubmitIn, request.POST),
                idempotency_key=request.POST.get("idempotency_key") or None,
                attachments=request.FILES.getlist("attachments"),
            )
        except NotVisible as exc:
            raise Http404 from exc
        except DomainError as exc:
            errors = exc.errors
            problem = exc.message
        else:
            if created:
                messages.success(request, f"诉求已提交，编号 {appeal.number}，我们会在时限内受理。")
            return redirect("appeal_detail", number=appeal.number)
    office = user.role == Role.DISPATCHER
    shown: tuple[str, ...] = ("title", "content", "category", "urgency", "contact_name", "contact_mobile")
    choices = {"category": [(c.code, c.name) for c in Category.objects.filter(active=True)]}
    if office:
        shown = ("enterprise_uscc", "channel", *shown)
        choices["enterprise_uscc"] = list(
            enterprise_selectors.enterprises_visible_to(user).values_list("uscc", "name")
        )
    context = {
        "fields": fields(
            inputs.SubmitIn,
            data=data,
            errors=errors,
            choices=choices,
            textarea=("content",),
            only=shown,
            hints=SUBMIT_HINTS,
        ),
        "problem": problem,
        # Errors of what the fields do not show (attachments, the key) still reach the user.
        "other_errors": [m for k, msgs in errors.items() if k not in shown for m in msgs],
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
    }
    return render(request, "appeals/submit.html", context)


# ---------------------------------------------------------------- detail and actions


def _visible(request: AuthedRequest, number: str) -> Appeal:
    try:
        return selectors.get_visible_appeal(request.user, number)
    except NotVisible as exc:
        raise Http404("未找到该诉求") from exc


def detail(request: AuthedRequest, number: str) -> HttpResponse:
    appeal = _visible(request, number)
    actions = {a.name: a for a in workflow.available_actions(appeal, request.user)}
    pending = appeal.extensions.filter(state=ExtensionRequest.State.PENDING).first()
    if pending:
        pending.appeal = appeal
    context = {
        "appeal": appeal,
        "events": selectors.timeline(request.user, appeal),
        "internal": selectors.sees_internal(request.user, appeal),
        # A link only to what the reader can open: an appeal merged into another enterprise's is shown unlinked.
        "merged_into_visible": appeal.merged_into is not None
        and selectors.is_visible(request.user, appeal.merged_into),
        "actions": actions,
        "attachments": appeal.attachments.all(),
        "extensions": appeal.extensions.select_related("requested_by", "decided_by"),
        "pauses": appeal.pauses.select_related("started_by"),
        "pending_extension": pending,
        "extension_actions": {a.name: a for a in workflow.EXTENSIONS.available(pending, request.user)}
        if pending
        else {},
        "satisfaction_choices": Satisfaction.choices,
        "pause_kinds": ClockPause.Kind.choices,
        "parties": workflow.parties(appeal, request.user),
        "show_mobile": workflow.may_see_contact(appeal, request.user),
        "masked_mobile": mask_mobile(appeal.contact_mobile),
        "may_reveal": workflow.may_reveal_contact(appeal, request.user),
        # 回访 records are the office's (and the leaders'); the enterprise and departments read none.
        "revisits": selectors.revisits_visible_to(request.user).filter(appeal=appeal, state="done"),
        "revisit_methods": RevisitMethod.choices,
        # Paper: the 交办单 once assigned (not for the enterprise), the 答复函 once answered.
        "print_assignment": appeal.assigned_at is not None
        and appeal.lead_department_id is not None
        and request.user.role != Role.ENTERPRISE,
        "print_reply": bool(appeal.reply_result) and appeal.replied_at is not None,
    }
    if actions.keys() & {"reassign", "reopen"}:
        context["departments"] = departments_in_reach(region_of(request.user))
    if "assign" in actions:
        entry = services.suggest_assignment(appeal.region, appeal.category)
        context["departments"] = departments_in_reach(region_of(request.user))
        context["suggestion"] = entry
        context["suggested_co"] = {d.pk for d in entry.co_departments.all()} if entry else set()
        context["default_handle_days"] = services.time_limit("handle", appeal.category, appeal.urgency)
    return render(request, "appeals/detail.html", context)


@require_POST
def act(request: AuthedRequest, number: str, action: str) -> HttpResponse:
    """Every appeal action: the form post read with the action's schema, then the same call as the API."""
    row = actions.INPUTS.get(action)
    if row is None:
        raise Http404
    appeal = _visible(request, number)
    user = request.user

    def call():
        data = parse(row.schema, request.POST) if row.schema else None
        return actions.perform(
            action, appeal=appeal, by=user, data=data, files=request.FILES.getlist("files")
        )

    pages.perform(request, call, success=f"已{workflow.ACTIONS[action].label}")
    # A step can take the appeal out of the actor's sight (a department returning it): land on the list then.
    if not selectors.is_visible(user, appeal):
        return redirect("appeal_list")
    return redirect("appeal_detail", number=number)


def my_data(request: AuthedRequest) -> HttpResponse:
    """我的数据: everything qinqing holds about the user's enterprise (个人信息保护: the right to a copy): the
    registry entry, its contacts, its appeals and every step of them, the files' names. An export, so audited."""
    from qinqing.core import excel

    user = request.user
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise Http404("未找到页面")
    ent = enterprise_selectors.get_enterprise_for(user, user.enterprise_id)
    if ent is None:
        raise Http404("未找到页面")
    appeals = list(
        selectors.appeals_visible_to(user)
        .select_related("category", "lead_department")
        .prefetch_related("attachments")
        .order_by("submitted_at")
    )
    events = selectors.audit_trail_of(user, appeals)
    sheets: list[tuple[str, list[str], list[list[object]]]] = [
        (
            "企业信息",
            ["统一社会信用代码", "名称", "行业", "规模", "区划", "地址"],
            [
                [
                    ent.uscc,
                    ent.name,
                    ent.get_industry_display(),
                    ent.get_scale_display(),
                    str(ent.region),
                    ent.address,
                ]
            ],
        ),
        (
            "联系人",
            ["姓名", "职务", "手机号码", "主要联系人"],
            [[c.name, c.title, c.mobile, "是" if c.is_primary else ""] for c in ent.contacts.all()],
        ),
        (
            "诉求",
            [
                "编号",
                "标题",
                "内容",
                "类别",
                "状态",
                "联系人",
                "联系电话",
                "主办单位",
                "提交时间",
                "答复措施",
                "办理结果",
                "评价",
            ],
            [
                [
                    a.number,
                    a.title,
                    a.content,
                    str(a.category),
                    a.get_status_display(),
                    a.contact_name,
                    a.contact_mobile,
                    str(a.lead_department or ""),
                    timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
                    a.reply_measures,
                    a.reply_result,
                    a.get_satisfaction_display() if a.satisfaction else "",
                ]
                for a in appeals
            ],
        ),
        (
            "办理过程",
            ["诉求编号", "时间", "环节", "说明"],
            [
                [
                    e.appeal.number,
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    e.get_kind_display(),
                    e.note,
                ]
                for e in events
            ],
        ),
        (
            "附件",
            ["诉求编号", "文件名", "大小（字节）"],
            [[a.number, f.original_name, f.size] for a in appeals for f in a.attachments.all()],
        ),
    ]
    return excel.response(excel.workbook(sheets), f"我的数据-{ent.uscc}-{timezone.localdate():%Y%m%d}.xlsx")


@require_POST
def contact(request: AuthedRequest, number: str) -> HttpResponse:
    """显示号码: the full number, once per click, each click in the security audit log."""
    appeal = _visible(request, number)
    shown = pages.perform(
        request, lambda: services.reveal_contact(appeal=appeal, by=request.user, request=request)
    )
    if shown is None:
        return redirect("appeal_detail", number=number)
    name, mobile = shown
    return render(request, "appeals/contact.html", {"appeal": appeal, "name": name, "mobile": mobile})


def attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    appeal = _visible(request, number)
    att = get_object_or_404(appeal.attachments, pk=pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)


# ---------------------------------------------------------------- audit


def audit_log(request: AuthedRequest) -> HttpResponse:
    """The audit administrator reads every recorded step, and nothing else."""
    if request.user.role != Role.AUDITOR:
        raise Http404
    events = selectors.audit_events(request.user)
    day = request.GET.get("day")
    if day:
        try:
            parsed = dt.date.fromisoformat(day)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD")
        else:
            events = events.filter(created_at__date=parsed)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "appeals/audit_log.html", {"page": page, "day": day or ""})
