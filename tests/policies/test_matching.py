"""Every operator met / not met / unknown, the explanation, expiry flipping a match, credit blocking."""

import datetime as dt

import pytest
from django.core.management import call_command

from qinqing.credit.models import CreditEntry, CreditList, ListKind
from qinqing.policies import matching
from qinqing.policies.models import GateDecision, GateRule, MatchStatus, PolicyMatch

DAY = dt.date(2026, 11, 16)


def decide(lib, conditions, enterprise=None):
    item = lib.item(conditions=conditions)
    enterprise = enterprise or lib.world.ent_a
    result = matching.explain(item, enterprise, DAY)
    return result.status, [d["state"] for d in result.details], result


OPERATOR_CASES = [
    # (attribute, operator, value, attribute set on the enterprise (key, value, valid_until) or None, expected)
    ("industry_code", "industry_in", "34,35", ("industry_code", "3411", None), "met"),
    ("industry_code", "industry_in", "C", ("industry_code", "3411", None), "met"),
    ("industry_code", "industry_in", "65", ("industry_code", "3411", None), "not_met"),
    ("industry_code", "industry_in", "65", None, "unknown"),
    ("industry_code", "industry_in", "C", None, "met"),  # the registry's 门类 answers a 门类-only condition
    ("industry_code", "industry_in", "I", None, "not_met"),
    ("scale", "scale_in", "小型,微型", None, "met"),
    ("scale", "scale_in", "large", None, "not_met"),
    ("region", "region_within", "339902", None, "met"),
    ("region", "region_within", "339903", None, "not_met"),
    ("hnte_cert", "qualified", "", ("hnte_cert", "GR202344000123", dt.date(2027, 12, 1)), "met"),
    ("hnte_cert", "qualified", "", ("hnte_cert", "GR202344000123", dt.date(2026, 1, 1)), "not_met"),
    ("hnte_cert", "qualified", "", ("hnte_cert", "GR202344000123", None), "unknown"),
    ("hnte_cert", "qualified", "", None, "not_met"),
    ("srdi_level", "qualified", "国家级", ("srdi_level", "national", None), "met"),
    ("srdi_level", "qualified", "国家级", ("srdi_level", "province", None), "not_met"),
    ("revenue_last_year", "gte", "2000", ("revenue_last_year", "2500", None), "met"),
    ("revenue_last_year", "gte", "2000", ("revenue_last_year", "1500", None), "not_met"),
    ("revenue_last_year", "gte", "2000", None, "unknown"),
    ("revenue_last_year", "gte", "2000", ("revenue_last_year", "2500", dt.date(2026, 6, 30)), "unknown"),
    ("employees", "lte", "300", ("employees", "120", None), "met"),
    ("employees", "lte", "300", ("employees", "800", None), "not_met"),
    ("employees", "lte", "300", None, "unknown"),
    ("established_on", "age_lte", "5", ("established_on", "2023-03-01", None), "met"),
    ("established_on", "age_lte", "5", ("established_on", "2010-03-01", None), "not_met"),
    ("established_on", "age_lte", "5", None, "unknown"),
    ("established_on", "age_gte", "3", ("established_on", "2020-03-01", None), "met"),
    ("established_on", "age_gte", "3", ("established_on", "2025-03-01", None), "not_met"),
    ("established_on", "age_gte", "3", None, "unknown"),
    ("tax_credit_grade", "in", "A,B", ("tax_credit_grade", "A", None), "met"),
    ("tax_credit_grade", "in", "A,B", ("tax_credit_grade", "C", None), "not_met"),
    ("tax_credit_grade", "in", "A,B", None, "unknown"),
    ("credit", "credit_not_on", "serious,abnormal", None, "met"),
]


@pytest.mark.parametrize(("attribute", "operator", "value", "fact", "expected"), OPERATOR_CASES)
def test_every_operator(lib, attribute, operator, value, fact, expected):
    if fact:
        lib.attr(lib.world.ent_a, fact[0], fact[1], valid_until=fact[2])
    status, states, result = decide(lib, [(attribute, operator, value)])
    assert states == [expected]
    assert status == {"met": "eligible", "not_met": "ineligible", "unknown": "undetermined"}[expected]
    if expected != "met":
        assert result.missing  # says what would change the result


def test_explanation_names_value_source_and_what_is_missing(lib):
    lib.attr(lib.world.ent_a, "hnte_cert", "GR202344000123")
    lib.attr(lib.world.ent_a, "revenue_last_year", "2500", as_of=dt.date(2026, 3, 31))
    _, _, result = decide(lib, [("hnte_cert", "qualified", ""), ("revenue_last_year", "gte", "2000")])
    cert, revenue = result.details
    assert cert["change"] == "缺少：高新技术企业证书有效期"
    assert (revenue["value"], revenue["source"], revenue["as_of"]) == ("2500万元", "部门导入", "2026-03-31")
    assert revenue["clause"] == "第2条"


def _serious_list(world):
    return CreditList.objects.create(
        code="serious-test", kind=ListKind.SERIOUS, name="严重失信主体名单", legal_basis="《条例》"
    )


