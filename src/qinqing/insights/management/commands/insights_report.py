import csv
import datetime as dt
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from qinqing.insights import grouping
from qinqing.insights import text as pipeline
from qinqing.insights.quality import check_reply

csv.field_size_limit(10_000_000)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _when(value: str):
    try:
        return dt.datetime.strptime(value.strip()[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


class Command(BaseCommand):
    help = "在真实留言上运行共性问题发现（hot.csv）和答复质量检查（replies.csv），输出 Markdown 报告。"

    def add_arguments(self, parser):
        parser.add_argument("--hot", help="热点留言 CSV（id, subject, detail, time, likes）")
        parser.add_argument("--replies", help="答复 CSV（subject, detail, reply）")
        parser.add_argument("--out", help="写入的 Markdown 文件；不填则打印")
        parser.add_argument("--top", type=int, default=5)
        parser.add_argument("--examples", type=int, default=10)

    def handle(self, *args, **opts):
        if not opts["hot"] and not opts["replies"]:
            raise CommandError("请至少指定 --hot 或 --replies")
        parts = []
        if opts["hot"]:
            parts.append(self.hot(Path(opts["hot"]), opts["top"]))
        if opts["replies"]:
            parts.append(self.replies(Path(opts["replies"]), opts["examples"]))
        report = "\n\n".join(parts) + "\n"
        if opts["out"]:
            Path(opts["out"]).write_text(report, encoding="utf-8")
            self.stdout.write(f"written {opts['out']}")
        else:
            self.stdout.write(report)

    def _rows(self, path: Path) -> list[dict]:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    def hot(self, path: Path, top: int) -> str:
        rows = self._rows(path)
        started = time.perf_counter()
        docs = [
            grouping.Doc(
                r.get("id"),
                pipeline.analyse(f"{r.get('subject', '')}{r.get('detail', '')}"),
                _when(r.get("time") or ""),
                int(float(r.get("likes") or 0)),
            )
            for r in rows
        ]
        analysed = time.perf_counter()
        groups = grouping.group(docs)
        done = time.perf_counter()
        lines = [
            f"## 共性问题发现：{path.name}",
            "",
            f"{len(rows)} 条留言；分词 {analysed - started:.1f} 秒，分组 {done - analysed:.1f} 秒；"
            f"得到 {len(groups)} 个候选组（≥2 条），其中 {sum(1 for g in groups if g.size >= 5)} 个 ≥5 条。",
            "",
            "| # | 件数 | 热度 | 点赞合计 | 时间跨度 | 关键词 | 代表留言 |",
            "|---|---|---|---|---|---|---|",
        ]
        for i, g in enumerate(groups[:top], 1):
            rep = rows[g.representative]
            span = f"{g.start:%Y-%m-%d} ~ {g.end:%Y-%m-%d}" if g.start else "—"
            lines.append(
                f"| {i} | {g.size} | {g.heat} | {g.support} | {span} | {'、'.join(g.keywords)} | {rep.get('subject', '')} |"
            )
        return "\n".join(lines)

    def replies(self, path: Path, examples: int) -> str:
        rows = self._rows(path)
        started = time.perf_counter()
        results = [
            check_reply(f"{r.get('subject', '')}{r.get('detail', '')}", r.get("reply", "")) for r in rows
        ]
        seconds = time.perf_counter() - started
        flagged = [(r, q) for r, q in zip(rows, results, strict=True) if q.flagged]
        bands = Counter(min(q.score // 20, 4) for q in results)
        reasons = Counter(reason.split("（")[0] for q in results for reason in q.reasons)
        lines = [
            f"## 答复质量检查：{path.name}",
            "",
            f"{len(rows)} 条答复，{seconds:.1f} 秒（每条 {seconds / max(1, len(rows)) * 1000:.1f} 毫秒）；"
            f"需复核（低于阈值或与诉求几乎无关）{len(flagged)} 条，占 {len(flagged) / max(1, len(rows)):.1%}。",
            "",
            "| 得分 | 条数 | 占比 |",
            "|---|---|---|",
        ]
        labels = ["0–19", "20–39", "40–59", "60–79", "80–100"]
        for band in range(5):
            lines.append(f"| {labels[band]} | {bands[band]} | {bands[band] / max(1, len(rows)):.1%} |")
        lines += ["", "| 问题 | 条数 |", "|---|---|"]
        lines += [f"| {reason} | {count} |" for reason, count in reasons.most_common()]
        lines += ["", f"### {examples} 条需复核的答复（按得分从低到高，每个分数段取样）", ""]
        flagged.sort(key=lambda pair: pair[1].score)
        step = max(1, len(flagged) // max(1, examples))
        for r, q in flagged[::step][:examples]:
            reply = pipeline.normalise(r.get("reply", ""))
            lines.append(
                f"- **{q.score} 分** 留言“{r.get('subject', '')}”；答复：{reply[:120]}{'…' if len(reply) > 120 else ''}"
            )
            lines.append(f"  - 原因：{'；'.join(q.reasons)}（相关性 {q.relevance}）")
        return "\n".join(lines)
