"""Pages of 工作专班: several departments on one matter, its members, progress log and close."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from qinqing.accounts.models import Role
from qinqing.appeals import selectors as appeal_selectors
from qinqing.core.errors import DomainError, InvalidInput
from qinqing.fieldwork import common
from qinqing.fieldwork.taskforces import selectors, services, workflow
from qinqing.organisation.models import Department


def task_forces(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    if request.method == "POST":
        common.office_or_404(request, write=True)
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
            common.fail(request, exc)
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
            common.fail(request, exc)
        return redirect("fieldwork_task_force", pk=pk)
    visible = appeal_selectors.appeals_visible_to(request.user)
    available = {a.name for a in workflow.TASK_FORCES.available(tf, request.user)}
    return render(
        request,
        "fieldwork/task_force.html",
        {
            "tf": tf,
            "members": tf.members.select_related("department"),
            "logs": tf.logs.all(),
            "appeals": tf.appeals.filter(pk__in=visible.values("pk")),
            "can_log": "log" in available,
            "can_close": "close" in available,
        },
    )
