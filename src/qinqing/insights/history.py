"""Labelled training rows from the appeals already handled in this deployment."""

from __future__ import annotations

from qinqing.appeals.models import Appeal, Status
from qinqing.insights import text as pipeline
from qinqing.insights.datasets import Row


def labelled_history(scope: str, limit: int = 200_000) -> list[Row]:
    """Category model: every appeal that passed triage. Department model: the lead department it ended with."""
    handled = Appeal.objects.exclude(status__in=[Status.REJECTED, Status.WITHDRAWN]).order_by("-id")
    if scope == "department":
        qs = handled.filter(lead_department__isnull=False).values_list(
            "id", "title", "content", "lead_department__name"
        )
    else:
        qs = handled.exclude(status=Status.SUBMITTED).values_list("id", "title", "content", "category__name")
    rows = []
    for pk, title, content, label in qs[:limit].iterator(chunk_size=2000):
        analysed = pipeline.analyse(f"{title}{content}")
        if analysed and label:
            rows.append(Row(analysed, label, True, f"a{pk}"))
    return rows
