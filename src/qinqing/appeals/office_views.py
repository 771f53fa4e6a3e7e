"""The office's own pages about appeals: 回访 (the revisit list and its 抽样) and 台账导入. Thin, like views.py:
read through the selectors, act through ``actions`` and ``core.pages.perform``."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.accounts.scope import region_of
from qinqing.appeals import actions, inputs, selectors
from qinqing.appeals.models import Revisit, RevisitMethod, Satisfaction
from qinqing.core import pages
from qinqing.core.errors import DomainError, NotVisible
from qinqing.core.inputs import parse

REVISIT_TABS = [
    ("planned", "待回访"),
    ("candidates", "未抽样的已办结诉求"),
    ("done", "已回访"),
]


def _office(request: AuthedRequest) -> None:
    if request.user.role not in (Role.DISPATCHER, Role.LEADER) or request.user.region_id is None:
        raise Http404("未找到页面")


def revisit_list(request: AuthedRequest) -> HttpResponse:
    """回访: the sampled appeals waiting for a call, the closed ones not yet sampled, and the calls made."""
    _office(request)
    user = request.user
    tab = request.GET.get("tab") or "planned"
    if tab not in dict(REVISIT_TABS):
        tab = "planned"
    if tab == "candidates":
        qs = selectors.revisit_candidates(user)
    else:
        state = Revisit.State.PLANNED if tab == "planned" else Revisit.State.DONE
        qs = selectors.revisits_visible_to(user).filter(state=state)
        qs = qs.order_by("appeal__closed_at", "id") if tab == "planned" else qs.order_by("-done_at", "-id")
    page = Paginator(qs, settings.QINQING_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "appeals/revisits.html",
        {
            "tabs": REVISIT_TABS,
            "tab": tab,
            "page": page,
            "may_sample": user.role == Role.DISPATCHER,
            "samples": selectors.revisit_samples_visible_to(user)[:5],
            "default_from": today.replace(day=1).isoformat(),
            "default_to": today.isoformat(),
            "methods": RevisitMethod.choices,
            "satisfactions": Satisfaction.choices,
        },
    )


@require_POST
def revisit_sample(request: AuthedRequest) -> HttpResponse:
    _office(request)
    sample = pages.perform(
        request, lambda: actions.sample_revisits(request.user, parse(inputs.RevisitSampleIn, request.POST))
    )
    if sample is not None:
        from django.contrib import messages

        messages.success(
            request,
            f"已抽取 {sample.picked} 件（共 {sample.eligible} 件可抽样，比例 {sample.percent}%），请逐件回访",
        )
    return redirect("revisit_list")


def ledger_import(request: AuthedRequest) -> HttpResponse:
    """台账导入: the template to download, the upload, and every problem of a refused file by its line."""
    if request.user.role != Role.DISPATCHER:
        raise Http404("未找到页面")
    problems: list[str] = []
    message = ""
    if request.method == "POST":
        try:
            batch = actions.import_ledger(request.user, request.FILES.get("file"))
        except NotVisible as exc:
            raise Http404 from exc
        except DomainError as exc:
            message = exc.message
            problems = [m for msgs in exc.errors.values() for m in msgs if m != message]
        else:
            from django.contrib import messages

            messages.success(request, f"已导入“{batch.file_name}”中的 {batch.rows} 件诉求")
            return redirect("ledger_import")
    return render(
        request,
        "appeals/import.html",
        {
            "message": message,
            "problems": problems,
            "imports": selectors.imports_visible_to(request.user)[:20],
        },
        status=400 if message else 200,
    )


def ledger_template(request: AuthedRequest) -> HttpResponse:
    from qinqing.appeals import ledger
    from qinqing.core import excel

    if request.user.role != Role.DISPATCHER:
        raise Http404("未找到页面")
    return excel.response(ledger.template(region_of(request.user)), "诉求台账导入模板.xlsx")
