"""Pages of the policy app: the library, an item (with the enterprise's own explanation), 可享政策, the
enterprise's file (self-declared values) and the staff's 一企一档 page, matches, officers' tasks, figures."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.appeals import selectors as appeal_selectors
from qinqing.core import pages
from qinqing.core.errors import DomainError, NotPermitted, NotVisible
from qinqing.core.inputs import fields, parse
from qinqing.credit import selectors as credit_selectors
from qinqing.enterprises import attributes as attrs
from qinqing.enterprises.models import AttributeSource, Enterprise
from qinqing.enterprises.services import can_confirm_attributes
from qinqing.fieldwork import selectors as fieldwork_selectors
from qinqing.policies import (
    actions,
    amounts,
    conditions,
    inputs,
    matching,
    redemption_actions,
    redemption_selectors,
    selectors,
)
from qinqing.policies.models import (
    CaseState,
    GateRule,
    ItemKind,
    Level,
    MatchStatus,
    Mode,
    PolicyItem,
    PolicyTask,
)


def _or_404(call):
    try:
        return call()
    except NotVisible as exc:
        raise Http404(exc.message) from exc


def _amount_text(item: PolicyItem) -> str:
    try:
        rule = amounts.parse(item.amount_rule)
    except ValueError:
        return item.amount_rule
    if rule is None:
        return "—"
    cap = f"，单个企业最高{item.amount_cap.normalize():f}万元" if item.amount_cap is not None else ""
    return rule.describe() + cap


def _submit(request: AuthedRequest, call, *, success: str):
    """An editing action through ``pages.perform``: not visible → 404, not permitted → 403, bad input → None with
    the field errors for the form to redisplay (nothing saved: the service is one transaction)."""
    refused: dict[str, list[str]] = {}

    def guarded():
        try:
            return call()
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            refused.update(exc.errors or {"__all__": [exc.message]})
            raise

    result = pages.perform(request, guarded, success=success)
    return result, refused


_ACTIVE = [("True", "上线"), ("False", "下线")]
ITEM_HINTS = {
    "amount_rule": "固定 20 / 比例 rnd_last_year 10% / 分档 employees 50:5 100:10；留空为不涉及金额",
    "opens_on": "YYYY-MM-DD",
    "closes_on": "YYYY-MM-DD",
}


def _item_fields(user, data=None, errors=None) -> list[dict]:
    return fields(
        inputs.ItemIn,
        data=data,
        errors=errors,
        choices={
            "document_id": [(d.pk, str(d)) for d in selectors.documents_visible_to(user)[:300]],
            "department_id": [(d.pk, d.name) for d in selectors.publishing_departments(user)],
            "kind": ItemKind.choices,
            "mode": Mode.choices,
            "active": _ACTIVE,
        },
        textarea=("beneficiaries", "requirements"),
        hints=ITEM_HINTS,
    )


def library(request: AuthedRequest) -> HttpResponse:
    user = request.user
    forms: dict[str, dict] = {}
    if request.method == "POST":
        do = request.POST.get("do", "")
        if do == "create_document":
            doc, errors = _submit(
                request,
                lambda: actions.create_document(user, parse(inputs.DocumentIn, request.POST)),
                success="政策文件已登记",
            )
            if doc is not None:
                return redirect("policies_library")
        elif do == "create_item":
            item, errors = _submit(
                request,
                lambda: actions.create_item(user, parse(inputs.ItemIn, request.POST)),
                success="政策事项已发布，正在匹配企业",
            )
            if item is not None:
                return redirect("policies_item", pk=item.pk)
        else:
            raise Http404("未找到该操作")
        forms[do] = {"data": request.POST, "errors": errors}
    items = list(selectors.items_visible_to(user).filter(active=True).order_by("document__level", "name"))
    context: dict = {"items": items, "may_publish": selectors.can_publish(user)}
    if context["may_publish"]:
        doc_form = forms.get("create_document", {})
        context["document_fields"] = fields(
            inputs.DocumentIn,
            data=doc_form.get("data") or {"region_code": user.region.code if user.region else ""},
            errors=doc_form.get("errors"),
            choices={
                "level": Level.choices,
                "region_code": [(r.code, f"{r.name}（{r.code}）") for r in selectors.regions(user)],
            },
            textarea=("full_text",),
            hints={
                "published_on": "YYYY-MM-DD",
                "effective_from": "YYYY-MM-DD",
                "effective_until": "YYYY-MM-DD",
            },
        )
        item_form = forms.get("create_item", {})
        context["item_fields"] = _item_fields(user, item_form.get("data"), item_form.get("errors"))
        context["form_errors"] = {k: v.get("errors", {}).get("__all__", []) for k, v in forms.items()}
    status = 400 if forms else 200
    return render(request, "policies/library.html", context, status=status)


def _file_rows(enterprise: Enterprise, values) -> list[dict]:
    held = {a.key: a for a in values}
    rows = []
    for key, definition in attrs.ATTRIBUTES.items():
        a = held.get(key)
        rows.append(
            {
                "key": key,
                "label": definition.label,
                "hint": definition.hint or definition.unit,
                "attr": a,
                "shown": attrs.display(key, a.value) if a else "",
                "expired": bool(a and a.valid_until and a.valid_until < timezone.localdate()),
                "choices": definition.choices,
            }
        )
    return rows


def item_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = _or_404(lambda: selectors.get_item(user, pk))
    forms: dict[str, dict] = {}
    if request.method == "POST":
        do = request.POST.get("do", "")
        edits = {
            "update_item": (
                lambda: actions.update_item(user, pk, parse(inputs.ItemIn, request.POST)),
                "事项已修改，正在重新匹配",
            ),
            "add_condition": (
                lambda: actions.add_condition(user, pk, parse(inputs.ConditionIn, request.POST)),
                "条件已添加，正在重新匹配",
            ),
            "remove_condition": (
                lambda: actions.remove_condition(user, pk, _int(request.POST.get("condition_id"))),
                "条件已删除，正在重新匹配",
            ),
            "add_gate": (
                lambda: actions.add_gate(user, pk, parse(inputs.GateIn, request.POST)),
                "信用规则已添加，正在重新匹配",
            ),
            "remove_gate": (
                lambda: actions.remove_gate(user, pk, _int(request.POST.get("gate_id"))),
                "信用规则已删除",
            ),
        }
        if do in edits:
            call, success = edits[do]
            _done, errors = _submit(request, call, success=success)
            if not errors:
                return redirect("policies_item", pk=pk)
            forms[do] = {"data": request.POST, "errors": errors}
        elif do == "apply":
            case = pages.perform(
                request,
                lambda: redemption_actions.apply(
                    user, pk, parse(inputs.ApplyIn, request.POST), request.FILES.getlist("attachments")
                ),
                success="申请已提交，主管部门将在时限内审核",
            )
            if case is not None:
                return redirect("redemption_case", pk=case.pk)
            return redirect("policies_item", pk=pk)
        else:
            raise Http404("未找到该操作")
    mine = None
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        stored = selectors.own_matches(user).filter(item=item).first()
        if stored is not None:
            matching.explain_stored([stored])
            mine = {
                "status": stored.status,
                "label": stored.get_status_display(),
                "details": stored.details,
                "missing": stored.missing,
                "blocked": stored.blocked_by_credit,
                "preferred": stored.preferred,
                "computed_at": stored.computed_at,
            }
        else:
            enterprise = selectors.get_file(user, user.enterprise_id)
            live = matching.explain(item, enterprise)
            mine = {
                "status": live.status,
                "label": MatchStatus(live.status).label,
                "details": live.details,
                "missing": live.missing,
                "blocked": live.blocked,
                "preferred": live.preferred,
                "computed_at": None,
            }
    conds = list(item.conditions.all())
    manage = selectors.can_manage(user, item)
    case = (
        redemption_selectors.cases_visible_to(user).filter(item=item).first()
        if user.role == Role.ENTERPRISE
        else None
    )
    return render(
        request,
        "policies/item.html",
        {
            "item": item,
            "amount": _amount_text(item),
            "conditions": [
                {
                    "c": c,
                    "attribute": conditions.attribute_label(c.attribute),
                    "operator": conditions.OPERATORS.get(c.operator, c.operator),
                }
                for c in conds
            ],
            "gates": list(item.gates.all()),
            "mine": mine,
            "case": case,
            "may_apply": user.role == Role.ENTERPRISE and item.mode != Mode.AUTOMATIC and case is None,
            "budget_left": redemption_selectors.budget_left(item) if manage else None,
            "manage": manage,
            "state_labels": conditions.STATE_LABELS,
            "credit_kinds": list(conditions.CREDIT_KINDS.items()),
            **(_edit_forms(user, item, forms) if manage else {}),
        },
        status=400 if forms else 200,
    )


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 10 else 0


def _edit_forms(user, item: PolicyItem, forms: dict[str, dict]) -> dict:
    """The editing forms of an item's page, redisplayed with what was posted and the service's errors."""

    def posted(do: str) -> tuple[dict | None, dict | None]:
        form = forms.get(do, {})
        return form.get("data"), form.get("errors")

    data, errors = posted("update_item")
    if data is None:
        data = {name: getattr(item, name) for name in inputs.ItemIn.model_fields}
    condition_data, condition_errors = posted("add_condition")
    gate_data, gate_errors = posted("add_gate")
    return {
        "item_fields": _item_fields(user, data, errors),
        "condition_fields": fields(
            inputs.ConditionIn,
            data=condition_data,
            errors=condition_errors,
            choices={
                "attribute": conditions.attribute_choices(),
                "operator": list(conditions.OPERATORS.items()),
            },
            hints={
                "value": "如 2000；C,39；小型,微型；serious",
                "clause": f"《{item.document.title}》的条款，如 第三条第（一）项",
            },
        ),
        "gate_fields": fields(
            inputs.GateIn,
            data=gate_data,
            errors=gate_errors,
            choices={"effect": GateRule.Effect.choices},
            hints={"kinds": "red, serious, abnormal, other（逗号分隔）"},
        ),
        "form_errors": {do: form["errors"].get("__all__", []) for do, form in forms.items()},
    }


def mine(request: AuthedRequest) -> HttpResponse:
    """可享政策: the enterprise's own list with the reasons, and which classes it muted."""
    user = request.user
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        raise Http404("未找到页面")
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.set_mute(user, parse(inputs.MuteIn, request.POST)),
            success="推送设置已保存",
        )
        return redirect("policies_mine")
    matches = list(selectors.own_matches(user))
    # The list says what is missing for the pairs not (yet) eligible; the item page explains each in full.
    matching.explain_stored([m for m in matches if m.status != MatchStatus.ELIGIBLE])
    muted = selectors.mutes_of(user)
    return render(
        request,
        "policies/mine.html",
        {
            "eligible": [m for m in matches if m.status == MatchStatus.ELIGIBLE],
            "undetermined": [m for m in matches if m.status == MatchStatus.UNDETERMINED],
            "blocked": [m for m in matches if m.status == MatchStatus.INELIGIBLE],
            "kinds": [(k, label, k in muted) for k, label in ItemKind.choices],
            "state_labels": conditions.STATE_LABELS,
        },
    )


