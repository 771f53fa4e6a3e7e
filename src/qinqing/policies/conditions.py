"""Machine-checkable conditions: the operators, how a condition's value is parsed and checked (Chinese errors for
anything that does not parse), and how one condition is decided against one enterprise's facts.

A condition is data (``Condition`` rows: attribute, operator, value, clause), edited on a page and in the admin.
``compile_condition`` validates it once; the compiled ``Check`` then decides it for any number of enterprises:
met, not met or unknown, with the value used, its source and as-of date, and what would change the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from qinqing.enterprises import attributes as attrs
from qinqing.enterprises.models import AttributeSource, Industry, Scale

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
STATE_LABELS = {MET: "满足", NOT_MET: "不满足", UNKNOWN: "无法判断"}

# Attributes read from the registry row itself rather than from the file's attributes.
SCALE, REGION, CREDIT = "scale", "region", "credit"
PSEUDO = {SCALE: "企业规模", REGION: "所在区划", CREDIT: "信用状况"}
SOURCE_LABELS = {**dict(AttributeSource.choices), attrs.SOURCE_REGISTRY: "企业库登记", "credit": "信用名单"}

CREDIT_KINDS = {
    "red": "守信激励（红名单）",
    "serious": "严重失信主体名单",
    "abnormal": "经营异常名录",
    "other": "其他限制名单",
}

OPERATORS: dict[str, str] = {
    "industry_in": "行业代码前缀属于",
    "industry_not_in": "行业代码前缀不属于",
    "scale_in": "企业规模属于",
    "region_within": "所在区划属于",
    "qualified": "具备资质且在有效期内",
    "gte": "不低于（≥）",
    "lte": "不高于（≤）",
    "age_lte": "成立不超过（年）",
    "age_gte": "成立满（年）",
    "in": "属于（列表）",
    "credit_not_on": "未列入信用名单",
}


class Fact:
    """One attribute value as matching reads it; its display text is made only when an explanation needs it."""

    __slots__ = ("key", "raw", "value", "source", "as_of", "valid_until", "_shown")

    def __init__(
        self, value: Any, shown: str | None, source: str, as_of, valid_until=None, *, key="", raw=""
    ):
        self.value, self.source, self.as_of, self.valid_until = value, source, as_of, valid_until
        self.key, self.raw, self._shown = key, raw, shown

    @property
    def shown(self) -> str:
        if self._shown is None:
            self._shown = attrs.display(self.key, self.raw)
        return self._shown


@dataclass
class CreditEntryFact:
    kind: str
    list_name: str
    reason: str
    decision_no: str
    decided_on: dt.date | None
    display_until: dt.date | None
    entry_id: int | None = None


@dataclass
class Facts:
    """What is known of one enterprise on the day of matching."""

    enterprise_id: int
    scale: str
    region_path: str
    region_name: str
    industry_section: str  # the registry's 门类
    attributes: dict[str, Fact] = field(default_factory=dict)
    credit: list[CreditEntryFact] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    state: str
    value: str = ""
    source: str = ""
    as_of: str = ""
    change: str = ""  # what would change the result ("缺少：…")
    recheck_on: dt.date | None = None  # when time alone may change it


@dataclass(frozen=True)
class Check:
    attribute: str
    operator: str
    text: str  # the condition as a person reads it
    decide: Callable[[Facts, dt.date], Outcome]
    credit: bool = False
    # What the vectorised decision (``policies.columns``) needs to decide the condition over a whole chunk.
    params: dict[str, Any] = field(default_factory=dict)


class ConditionError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def attribute_label(key: str) -> str:
    if key in PSEUDO:
        return PSEUDO[key]
    a = attrs.ATTRIBUTES.get(key)
    return a.label if a else key


def attribute_choices() -> list[tuple[str, str]]:
    return [(k, a.label) for k, a in attrs.ATTRIBUTES.items()] + list(PSEUDO.items())


def _items(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[,，、;；\s]+", value or "") if v.strip()]


def _fact(facts: Facts, key: str, day: dt.date) -> tuple[Fact | None, bool]:
    """(fact, expired)."""
    fact = facts.attributes.get(key)
    if fact is None:
        return None, False
    return fact, fact.valid_until is not None and fact.valid_until < day


def _used(fact: Fact) -> dict[str, Any]:
    return {
        "value": fact.shown,
        "source": SOURCE_LABELS.get(fact.source, fact.source),
        "as_of": fact.as_of.isoformat() if fact.as_of else "",
    }


def day_after(day: dt.date | None) -> dt.date | None:
    """The day after `day`; None for none and for 9999-12-31 (长期有效: no day after it changes anything)."""
    return day + dt.timedelta(days=1) if day and day < dt.date.max else None


def _until(fact: Fact) -> dt.date | None:
    return day_after(fact.valid_until)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _compare(key: str, op: str, raw: str) -> Check:
    attr = attrs.ATTRIBUTES.get(key)
    if attr is None or attr.kind not in (attrs.INT, attrs.DECIMAL):
        raise ConditionError("attribute", f"“{OPERATORS[op]}”只能用于数值属性（营业收入、从业人数等）")
    try:
        bound = attrs.parse_number(raw)
    except ValueError as exc:
        raise ConditionError("value", str(exc)) from None
    sign = "≥" if op == "gte" else "≤"
    text = f"{attr.label}{sign}{format(bound.normalize(), 'f')}{attr.unit}"

    def decide(facts: Facts, day: dt.date) -> Outcome:
        fact, expired = _fact(facts, key, day)
        if fact is None:
            return Outcome(UNKNOWN, change=f"缺少：{attr.label}")
        if expired:
            return Outcome(UNKNOWN, **_used(fact), change=f"{attr.label}已过有效期，请更新")
        ok = Decimal(fact.value) >= bound if op == "gte" else Decimal(fact.value) <= bound
        if ok:
            return Outcome(MET, **_used(fact), recheck_on=_until(fact))
        return Outcome(NOT_MET, **_used(fact), change=f"需{text}", recheck_on=_until(fact))

    return Check(
        key,
        op,
        text,
        decide,
        params={"bound": float(bound), "exact": bound, "text": format(bound.normalize(), "f")},
    )


def _age(key: str, op: str, raw: str) -> Check:
    if key != "established_on":
        raise ConditionError("attribute", "成立年限只能用于“成立日期”")
    try:
        years = int(raw.strip())
    except ValueError:
        raise ConditionError("value", f"年数“{raw}”应为整数") from None
    if not 0 < years <= 100:
        raise ConditionError("value", "年数应在1到100之间")
    text = f"成立{'不超过' if op == 'age_lte' else '满'}{years}年"

    def decide(facts: Facts, day: dt.date) -> Outcome:
        fact, _ = _fact(facts, key, day)
        if fact is None:
            return Outcome(UNKNOWN, change="缺少：成立日期")
        turns = _add_years(fact.value, years)  # the day the enterprise is `years` old
        if op == "age_lte":
            ok, changes = day <= turns, turns + dt.timedelta(days=1)
        else:
            ok, changes = day >= turns, turns
        recheck = changes if changes > day else None
        if ok:
            return Outcome(MET, **_used(fact), recheck_on=recheck)
        return Outcome(NOT_MET, **_used(fact), change=f"需{text}", recheck_on=recheck)

    return Check(key, op, text, decide, params={"years": years})


def _industry(key: str, op: str, raw: str) -> Check:
    if key != "industry_code":
        raise ConditionError("attribute", "行业代码前缀只能用于“国民经济行业代码”")
    negate = op == "industry_not_in"
    prefixes = [p.upper() for p in _items(raw)]
    if not prefixes:
        raise ConditionError("value", "请填写行业门类字母或代码前缀，如 C、39、6513")
    for p in prefixes:
        if not (re.fullmatch(r"[A-T]", p) or re.fullmatch(r"\d{2,4}", p)):
            raise ConditionError("value", f"“{p}”不是行业门类字母（A–T）或2–4位行业代码前缀")
    letters_only = all(p.isalpha() for p in prefixes)
    shown = "、".join(f"{p}（{Industry(p).label}）" if p.isalpha() else p for p in prefixes)
    text = f"行业{'不' if negate else ''}属于 {shown}"

    def matches(code: str, section: str) -> bool:
        return any(section == p if p.isalpha() else code.startswith(p) for p in prefixes) != negate

    def decide(facts: Facts, day: dt.date) -> Outcome:
        fact, _ = _fact(facts, key, day)
        if fact is None:
            if letters_only and facts.industry_section:
                # The registry's 门类 answers a condition on 门类 alone.
                label = Industry(facts.industry_section).label
                reg: dict[str, Any] = {
                    "value": f"{facts.industry_section}（{label}）",
                    "source": "企业库登记",
                    "as_of": "",
                }
                if (facts.industry_section in prefixes) != negate:
                    return Outcome(MET, **reg)
                return Outcome(NOT_MET, **reg, change=f"需{text}")
            return Outcome(UNKNOWN, change="缺少：国民经济行业代码")
        section = attrs.section_of(fact.value) or ""
        if matches(fact.value, section):
            return Outcome(MET, **_used(fact))
        return Outcome(NOT_MET, **_used(fact), change=f"需{text}")

    return Check(
        key, op, text, decide, params={"prefixes": prefixes, "negate": negate, "letters": letters_only}
    )


def _scale(key: str, op: str, raw: str) -> Check:
    if key != SCALE:
        raise ConditionError("attribute", "“企业规模属于”只能用于企业规模")
    labels = {label: value for value, label in Scale.choices}
    wanted = []
    for v in _items(raw):
        code = v if v in Scale.values else labels.get(v) or labels.get(v + "型")
        if code is None:
            raise ConditionError("value", f"“{v}”不是企业规模，应为大型、中型、小型、微型")
        wanted.append(code)
    if not wanted:
        raise ConditionError("value", "请填写企业规模，如 小型,微型")
    text = "企业规模为" + "、".join(Scale(w).label for w in wanted)

    def decide(facts: Facts, day: dt.date) -> Outcome:
        used: dict[str, Any] = {
            "value": Scale(facts.scale).label if facts.scale else "",
            "source": "企业库登记",
            "as_of": "",
        }
        if not facts.scale:
            return Outcome(UNKNOWN, change="缺少：企业规模")
        if facts.scale in wanted:
            return Outcome(MET, **used)
        return Outcome(NOT_MET, **used, change=f"需{text}")

    return Check(key, op, text, decide, params={"wanted": wanted})


def _region(key: str, op: str, raw: str, regions: dict[str, tuple[str, str]]) -> Check:
    """`regions`: code → (path, name) of the regions the value names (looked up by the caller)."""
    if key != REGION:
        raise ConditionError("attribute", "“所在区划属于”只能用于所在区划")
    codes = _items(raw)
    if not codes:
        raise ConditionError("value", "请填写行政区划代码，如 339902")
    unknown = [c for c in codes if c not in regions]
    if unknown:
        raise ConditionError("value", "未知的行政区划代码：" + "、".join(unknown))
    paths = [regions[c][0] for c in codes]
    text = "注册在" + "、".join(regions[c][1] for c in codes)

    def decide(facts: Facts, day: dt.date) -> Outcome:
        used: dict[str, Any] = {"value": facts.region_name, "source": "企业库登记", "as_of": ""}
        if any(facts.region_path.startswith(p) for p in paths):
            return Outcome(MET, **used)
        return Outcome(NOT_MET, **used, change=f"需{text}")

    return Check(key, op, text, decide, params={"paths": paths})


def _qualified(key: str, op: str, raw: str) -> Check:
    attr = attrs.ATTRIBUTES.get(key)
    if attr is None or not attr.qualification:
        raise ConditionError(
            "attribute", "“具备资质”只能用于高新技术企业、专精特新、科技型中小企业、规上企业"
        )
    on: dt.date | None = None
    levels: list[str] = []
    for part in _items(raw):
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", part):
            try:
                on = attrs.parse_date(part)
            except ValueError as exc:
                raise ConditionError("value", str(exc)) from None
        elif attr.kind == attrs.CHOICE:
            code = next((v for v, label in attr.choices if part in (v, label)), None)
            if code is None:
                allowed = "、".join(label for _, label in attr.choices)
                raise ConditionError("value", f"“{part}”应为{allowed}之一")
            levels.append(code)
        else:
            raise ConditionError("value", f"“{part}”不是日期（YYYY-MM-DD）")
    needs_expiry = attr.kind == attrs.CERT
    level_text = "（" + "、".join(attr.choice_label(v) for v in levels) + "）" if levels else ""
    text = f"具备{attr.label}{level_text}" + (f"且{on.isoformat()}时有效" if on else "且在有效期内")

    def decide(facts: Facts, day: dt.date) -> Outcome:
        when = on or day
        fact = facts.attributes.get(key)
        if fact is None:
            return Outcome(NOT_MET, change=f"未登记{attr.label}；如已取得，请补录")
        used = _used(fact)
        if attr.kind == attrs.BOOL and not fact.value:
            return Outcome(NOT_MET, **used, change=f"需{text}")
        if levels and fact.value not in levels:
            return Outcome(NOT_MET, **used, change=f"需{text}")
        if fact.valid_until is None:
            if needs_expiry:
                return Outcome(UNKNOWN, **used, change=f"缺少：{attr.label}有效期")
            return Outcome(MET, **used)
        used["value"] += f"（有效期至{fact.valid_until.isoformat()}）"
        if fact.valid_until < when:
            return Outcome(
                NOT_MET, **used, change=f"{attr.label}已于{fact.valid_until.isoformat()}过期，请更新"
            )
        return Outcome(MET, **used, recheck_on=None if on else _until(fact))

    return Check(key, op, text, decide, params={"on": on, "levels": levels})


def _choice_in(key: str, op: str, raw: str) -> Check:
    attr = attrs.ATTRIBUTES.get(key)
    if attr is None or attr.kind != attrs.CHOICE:
        raise ConditionError("attribute", "“属于（列表）”只能用于纳税信用等级、专精特新级别等选项属性")
    wanted = []
    for part in _items(raw):
        code = next((v for v, label in attr.choices if part.upper() in (v.upper(), label)), None)
        if code is None:
            allowed = "、".join(v for v, _ in attr.choices)
            raise ConditionError("value", f"“{part}”不是{attr.label}的取值（{allowed}）")
        wanted.append(code)
    if not wanted:
        raise ConditionError("value", "请至少填写一个取值")
    text = f"{attr.label}为" + "、".join(attr.choice_label(w) for w in wanted)

    def decide(facts: Facts, day: dt.date) -> Outcome:
        fact, expired = _fact(facts, key, day)
        if fact is None:
            return Outcome(UNKNOWN, change=f"缺少：{attr.label}")
        if expired:
            return Outcome(UNKNOWN, **_used(fact), change=f"{attr.label}已过有效期，请更新")
        if fact.value in wanted:
            return Outcome(MET, **_used(fact), recheck_on=_until(fact))
        return Outcome(NOT_MET, **_used(fact), change=f"需{text}", recheck_on=_until(fact))

    return Check(key, op, text, decide, params={"wanted": wanted})


def credit_kinds(raw: str) -> list[str]:
    kinds = []
    names = {v: k for k, v in CREDIT_KINDS.items()}
    for part in _items(raw):
        code = part if part in CREDIT_KINDS else names.get(part)
        if code is None:
            raise ConditionError("value", f"“{part}”不是信用名单种类（red、serious、abnormal、other）")
        kinds.append(code)
    if not kinds:
        raise ConditionError("value", "请填写信用名单种类，如 serious,abnormal")
    return kinds


def _credit(key: str, op: str, raw: str) -> Check:
    if key != CREDIT:
        raise ConditionError("attribute", "“未列入信用名单”只能用于信用状况")
    kinds = credit_kinds(raw)
    text = "未列入" + "、".join(CREDIT_KINDS[k] for k in kinds)

    def decide(facts: Facts, day: dt.date) -> Outcome:
        hits = [e for e in facts.credit if e.kind in kinds]
        if not hits:
            return Outcome(MET, value="未列入", source="信用名单", as_of=day.isoformat())
        e = hits[0]
        until = [h.display_until for h in hits if h.display_until]
        return Outcome(
            NOT_MET,
            value=f"列入{e.list_name}（{e.decision_no or '无文号'}，{e.reason}）",
            source="信用名单",
            as_of=e.decided_on.isoformat() if e.decided_on else "",
            change=f"移出{e.list_name}后可享受（可申请信用修复）",
            recheck_on=day_after(max(until)) if len(until) == len(hits) else None,
        )

    return Check(key, op, text, decide, credit=True, params={"kinds": kinds})


_BUILDERS: dict[str, Callable[[str, str, str], Check]] = {
    "industry_in": _industry,
    "industry_not_in": _industry,
    "scale_in": _scale,
    "qualified": _qualified,
    "gte": _compare,
    "lte": _compare,
    "age_lte": _age,
    "age_gte": _age,
    "in": _choice_in,
    "credit_not_on": _credit,
}


def compile_condition(
    attribute: str, operator: str, value: str, regions: dict[str, tuple[str, str]] | None = None
) -> Check:
    """The checked, ready-to-decide form of a condition, or ConditionError(field, Chinese message)."""
    if attribute not in attrs.ATTRIBUTES and attribute not in PSEUDO:
        raise ConditionError("attribute", f"未知的属性“{attribute}”")
    if operator not in OPERATORS:
        raise ConditionError("operator", f"未知的判断方式“{operator}”")
    if operator == "region_within":
        return _region(attribute, operator, value, regions or {})
    return _BUILDERS[operator](attribute, operator, value)
