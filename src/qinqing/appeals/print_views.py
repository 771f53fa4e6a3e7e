"""交办单 and 答复函: an appeal on paper. Plain pages with a print stylesheet (A4, no header or menu, a place for
the seal); the browser prints them or saves them as PDF. Read through the selector like the detail page: an
appeal one may not see answers 404."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.appeals import selectors, workflow
from qinqing.appeals.models import Appeal, AppealEvent
from qinqing.core.errors import NotVisible
from qinqing.enterprises.validators import mask_mobile


def _appeal(request: AuthedRequest, number: str) -> Appeal:
    try:
        return selectors.get_visible_appeal(request.user, number)
    except NotVisible as exc:
        raise Http404("未找到该诉求") from exc


def _common(request: AuthedRequest, appeal: Appeal) -> dict:
    return {
        "appeal": appeal,
        # The number in full only for the enterprise itself (as on the detail page); the printed sheet of
        # anyone else shows it masked: whoever must call back reveals it on the detail page, audited.
        "mobile": appeal.contact_mobile
        if workflow.may_see_contact(appeal, request.user)
        else mask_mobile(appeal.contact_mobile),
        "printed_at": timezone.now(),
        "printed_by": request.user.display_name,
    }


def assignment_sheet(request: AuthedRequest, number: str) -> HttpResponse:
    """交办单: what the office handed to which departments, by when. An internal paper: not for the enterprise."""
    appeal = _appeal(request, number)
    if (
        request.user.role == Role.ENTERPRISE
        or appeal.lead_department_id is None
        or appeal.assigned_at is None
    ):
        raise Http404("该诉求尚未交办")
    assigned = (
        selectors.timeline(request.user, appeal)
        .filter(kind__in=[AppealEvent.Kind.ASSIGNED, AppealEvent.Kind.REASSIGNED, AppealEvent.Kind.IMPORTED])
        .order_by("-created_at", "-id")
        .first()
    )
    context = _common(request, appeal)
    context.update(
        assigned=assigned,
        office=assigned.actor_department if assigned and assigned.actor_department else None,
        co_departments=list(appeal.co_departments.all()),
    )
    return render(request, "appeals/print_assignment.html", context)


def reply_letter(request: AuthedRequest, number: str) -> HttpResponse:
    """答复函: the lead department's answer to the enterprise, once it has answered (the enterprise prints its own)."""
    appeal = _appeal(request, number)
    if not appeal.reply_result or appeal.replied_at is None:
        raise Http404("该诉求尚未答复")
    return render(request, "appeals/print_reply.html", _common(request, appeal))
