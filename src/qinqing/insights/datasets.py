"""Reading labelled messages from CSV files (the shared govmsg layout, or any CSV with ``text`` and ``label``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from qinqing.insights import text as pipeline

csv.field_size_limit(10_000_000)


class DatasetError(Exception):
    pass


@dataclass
class Row:
    analysed: str
    label: str
    raw: bool  # the row had raw text (not only pre-segmented tokens)
    group: str


def read_labelled(path: str | Path) -> list[Row]:
    """Rows with a label and some text. Raw ``text`` is preferred; ``subject``+``detail``, then ``tokens`` are fallbacks."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"找不到文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = set(reader.fieldnames or [])
        if "label" not in columns or not columns & {"text", "tokens", "subject", "detail"}:
            raise DatasetError("CSV 需要 label 列，以及 text（或 tokens、subject/detail）列")
        rows = []
        for i, rec in enumerate(reader):
            label = (rec.get("label") or "").strip()
            raw_text = (rec.get("text") or "").strip() or (
                (rec.get("subject") or "") + (rec.get("detail") or "")
            ).strip()
            if raw_text:
                analysed, raw = pipeline.analyse(raw_text), True
            else:
                analysed, raw = " ".join(pipeline.words_from_tokens(rec.get("tokens") or "")), False
            group = (rec.get("dup_group") or "").strip() or f"row{i}"
            rows.append(Row(analysed, label, raw, group))
    return rows
