"""What the in-process benchmarks share: a fresh PostgreSQL database, Django set up on it, a generated city with
districts and enterprises, and writing one marked section of BENCHMARKS.md."""

import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    """Recreate the database at ``url``, migrate it and set Django up on it in this process."""
    os.environ.update({"DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench-only-" + "x" * 40})
    recreate_database(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=os.environ, check=True)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinqing.settings"
    import django

    django.setup()


def make_city(n_enterprises: int):
    """青川市 with five districts and ``n_enterprises`` enterprises spread over them: (city, districts, enterprises)."""
    from stdnum.cn import uscc

    from qinqing.enterprises.models import Enterprise
    from qinqing.organisation.models import Region

    city = Region.objects.create(code="339900", name="青川市", level="city")
    districts = [
        Region.objects.create(code=f"3399{i:02d}", name=f"第{i}区", level="district", parent=city)
        for i in range(1, 6)
    ]
    rows = []
    for i in range(n_enterprises):
        body = "91339900" + f"{i:09d}"
        rows.append(
            Enterprise(
                uscc=body + uscc.calc_check_digit(body),
                name=f"企业{i}有限公司",
                industry="C",
                scale="small",
                region=districts[i % 5],
            )
        )
    return city, districts, Enterprise.objects.bulk_create(rows)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            return next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def write_section(marker: str, section_lines: list[str]) -> str:
    """Replace (or append) the part of BENCHMARKS.md between <!-- marker:start --> and <!-- marker:end -->."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    section = "\n".join([start, *section_lines, end]) + "\n"
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in current:
        head, rest = current.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        current = head + section + ("\n" + tail if tail else "")
    else:
        current = current.rstrip("\n") + "\n\n" + section
    path.write_text(current, encoding="utf-8")
    return section
