"""The writes of the field-service app, one module per sub-domain; this module names them all for callers
outside the app (the seed command, tests). Every problem collected in the field goes through
``appeals.services.submit_appeal`` and becomes an ordinary appeal; ``AppealOrigin`` records the way it came."""

from qinqing.fieldwork.meetings.services import (
    IssueLine,
    add_meeting_issues,
    announce_meeting,
    create_series,
    parse_issue_lines,
    record_minutes,
    schedule_meeting,
)
from qinqing.fieldwork.officers.services import (
    assign_officer,
    end_assignment,
    log_visit,
    register_for_enterprise,
)
from qinqing.fieldwork.points.services import (
    designate_contact_point,
    register_via_contact_point,
)
from qinqing.fieldwork.supervisors.services import (
    appoint_supervisor,
    handle_clue,
    record_spot_check,
    register_as_supervisor,
    submit_clue,
)
from qinqing.fieldwork.taskforces.services import (
    close_task_force,
    create_task_force,
    log_task_force,
)

__all__ = [
    "create_series",
    "schedule_meeting",
    "announce_meeting",
    "record_minutes",
    "IssueLine",
    "parse_issue_lines",
    "add_meeting_issues",
    "assign_officer",
    "end_assignment",
    "register_for_enterprise",
    "log_visit",
    "appoint_supervisor",
    "submit_clue",
    "handle_clue",
    "register_as_supervisor",
    "record_spot_check",
    "designate_contact_point",
    "register_via_contact_point",
    "create_task_force",
    "log_task_force",
    "close_task_force",
]
