"""What the coordinating office does with a meeting (政企交流活动/座谈会), in the shape of ``appeals/workflow.py``.
A meeting is 筹备中 until its minutes are recorded or the issues raised at it are entered after it began
(已召开); announcing, minutes and issue entry stay open in both states, for the office of its region only."""

from qinqing.accounts.models import Role
from qinqing.core.workflow import Action, Machine, table
from qinqing.fieldwork.models import Meeting

OFFICE = "office"  # a dispatcher whose region contains the meeting's

S = Meeting.State
MEETING_ACTIONS: dict[str, Action] = table(
    [
        Action("announce", "通知参会企业", (S.PLANNED, S.HELD), None, frozenset({OFFICE})),
        Action("minutes", "记录会议纪要", (S.PLANNED, S.HELD), S.HELD, frozenset({OFFICE})),
        Action("issues", "录入问题", (S.PLANNED, S.HELD), None, frozenset({OFFICE})),
    ]
)


def meeting_parties(meeting: Meeting, user) -> set[str]:
    if user.is_authenticated and user.role == Role.DISPATCHER and user.region_id:
        if meeting.region.is_within(user.region):
            return {OFFICE}
    return set()


MEETINGS = Machine(MEETING_ACTIONS, meeting_parties)
