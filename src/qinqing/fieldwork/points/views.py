"""Pages of 企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qinqing.accounts.models import Role
from qinqing.appeals.models import Category
from qinqing.core.errors import DomainError, InvalidInput
from qinqing.enterprises.models import Enterprise
from qinqing.fieldwork import common
from qinqing.fieldwork.models import (
    ContactPointKind,
)
from qinqing.fieldwork.points import selectors, services
from qinqing.organisation.models import Department

# ---------------------------------------------------------------- contact points and task forces


def contact_points(request: HttpRequest) -> HttpResponse:
    user = common.office_or_404(request)
    qs = selectors.contact_points_visible_to(user)
    if request.method == "POST":
        common.office_or_404(request, write=True)
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
                    category=common.page_category(post.get("category")),
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
            common.fail(request, exc)
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