def test_credit_entry_blocks_and_its_end_restores(lib, clock):
    world = lib.world
    item = lib.item(conditions=[("scale", "scale_in", "小型"), ("credit", "credit_not_on", "serious")])
    entry = CreditEntry.objects.create(
        credit_list=_serious_list(world),
        uscc=world.ent_a.uscc,
        name=world.ent_a.name,
        enterprise=world.ent_a,
        reason="拖欠工资",
        decision_no="青人社罚〔2026〕3号",
        decided_on=dt.date(2026, 5, 1),
        display_until=dt.date(2027, 5, 1),
    )
    matching.run(push=False)
    match = PolicyMatch.objects.get(enterprise=world.ent_a, item=item)
    assert match.status == MatchStatus.INELIGIBLE and match.blocked_by_credit
    assert match.digest == "MN|"  # 规模 met, credit not met, no gates
    assert "青人社罚〔2026〕3号" in matching.explain_stored([match], DAY)[0].details[1]["value"]
    CreditEntry.objects.filter(pk=entry.pk).update(display_until=dt.date(2026, 11, 1))
    matching.run(push=False)
    assert PolicyMatch.objects.get(enterprise=world.ent_a, item=item).status == MatchStatus.ELIGIBLE


def test_gate_decision_keeps_its_evidence_after_the_list_changes(lib, clock):
    world = lib.world
    item = lib.item(conditions=[("scale", "scale_in", "小型")])
    GateRule.objects.create(
        item=item, effect=GateRule.Effect.REFUSE, kinds="serious", measure="《备忘录》第二条"
    )
    entry = CreditEntry.objects.create(
        credit_list=_serious_list(world),
        uscc=world.ent_a.uscc,
        name=world.ent_a.name,
        reason="拖欠工资",
        decision_no="D-1",
        decided_on=dt.date(2026, 5, 1),
        display_until=dt.date(2027, 5, 1),
    )
    matching.run(push=False)
    assert PolicyMatch.objects.get(enterprise=world.ent_a, item=item).blocked_by_credit
    first = GateDecision.objects.get(enterprise=world.ent_a, item=item)
    assert first.applies and first.evidence[0]["decision_no"] == "D-1" and first.measure == "《备忘录》第二条"
    entry.delete()
    matching.run(push=False)
    assert PolicyMatch.objects.get(enterprise=world.ent_a, item=item).status == MatchStatus.ELIGIBLE
    first.refresh_from_db()
    assert first.evidence[0]["decision_no"] == "D-1"  # the old decision keeps what it was decided on
    assert GateDecision.objects.filter(enterprise=world.ent_a, item=item).count() == 2


def test_red_list_ranks_first_among_equals(lib, clock):
    world = lib.world
    item = lib.item(conditions=[("scale", "scale_in", "小型,中型")])
    GateRule.objects.create(item=item, effect=GateRule.Effect.PREFER, kinds="red", measure="信易+ 第三条")
    red = CreditList.objects.create(code="red-test", kind=ListKind.RED, name="守信激励名单", legal_basis="x")
    CreditEntry.objects.create(
        credit_list=red,
        uscc=world.ent_a.uscc,
        name="a",
        reason="守信",
        decision_no="R-1",
        decided_on=dt.date(2026, 1, 1),
        display_until=dt.date(2027, 1, 1),
    )
    matching.run(push=False)
    a = PolicyMatch.objects.get(enterprise=world.ent_a, item=item)
    assert a.status == MatchStatus.ELIGIBLE and a.preferred


def test_an_attribute_that_expires_flips_the_match(lib, clock):
    world = lib.world
    item = lib.item(conditions=[("hnte_cert", "qualified", "")])
    lib.attr(world.ent_a, "hnte_cert", "GR1", valid_until=dt.date(2026, 11, 20))
    matching.run(push=False)
    match = PolicyMatch.objects.get(enterprise=world.ent_a, item=item)
    assert match.status == MatchStatus.ELIGIBLE and match.recheck_on == dt.date(2026, 11, 21)
    clock.move_to(dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC))
    from qinqing.policies.tasks import sweep_policy_matches
    from tests.worker import run_periodic

    run_periodic(sweep_policy_matches)
    assert not PolicyMatch.objects.filter(enterprise=world.ent_a, item=item).exists()  # no longer eligible


def test_match_policies_command_prints_the_summary(lib, capsys, clock):
    lib.item(conditions=[("scale", "scale_in", "小型")])
    lib.item(name="稳岗返还", conditions=[("employees", "gte", "10")])
    call_command("match_policies")
    assert (
        capsys.readouterr().out.strip().splitlines()[-1] == "enterprises=2 items=2 eligible=1 undetermined=2"
    )


def test_rerun_writes_nothing_when_nothing_changed(lib, clock):
    lib.item(conditions=[("scale", "scale_in", "小型")])
    first = matching.run(push=False)
    again = matching.run(push=False)
    assert first.created == 1 and (again.created, again.changed, again.deleted) == (0, 0, 0)