def my_file(request: AuthedRequest) -> HttpResponse:
    """The enterprise's own file: what is on record (source, as-of, expiry) and a form to declare a value."""
    user = request.user
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        raise Http404("未找到页面")
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.declare(user, parse(inputs.AttributeIn, request.POST)),
            success="已保存（企业自报，待部门确认）；可享政策将自动更新",
        )
        return redirect("policies_my_file")
    enterprise = selectors.get_file(user, user.enterprise_id)
    return render(
        request,
        "policies/my_file.html",
        {
            "enterprise": enterprise,
            "rows": _file_rows(enterprise, selectors.attributes_of(user, enterprise)),
            "today": timezone.localdate(),
        },
    )


def enterprise_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """一企一档 for staff who may see the enterprise: profile with sources, appeals, visits, policies, credit."""
    user = request.user
    if user.role == Role.ENTERPRISE:
        raise Http404("未找到页面")
    enterprise = _or_404(lambda: selectors.get_file(user, pk))
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.confirm(user, pk, parse(inputs.AttributeIn, request.POST)),
            success="已确认（部门确认）",
        )
        return redirect("policies_enterprise", pk=pk)
    appeals = list(
        appeal_selectors.appeals_visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("category", "lead_department")
        .order_by("-submitted_at")[:20]
    )
    visits = list(
        fieldwork_selectors.visits_visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("officer")
        .order_by("-visited_on")[:20]
    )
    matches = matching.explain_stored(
        list(
            selectors.matches_visible_to(user).filter(enterprise=enterprise).order_by("status", "item__name")
        )
    )
    cases = list(
        redemption_selectors.cases_visible_to(user)
        .filter(enterprise=enterprise)
        .values_list("state", flat=True)
    )
    return render(
        request,
        "policies/enterprise.html",
        {
            "enterprise": enterprise,
            "rows": _file_rows(enterprise, selectors.attributes_of(user, enterprise)),
            "history": selectors.attribute_history(user, enterprise, 15),
            "appeals": appeals,
            "visits": visits,
            "matches": matches,
            "counts": {
                "eligible": sum(m.status == MatchStatus.ELIGIBLE for m in matches),
                "undetermined": sum(m.status == MatchStatus.UNDETERMINED for m in matches),
                "blocked": sum(m.blocked_by_credit for m in matches),
                "applied": sum(state not in selectors.NOT_APPLIED for state in cases),
                "paid": sum(state == CaseState.PAID for state in cases),
            },
            "credit": credit_selectors.entries_for_enterprise(user, enterprise),
            "gates": selectors.gate_decisions_of(user, enterprise)[:10],
            "can_confirm": can_confirm_attributes(user, enterprise),
            "served_by": fieldwork_selectors.served_by(enterprise, timezone.localdate()),
            "today": timezone.localdate(),
            "confirmed": AttributeSource.CONFIRMED,
        },
    )


