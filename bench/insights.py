"""`make bench` (second part): the text engine on PostgreSQL with real message texts, in one process.

Measures: routing training time on the shared train.csv and suggestions per second; similar-appeal latency
(index top-up, scoring, visibility filter and the SQL read of candidates: the whole `similar_appeals` call) at
10,000 and 100,000 appeals; common-issue grouping time at 10,000 and 100,000 appeals. Writes its section of
BENCHMARKS.md between the insights markers.

Appeal texts are the real messages of ../shared/data/govmsg (train, hot, replies, unlabelled: about 17,000), each
appeal one message plus a clause of another so no two are identical. Queries are other real messages.

Environment: BENCH_INSIGHTS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qinqing_bench_insights; the
database is dropped and recreated), BENCH_APPEALS (default 100000), GOVMSG_DIR.
"""

import csv
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, cpu_name, make_city, setup_django, write_section

DB_URL = os.environ.get(
    "BENCH_INSIGHTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qinqing_bench_insights"
)
N_APPEALS = int(os.environ.get("BENCH_APPEALS", "100000"))
DATA = Path(os.environ.get("GOVMSG_DIR", ROOT.parent / "shared" / "data" / "govmsg"))
csv.field_size_limit(10_000_000)


def read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def texts() -> list[tuple[str, str]]:
    out = []
    for r in read("train.csv"):
        out.append(
            (r["subject"] or r["tokens"][:30].replace(" ", ""), r["detail"] or r["tokens"].replace(" ", ""))
        )
    for name in ("hot.csv", "replies.csv", "unlabeled_messages.csv"):
        out += [(r["subject"], r["detail"]) for r in read(name)]
    return [(t[:100], c[:5000]) for t, c in out if t and c]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    if not (DATA / "train.csv").is_file():
        sys.exit(f"real message data not found at {DATA}")
    os.environ.setdefault("QINQING_MODEL_DIR", str(ROOT / "var" / "bench-models"))
    setup_django(DB_URL)
    from django.db import connection
    from django.utils import timezone

    from qinqing.accounts.models import Role, User
    from qinqing.appeals.models import Appeal, Category, Status
    from qinqing.insights import grouping, routing, similar
    from qinqing.insights import text as pipeline
    from qinqing.insights.datasets import read_labelled
    from qinqing.insights.models import AppealText

    results: dict = {}
    # ---- routing
    started = time.perf_counter()
    rows = read_labelled(DATA / "train.csv")
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = routing.fit([r.analysed for r in rows], [r.label for r in rows])
    results["train_seconds"] = time.perf_counter() - started
    results["train_read_seconds"] = read_seconds
    queries = [f"{r['subject']}{r['detail']}" for r in read("unlabeled_messages.csv")]
    started = time.perf_counter()
    for q in queries[:1000]:
        model.suggest(q)
    results["suggest_per_second"] = 1000 / (time.perf_counter() - started)

    # ---- appeals with real texts
    rng = random.Random(11)
    city, _, enterprises = make_city(2000)
    dispatcher = User.objects.create_user(username="bench_dispatcher", role=Role.DISPATCHER, region=city)
    ent_user = User.objects.create_user(username="bench_ent", role=Role.ENTERPRISE, enterprise=enterprises[0])
    categories = list(Category.objects.all())
    corpus = texts()
    started = time.perf_counter()
    analysed = [pipeline.analyse(t + c) for t, c in corpus]
    results["analyse_per_second"] = len(corpus) / (time.perf_counter() - started)
    results["corpus"] = len(corpus)
    now = timezone.now()

    def load(start: int, stop: int) -> None:
        for lo in range(start, stop, 5000):
            batch, words = [], []
            for i in range(lo, min(stop, lo + 5000)):
                a, b = rng.randrange(len(corpus)), rng.randrange(len(corpus))
                clause = corpus[b][1][:40]
                e = enterprises[rng.randrange(len(enterprises))]
                batch.append(
                    Appeal(
                        number=f"QB{i:08d}",
                        title=corpus[a][0],
                        content=corpus[a][1] + clause,
                        category=categories[i % len(categories)],
                        enterprise=e,
                        region_id=e.region_id,
                        submitted_by=dispatcher,
                        contact_name="联系人",
                        contact_mobile="13800000000",
                        status=Status.CLOSED,
                        submitted_at=now - dt.timedelta(seconds=rng.randint(0, 300 * 86400)),
                    )
                )
                words.append(analysed[a] + " " + " ".join(analysed[b].split()[:8]))
            saved = Appeal.objects.bulk_create(batch)
            AppealText.objects.bulk_create(
                [AppealText(appeal_id=a.pk, words=w) for a, w in zip(saved, words, strict=True)]
            )
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    probe = queries[1000:1200]
    done = 0
    for size in sorted({min(10_000, N_APPEALS), N_APPEALS}):
        started = time.perf_counter()
        load(done, size)
        done = size
        load_seconds = time.perf_counter() - started
        similar.index().reset()
        started = time.perf_counter()
        similar.index().refresh(force=True)
        build = time.perf_counter() - started
        timings = {"dispatcher": [], "enterprise": []}
        for who, user in (("dispatcher", dispatcher), ("enterprise", ent_user)):
            for q in probe:
                t0 = time.perf_counter()
                similar.similar_appeals(user, q)
                timings[who].append((time.perf_counter() - t0) * 1000)
        docs = [
            grouping.Doc(pk, w)
            for pk, w in AppealText.objects.values_list("appeal_id", "words").iterator(chunk_size=5000)
        ]
        started = time.perf_counter()
        groups = grouping.group(docs)
        group_seconds = time.perf_counter() - started
        results[size] = {
            "load_seconds": load_seconds,
            "index_build_seconds": build,
            "similar": {who: (statistics.mean(t), pct(t, 50), pct(t, 95)) for who, t in timings.items()},
            "group_seconds": group_seconds,
            "groups": len(groups),
            "biggest": max((g.size for g in groups), default=0),
        }
        print(size, results[size], flush=True)
    write(results)


