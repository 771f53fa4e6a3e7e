"""Small number helpers shared by every report."""


def rate(num: int, den: int) -> float | None:
    """num / den to four places; None (shown as —) when there is nothing to divide by."""
    return round(num / den, 4) if den else None


def percent(num: int, den: int) -> float | None:
    """num / den as a percentage to one place, for Excel columns headed （%）."""
    return round(num / den * 100, 1) if den else None
