"""import_enterprise_attributes: encodings, normalised codes, line-numbered refusals, idempotence, summary line."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from qinqing.enterprises.models import AttributeChange, EnterpriseAttribute
from qinqing.policies.models import MatchStatus, PolicyMatch
from tests.worker import run_worker


def run(tmp_path, text, encoding="utf-8", capsys=None, name="a.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    call_command("import_enterprise_attributes", "--csv", str(path))
    return capsys.readouterr().out.strip().splitlines() if capsys else None


def full_width(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)


def test_import_normalises_codes_refuses_bad_rows_and_is_idempotent(world, tmp_path, capsys, clock):
    a, b = world.ent_a.uscc, world.ent_b.uscc
    bad = a[:-1] + ("0" if a[-1] != "0" else "1")
    text = (
        "uscc,key,value,source,as_of,valid_until\n"
        f"{a},revenue_last_year,2500,imported,2026-03-31,\n"
        f"{full_width(b)},employees,120,department-confirmed,2026-03-31,\n"
        f" {a.lower()} ,hnte_cert,GR202344000123,imported,2026-01-01,2028-12-31\n"
        f"{bad},employees,10,imported,2026-03-31,\n"
        f"{a},revenue_last_year,2600,imported,2026-03-31,\n"
        f"{a},unknown_key,1,imported,2026-03-31,\n"
        f"{b},tax_credit_grade,E,imported,2026-03-31,\n"
        f"{b},established_on,2020-13-01,imported,2026-03-31,\n"
    )
    out = run(tmp_path, text, "gbk", capsys)
    assert out[-1] == "added=3 changed=0 removed=0 refused=5"
    assert any(line.startswith("第5行") and "校验位" in line for line in out)
    assert any(line.startswith("第6行") and "与第2行重复" in line for line in out)
    assert any(line.startswith("第7行") and "未知的属性" in line for line in out)
    assert any(line.startswith("第8行") and "纳税信用等级" in line for line in out)
    assert EnterpriseAttribute.objects.get(enterprise=world.ent_b, key="employees").source == "confirmed"
    hnte = EnterpriseAttribute.objects.get(enterprise=world.ent_a, key="hnte_cert")
    assert hnte.valid_until == dt.date(2028, 12, 31)
    # Again: nothing changes.
    assert run(tmp_path, text, "utf-8-sig", capsys)[-1] == "added=0 changed=0 removed=0 refused=5"
    # A changed value and an empty value (removal).
    text2 = (
        "uscc,key,value,source,as_of\n"
        f"{a},revenue_last_year,3000,imported,2026-04-30\n"
        f"{b},employees,,imported,2026-04-30\n"
    )
    assert run(tmp_path, text2, "utf-8", capsys)[-1] == "added=0 changed=1 removed=1 refused=0"
    assert not EnterpriseAttribute.objects.filter(enterprise=world.ent_b, key="employees").exists()
    assert AttributeChange.objects.filter(enterprise=world.ent_a, key="revenue_last_year").count() == 2


def test_import_rematches_the_changed_enterprises_in_the_background(lib, tmp_path, capsys, clock):
    world = lib.world
    item = lib.item(conditions=[("employees", "gte", "10")])
    text = f"uscc,key,value,source,as_of\n{world.ent_a.uscc},employees,50,imported,2026-03-31\n"
    run(tmp_path, text, capsys=capsys)
    assert not PolicyMatch.objects.filter(item=item, status=MatchStatus.ELIGIBLE).exists()  # not yet: a job
    run_worker()
    assert PolicyMatch.objects.get(item=item, status=MatchStatus.ELIGIBLE).enterprise == world.ent_a


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"uscc,name,value\n1,2,3\n", "表头不正确"),
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        ("uscc,key,value,source,as_of\n".encode("utf-16"), "编码"),
        (b"", "文件为空"),
    ],
)
def test_a_wrong_file_is_refused_whole(world, tmp_path, capsys, content, reason):
    with pytest.raises(CommandError, match=reason):
        run(tmp_path, content)
    assert capsys.readouterr().out.strip().splitlines()[-1] == "added=0 changed=0 removed=0 refused=0"
    assert not EnterpriseAttribute.objects.exists()


def test_a_file_over_the_limit_is_refused(world, tmp_path, capsys, settings, monkeypatch):
    from qinqing.enterprises import importing

    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    with pytest.raises(CommandError, match="文件过大"):
        run(tmp_path, "uscc,key,value,source,as_of\n" + "x" * 200)
    assert not EnterpriseAttribute.objects.exists()
