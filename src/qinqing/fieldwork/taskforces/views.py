"""Pages of 工作专班: several departments on one matter, its members, progress log and close."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from qinqing.accounts.http import AuthedRequest
from qinqing.accounts.models import Role
from qinqing.appeals import selectors as appeal_selectors
from qinqing.core import pages
from qinqing.core.inputs import parse
from qinqing.fieldwork import common
from qinqing.fieldwork.taskforces import actions, inputs, selectors, workflow
from qinqing.organisation.models import Department


def task_forces(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.role not in (Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.DEPT_HEAD):
        raise Http404("未找到页面")
    if request.method == "POST":
        data = inputs.task_force_form(request.POST)
        tf = pages.perform(request, lambda: actions.create(user, parse(inputs.TaskForceIn, data)))
        if tf is None:
            return redirect("fieldwork_task_forces")
        messages.success(request, f"已成立专班：{tf.name}")
        return redirect("fieldwork_task_force", pk=tf.pk)
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


def task_force_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    tf = common.found_or_404(lambda: actions.task_force(request.user, pk))
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "close":
            call: Callable[[], object] = lambda: actions.close(request.user, pk, parse(inputs.CloseIn, post))  # noqa: E731
        else:
            call = lambda: actions.log(request.user, pk, parse(inputs.TaskForceLogIn, post))  # noqa: E731
        pages.perform(request, call, success="已记录")
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
