"""Pages of 企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.appeals.models import Category
from qinqing.core import pages
from qinqing.core.inputs import parse
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    ContactPointKind,
)
from qinqing.fieldwork.points import actions, inputs, selectors
from qinqing.organisation.models import Department

# ---------------------------------------------------------------- contact points and task forces


def _register(user, data: inputs.PointAppealIn):
    return actions.register_appeal(user, data.point_id, data)


def contact_points(request: AuthedRequest) -> HttpResponse:
    user = common.office_or_404(request)
    qs = selectors.contact_points_visible_to(user)
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "appeal":
            appeal = pages.perform(
                request,
                lambda: _register(user, parse(inputs.PointAppealIn, post)),
            )
            if appeal:
                messages.success(request, f"已登记诉求 {appeal.number}（{appeal.get_channel_display()}）")
        else:
            pages.perform(
                request,
                lambda: actions.designate(user, parse(inputs.DesignateIn, post)),
                success="已设立联系点",
            )
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
            "enterprises": selectors.enterprises_in_reach(user)[:500],
            "departments": Department.objects.filter(active=True),
            "categories": Category.objects.filter(active=True),
            "can_edit": user.role == Role.DISPATCHER,
        },
    )
