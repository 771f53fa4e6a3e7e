"""The sample production files in deploy/ stay true to the code (docs/deploy.md)."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = (ROOT / "src" / "qinqing" / "settings.py").read_text(encoding="utf-8")
# Every way settings.py reads a variable: the env_* helpers and os.environ.
READ = re.compile(r'(?:env_(?:str|bool|int|list)\(|os\.environ\.get\(|os\.environ\[)\s*"([A-Z0-9_]+)"')
# Read by settings for the laptop or the test suite only, not a production knob.
NOT_FOR_PRODUCTION: set[str] = set()


def template(name: str) -> dict[str, str]:
    values = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"not VAR=value: {line!r}"
        assert not value.startswith(("'", '"')), f"systemd keeps quotes literally in {key}"
        values[key] = value
    return values


def test_every_variable_in_the_env_template_is_read_by_settings_and_vice_versa():
    documented = set(template("qinqing.env.example"))
    read = set(READ.findall(SETTINGS))
    assert len(read) > 40, "the pattern no longer finds how settings.py reads the environment"
    assert documented - read == set(), "in deploy/qinqing.env.example but never read by settings.py"
    assert read - documented - NOT_FOR_PRODUCTION == set(), "read by settings.py but not in the env template"
    assert set(template("owner.env.example")) == {"DATABASE_URL"}


def test_the_env_template_is_a_valid_production_configuration(monkeypatch, tmp_path):
    """The template's values, with the placeholders filled, pass settings' own checks and `check --deploy`."""
    values = template("qinqing.env.example")
    values |= {
        "SECRET_KEY": "x" * 60 + "-deploy-test-0123456789",
        "QINQING_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "QINQING_MODEL_DIR": str(tmp_path / "models"),
        "DATABASE_URL": "sqlite:///" + str(tmp_path / "db.sqlite3"),
    }
    code = (
        "import django, sys; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "assert not settings.DEBUG and settings.SECURE_SSL_REDIRECT and settings.QINQING_PROXY_COUNT == 1\n"
        "assert settings.EMAIL_USE_TLS and settings.EMAIL_PORT == 587\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "qinqing.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    import sys

    done = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", code], cwd=ROOT, env=env | values, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]


UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_systemd_units_run_real_commands(path):
    unit = _unit(path)
    if path.suffix == ".timer":
        assert (path.with_suffix(".service")).exists()
        return
    service = unit["Service"]
    assert service["User"] == "qinqing" and service["WorkingDirectory"] == "/srv/qinqing/app"
    text = path.read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/qinqing/qinqing.env" in text
    for line in text.splitlines():
        if line.startswith("ExecStart="):
            args = line.split("=", 1)[1].split()
            if "manage.py" in args:
                command = args[args.index("manage.py") + 1]
                found = list((ROOT / "src").glob(f"**/management/commands/{command}.py"))
                assert found or command in ("migrate", "collectstatic", "check", "db_worker"), command
            if "--config" in args:
                assert args[args.index("--config") + 1] == "/srv/qinqing/app/deploy/gunicorn.conf.py"


def test_units_pass_systemd_analyze_where_available(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that the executables exist: point the units at this checkout's interpreter.
    import sys

    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace("/srv/qinqing/venv/bin/python", sys.executable)
        text = text.replace("/srv/qinqing/venv/bin/gunicorn", str(Path(sys.executable).parent / "gunicorn"))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    done = subprocess.run(  # noqa: S603
        [
            shutil.which("systemd-analyze") or "systemd-analyze",
            "verify",
            "--man=no",
            *(str(tmp_path / p.name) for p in UNITS if "@" not in p.name),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Outside a booted systemd (a container) verify cannot reach the manager: only syntax errors count then.
    errors = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if re.search(r"(Unknown (key|section)|Invalid|Failed to parse|Missing '=')", line)
    ]
    assert not errors, "\n".join(errors)


def test_gunicorn_config_loads_and_binds_loopback():
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["bind"] == "127.0.0.1:8000" and namespace["workers"] >= 1
    assert namespace["wsgi_app"] == "qinqing.wsgi:application" and callable(namespace["child_exit"])


def test_nginx_sample_hides_metrics_and_passes_what_the_settings_expect():
    site = (DEPLOY / "nginx" / "qinqing.conf").read_text(encoding="utf-8")
    proxy = (DEPLOY / "nginx" / "qinqing-proxy.conf").read_text(encoding="utf-8")
    assert "location = /metrics { return 404; }" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site and "return 301 https://" in site
    # QINQING_HTTPS trusts X-Forwarded-Proto; QINQING_PROXY_COUNT=1 reads one X-Forwarded-For hop.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy
    assert "proxy_set_header X-Request-ID $request_id;" in proxy
    mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert mb >= int(template("qinqing.env.example")["ATTACHMENT_MAX_TOTAL_MB"])
    assert site.count("{") == site.count("}")


def test_roles_sql_grants_rows_not_ownership():
    sql = (DEPLOY / "postgres" / "roles.sql").read_text(encoding="utf-8")
    assert "CREATE DATABASE qinqing OWNER qinqing_owner" in sql
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO qinqing_app" in sql
    statements = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    assert not re.search(r"GRANT\s+ALL|TRUNCATE|OWNER\s+qinqing_app|SUPERUSER", statements, re.IGNORECASE)
    env = template("qinqing.env.example")
    assert env["DATABASE_URL"].startswith("postgres://qinqing_app:")
    assert template("owner.env.example")["DATABASE_URL"].startswith("postgres://qinqing_owner:")
