"""TEMPORARY stand-in for the tally branch (replaced when it merges)."""


def key_of(status, blocked):
    if status in ("eligible", "undetermined"):
        return status
    return "blocked" if blocked else None


def apply(changes):
    return None


def rebuild(item_ids=None):
    return None
