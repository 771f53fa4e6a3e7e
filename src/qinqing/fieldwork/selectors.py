"""The reads of the field-service app, each scoped to what the user may see; one module per sub-domain, named
here for the app's reports and its registration of appeal scopes."""

from qinqing.fieldwork.meetings.selectors import (
    FUNNEL,
    funnel,
    meeting_appeals,
    meetings_visible_to,
    series_visible_to,
)
from qinqing.fieldwork.officers.selectors import (
    assigned_enterprise_ids,
    assignments_of,
    current,
    linked_enterprises,
    officer_appeal_scope,
    officers_visible_to,
    served_by,
    service_record,
    serving,
    visits_visible_to,
)
from qinqing.fieldwork.points.selectors import (
    contact_points_visible_to,
)
from qinqing.fieldwork.supervisors.selectors import (
    clue_side,
    clues_visible_to,
    spot_checks_visible_to,
    supervisor_appeal_scope,
    supervisors_visible_to,
)
from qinqing.fieldwork.taskforces.selectors import (
    task_forces_visible_to,
)

__all__ = [
    "meetings_visible_to",
    "series_visible_to",
    "funnel",
    "meeting_appeals",
    "FUNNEL",
    "current",
    "serving",
    "served_by",
    "assignments_of",
    "assigned_enterprise_ids",
    "service_record",
    "officer_appeal_scope",
    "officers_visible_to",
    "visits_visible_to",
    "linked_enterprises",
    "supervisor_appeal_scope",
    "clue_side",
    "clues_visible_to",
    "supervisors_visible_to",
    "spot_checks_visible_to",
    "contact_points_visible_to",
    "task_forces_visible_to",
]
