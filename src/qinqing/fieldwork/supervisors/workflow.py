"""What can happen next to a problem clue (问题线索), and who may do it (the shape of ``appeals/workflow.py``).

The handle service checks this table; the clue page asks it which buttons to show; the API lists the actions
available to the caller. A party is the relation of a user to one clue: the coordinating office of its region,
the discipline-inspection department over its region, and whichever of them holds the clue now (both until it
is transferred, the discipline inspection alone after). The author sees the clue and handles nothing."""

from qinqing.core.workflow import Action, Machine, table
from qinqing.fieldwork.models import Clue
from qinqing.fieldwork.supervisors import selectors

AUTHOR = "supervisor"  # the special supervisor who submitted it
OFFICE = "office"  # a dispatcher whose region contains the clue's
DISCIPLINE = "discipline"  # staff of a discipline-inspection department over the clue's region
HOLDER = "holder"  # who has the clue in hand in its present state

S = Clue.State
CLUE_ACTIONS: dict[str, Action] = table(
    [
        Action("accept", "核查", (S.RECEIVED,), S.VERIFYING, frozenset({OFFICE, DISCIPLINE})),
        Action("dismiss", "不予核查", (S.RECEIVED,), S.DISMISSED, frozenset({OFFICE, DISCIPLINE})),
        Action("transfer", "移送纪检监察", (S.VERIFYING,), S.TRANSFERRED, frozenset({OFFICE})),
        Action("conclude", "办结", (S.VERIFYING, S.TRANSFERRED), S.CONCLUDED, frozenset({HOLDER})),
    ]
)
# The actions whose 说明 is the record of the decision, so it may not be left out.
NOTE_REQUIRED = frozenset({"dismiss", "transfer", "conclude"})


def clue_parties(clue: Clue, user) -> set[str]:
    if not user.is_authenticated:
        return set()
    side = selectors.clue_side(user, clue)
    if side is None:
        return set()
    found = {side}
    if side == DISCIPLINE or (side == OFFICE and clue.state != S.TRANSFERRED):
        found.add(HOLDER)
    return found


CLUES = Machine(CLUE_ACTIONS, clue_parties)
