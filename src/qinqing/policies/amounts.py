"""The amount rule of an item (兑现标准), as the department writes it:

* ``固定 20``: a fixed 20 万元;
* ``比例 rnd_last_year 10%``: 10% of an attribute of the file (上年度研发费用);
* ``分档 employees 50:5 100:10 200:20``: the highest tier whose threshold the attribute reaches.

with the item's per-enterprise cap applied on top. ``parse`` refuses what does not parse, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qinqing.enterprises import attributes as attrs


@dataclass(frozen=True)
class AmountRule:
    kind: str  # fixed | share | tiers
    amount: Decimal = Decimal(0)
    key: str = ""
    rate: Decimal = Decimal(0)
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()

    def describe(self) -> str:
        if self.kind == "fixed":
            return f"{self.amount.normalize():f}万元"
        label = attrs.ATTRIBUTES[self.key].label
        if self.kind == "share":
            return f"按{label}的{(self.rate * 100).normalize():f}%"
        return f"按{label}分档：" + "；".join(
            f"≥{t.normalize():f}：{a.normalize():f}万元" for t, a in self.tiers
        )

    def amount_for(self, figures: dict[str, Decimal], cap: Decimal | None) -> Decimal | None:
        """万元 for an enterprise's figures; None when the figure is missing."""
        if self.kind == "fixed":
            value: Decimal | None = self.amount
        elif self.key not in figures:
            return None
        elif self.kind == "share":
            value = figures[self.key] * self.rate
        else:
            value = Decimal(0)
            for threshold, amount in self.tiers:
                if figures[self.key] >= threshold:
                    value = amount
        if value is not None and cap is not None:
            value = min(value, cap)
        return value


def _number(text: str, what: str) -> Decimal:
    try:
        return attrs.parse_number(text)
    except ValueError:
        raise ValueError(f"兑现标准中的{what}“{text}”不是数字") from None


def _figure(key: str) -> str:
    attr = attrs.ATTRIBUTES.get(key)
    if attr is None or attr.kind not in (attrs.INT, attrs.DECIMAL):
        raise ValueError(f"兑现标准中的“{key}”不是数值属性（如 rnd_last_year、revenue_last_year、employees）")
    return key


def parse(text: str) -> AmountRule | None:
    parts = (text or "").split()
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head in ("固定", "fixed") and len(rest) == 1:
        amount = _number(rest[0].removesuffix("万元"), "金额")
        if amount <= 0:
            raise ValueError("兑现标准的金额应大于0")
        return AmountRule("fixed", amount=amount)
    if head in ("比例", "share") and len(rest) == 2:
        rate_text = rest[1]
        rate = _number(rate_text.removesuffix("%"), "比例") / (100 if rate_text.endswith("%") else 1)
        if not 0 < rate <= 1:
            raise ValueError("兑现比例应在0到100%之间")
        return AmountRule("share", key=_figure(rest[0]), rate=rate)
    if head in ("分档", "tiers") and len(rest) >= 2:
        key = _figure(rest[0])
        tiers = []
        for tier in rest[1:]:
            threshold, sep, pay = tier.partition(":")
            if not sep:
                raise ValueError(f"分档“{tier}”应写成 门槛:金额，如 50:5")
            tiers.append((_number(threshold, "门槛"), _number(pay, "金额")))
        if [t for t, _ in tiers] != sorted({t for t, _ in tiers}):
            raise ValueError("分档门槛应从小到大且不重复")
        return AmountRule("tiers", key=key, tiers=tuple(tiers))
    raise ValueError(
        f"兑现标准“{text}”无法识别，应写成：固定 20 / 比例 rnd_last_year 10% / 分档 employees 50:5 100:10"
    )