def match_list(request: AuthedRequest) -> HttpResponse:
    """Officer: the enterprises it serves; office: its region; department: its items."""
    user = request.user
    if user.role in (Role.ENTERPRISE, Role.SUPERVISOR) or not user.is_staff_role:
        raise Http404("未找到页面")
    status = request.GET.get("status", MatchStatus.ELIGIBLE)
    if status not in MatchStatus.values:
        status = MatchStatus.ELIGIBLE
    qs = selectors.matches_visible_to(user).filter(status=status).order_by("item__name", "enterprise__name")
    return render(
        request,
        "policies/matches.html",
        {
            "matches": matching.explain_stored(list(qs[:200])),
            "status": status,
            "statuses": MatchStatus.choices,
        },
    )


def task_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.OFFICER, Role.DISPATCHER, Role.LEADER):
        raise Http404("未找到页面")
    if request.method == "POST":
        pages.perform(
            request,
            lambda: actions.close_task(
                user, int(request.POST.get("task_id") or 0), parse(inputs.TaskCloseIn, request.POST)
            ),
            success="任务已办结",
        )
        return redirect("policies_tasks")
    tasks = list(selectors.tasks_visible_to(user).order_by("state", "-created_at")[:200])
    return render(
        request,
        "policies/tasks.html",
        {"tasks": tasks, "open": PolicyTask.State.OPEN, "is_officer": user.role == Role.OFFICER},
    )


def figures(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    rows = selectors.item_figures(user)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        rows = [r for r in rows if q in r["item"].name or q in r["item"].document.number]
    columns = ("eligible", "undetermined", "blocked", "notified", "read", "applied", "paid")
    totals = {c: sum(r[c] for r in rows) for c in columns}
    # Fifty items a page: a city's library runs to hundreds, and the totals cover all of them.
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/figures.html",
        {"page": page, "totals": totals, "q": q, "query": urlencode({"q": q}) if q else ""},
    )