def write(results: dict) -> None:
    lines = [
        "## Text insights (`bench/insights.py`)",
        "",
        f"Machine: {os.cpu_count()} cores, {cpu_name()}; PostgreSQL; one Python process. Run {dt.date.today():%Y-%m-%d}.",
        f"Appeal texts: real messages from ../shared/data/govmsg ({results['corpus']:,} distinct), each appeal one message",
        "plus a clause of another; queries are 200 other real messages (unlabelled set).",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| routing model training, 7,367 messages (word+char TF-IDF, calibrated LinearSVC) | {results['train_seconds']:.1f} s (+ {results['train_read_seconds']:.1f} s reading and segmenting) |",
        f"| routing suggestions, one thread | {results['suggest_per_second']:.0f} per second ({1000 / results['suggest_per_second']:.1f} ms each) |",
        f"| text analysis (normalise + jieba + stop words) | {results['analyse_per_second']:.0f} messages per second |",
    ]
    for size in sorted(k for k in results if isinstance(k, int)):
        r = results[size]
        d, e = r["similar"]["dispatcher"], r["similar"]["enterprise"]
        lines += [
            f"| similar appeals at {size:,} appeals, dispatcher (whole city) | mean {d[0]:.1f} ms, p50 {d[1]:.1f} ms, p95 {d[2]:.1f} ms |",
            f"| similar appeals at {size:,} appeals, enterprise user (own appeals) | mean {e[0]:.1f} ms, p50 {e[1]:.1f} ms, p95 {e[2]:.1f} ms |",
            f"| similar-appeal index build at {size:,} (once per process, then incremental) | {r['index_build_seconds']:.1f} s |",
            f"| common-issue grouping of {size:,} appeals | {r['group_seconds']:.1f} s ({r['groups']:,} candidate groups, largest {r['biggest']}) |",
        ]
    section = write_section("insights", lines)
    print(section)


if __name__ == "__main__":
    main()
