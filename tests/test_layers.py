"""Apps depend one way (DESIGN.md): import-linter's contract in pyproject.toml, checked with every test run so a
wrong-way import fails CI, not just `make lint`."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_apps_depend_one_way():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 - our own venv tool, fixed arguments
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout
