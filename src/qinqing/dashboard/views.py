from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.core.errors import DomainError
from qinqing.core.params import date_or
from qinqing.dashboard.figures import figures


def dashboard(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER) or not request.user.region_id:
        raise Http404("未找到页面")
    today = timezone.localdate()
    start = date_or(request.GET.get("start"), today.replace(month=1, day=1))
    end = date_or(request.GET.get("end"), today)
    trend = "month" if request.GET.get("trend") == "month" else "week"
    try:
        data = figures(request.user, start, end, trend=trend)
    except DomainError as exc:
        messages.error(request, exc.message)
        data = figures(request.user, today.replace(month=1, day=1), today, trend=trend)
    return render(request, "dashboard/dashboard.html", {"d": data})
