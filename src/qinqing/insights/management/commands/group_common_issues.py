"""Group messages from a CSV file into common issues with the engine the 共性问题 page uses (``insights.grouping``).

Input: a CSV with the columns ``id`` and ``text`` (other columns are ignored), UTF-8 (with or without BOM) or GBK.
Output: a CSV ``id,group`` in the input's order, ``group`` empty for a message that is in no group; groups are
numbered 1, 2, … hottest first. The last line printed is ``messages=N groups=N grouped=N``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qinqing.insights import grouping
from qinqing.insights import text as pipeline

csv.field_size_limit(10_000_000)
ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 reads GBK and GB2312 files as well


def read_messages(path: Path) -> list[tuple[str, str]]:
    """(id, text) per data row; raises CommandError with a Chinese message on any problem of the file."""
    if not path.is_file():
        raise CommandError(f"找不到输入文件：{path}")
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            content = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CommandError("无法识别文件编码，请使用 UTF-8 或 GBK 编码的 CSV 文件")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    try:
        columns = [(c or "").strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = columns
        missing = [c for c in ("id", "text") if c not in columns]
        if missing:
            raise CommandError(f"CSV 缺少必需的列：{'、'.join(missing)}（需要 id 和 text 两列，首行为列名）")
        messages, seen, problems = [], set(), []
        for rec in reader:
            line = reader.line_num
            key = (rec.get("id") or "").strip()
            if not key:
                problems.append(f"第 {line} 行：id 为空")
            elif key in seen:
                problems.append(f"第 {line} 行：id“{key}”重复")
            seen.add(key)
            messages.append((key, rec.get("text") or ""))
    except csv.Error as exc:
        raise CommandError(f"CSV 格式错误（第 {reader.line_num} 行）：{exc}") from exc
    if problems:
        more = f"，另有 {len(problems) - 10} 处" if len(problems) > 10 else ""
        raise CommandError("输入文件有误：" + "；".join(problems[:10]) + more)
    return messages


class Command(BaseCommand):
    help = "把 CSV 中的留言（列 id、text）按共性问题分组，输出 id,group（不属于任何分组的留言 group 为空）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", dest="source", required=True, help="输入 CSV（列：id，text；其他列忽略；UTF-8 或 GBK）"
        )
        parser.add_argument("--out", dest="target", required=True, help="输出 CSV（列：id，group）")

    def handle(self, *args, source: str, target: str, **opts):
        messages = read_messages(Path(source))
        docs = [grouping.Doc(key, pipeline.analyse(body)) for key, body in messages]
        groups = grouping.group(docs)
        group_of: dict[int, int] = {}
        for number, g in enumerate(groups, start=1):
            for position in g.members:
                group_of[position] = number
        path = Path(target)
        try:
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["id", "group"])
                for position, (key, _) in enumerate(messages):
                    writer.writerow([key, group_of.get(position, "")])
        except OSError as exc:
            raise CommandError(f"无法写入输出文件 {path}：{exc.strerror or exc}") from exc
        self.stdout.write(f"messages={len(messages)} groups={len(groups)} grouped={len(group_of)}")
