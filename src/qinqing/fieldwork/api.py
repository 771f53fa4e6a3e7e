"""Field-service endpoints, composed from the sub-domains: meetings and series funnels, officers' enterprises and
visits, supervisors' clues and spot checks, contact points, task forces. Same selectors as the pages, so the
same rules: an officer sees the enterprises they serve, a supervisor their own records, a clue only its author,
the coordinating office of its region and the discipline-inspection department."""

from ninja import Router

from qinqing.fieldwork.meetings.api import router as meetings
from qinqing.fieldwork.officers.api import router as officers
from qinqing.fieldwork.points.api import router as points
from qinqing.fieldwork.supervisors.api import router as supervisors
from qinqing.fieldwork.taskforces.api import router as taskforces

router = Router(tags=["政企活动与服务"])
for part in (meetings, officers, supervisors, points, taskforces):
    # The operation ids of the one-module API this was split from, so generated clients keep working.
    for path_view in part.path_operations.values():
        for op in path_view.operations:
            op.operation_id = op.operation_id or f"qinqing_fieldwork_api_{op.view_func.__name__}"
    router.add_router("", part)
