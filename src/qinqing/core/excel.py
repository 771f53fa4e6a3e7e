"""Excel files for every export: Chinese headers, real dates, and no formula injection.

A cell whose text starts with = + - @ (or a tab / carriage return, which some spreadsheet programs strip before
reading a formula) is written as text with a leading apostrophe, so Excel and WPS show it and never evaluate it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    if isinstance(value, str):
        return "'" + value if value.startswith(DANGEROUS) else value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """[(sheet title, headers, rows)] → xlsx bytes."""
    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [max(6, len(h) * 2 + 2) for h in headers]
        for row in rows:
            values = [safe(v) for v in row]
            ws.append(values)
            for i, v in enumerate(values):
                widths[i] = min(60, max(widths[i], len(str(v)) + 2 if v is not None else 0))
        for r in ws.iter_rows(min_row=2):
            for cell in r:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(content: bytes, filename: str):
    from urllib.parse import quote

    from django.http import HttpResponse

    resp = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    # Every export is a security audit record (qinqing.audit's middleware reads this mark).
    setattr(resp, "qinqing_export", filename)  # noqa: B010 - an attribute HttpResponse does not declare
    return resp
