"""The attributes of the enterprise file (一企一档) that policies are decided on: a fixed registry in code, because
policy conditions are checked against them (a condition naming an unknown key is refused), while the values are
data (``EnterpriseAttribute``), each with its source, as-of date and expiry.

``parse(key, text)`` turns what a person typed or a department's file holds into the stored canonical text and
raises ``ValueError`` with a Chinese message when it does not parse; ``typed(key, text)`` reads a stored value
back as its Python value for matching.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from qinqing.enterprises.models import Industry

INT, DECIMAL, DATE, CHOICE, BOOL, INDUSTRY, CERT = (
    "int",
    "decimal",
    "date",
    "choice",
    "bool",
    "industry",
    "cert",
)


@dataclass(frozen=True)
class Attribute:
    key: str
    label: str
    kind: str
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    # A qualification: held means a value is recorded and (if it has an expiry) the expiry is not past.
    qualification: bool = False
    hint: str = ""

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


SRDI_LEVELS = (("province", "省级"), ("national", "国家级"))
TAX_GRADES = (("A", "A级"), ("B", "B级"), ("M", "M级"), ("C", "C级"), ("D", "D级"))

ATTRIBUTES: dict[str, Attribute] = {
    a.key: a
    for a in (
        Attribute(
            "industry_code",
            "国民经济行业代码",
            INDUSTRY,
            hint="GB/T 4754-2017 四位小类代码，如 3411；门类由代码推出",
        ),
        Attribute("registered_capital", "注册资本", DECIMAL, "万元"),
        Attribute("established_on", "成立日期", DATE, hint="YYYY-MM-DD"),
        Attribute("employees", "从业人数", INT, "人"),
        Attribute("revenue_last_year", "上年度营业收入", DECIMAL, "万元"),
        Attribute("tax_last_year", "上年度纳税总额", DECIMAL, "万元"),
        Attribute("rnd_last_year", "上年度研发费用", DECIMAL, "万元"),
        Attribute("total_assets", "上年末资产总额", DECIMAL, "万元"),
        Attribute("taxable_income_last_year", "上年度应纳税所得额", DECIMAL, "万元"),
        Attribute("unemployment_insurance_last_year", "上年度实际缴纳失业保险费", DECIMAL, "万元"),
        Attribute(
            "hnte_cert",
            "高新技术企业证书",
            CERT,
            qualification=True,
            hint="证书编号，如 GR202344000123；有效期填入“有效期至”",
        ),
        Attribute("srdi_level", "专精特新中小企业", CHOICE, choices=SRDI_LEVELS, qualification=True),
        Attribute("tech_sme_no", "科技型中小企业入库登记编号", CERT, qualification=True, hint="入库登记编号"),
        Attribute("above_scale", "规模以上企业（规上企业）", BOOL, qualification=True, hint="是 / 否"),
        Attribute("tax_credit_grade", "纳税信用等级", CHOICE, choices=TAX_GRADES),
    )
}

SOURCE_REGISTRY = "registry"  # a value read from the registry row itself (门类, 规模, 区划), not an attribute

# GB/T 4754-2017: the 门类 of each 大类 (two-digit division), from the standard's table.
_SECTIONS = (
    (1, 5, "A"),
    (6, 12, "B"),
    (13, 43, "C"),
    (44, 46, "D"),
    (47, 50, "E"),
    (51, 52, "F"),
    (53, 60, "G"),
    (61, 62, "H"),
    (63, 65, "I"),
    (66, 69, "J"),
    (70, 70, "K"),
    (71, 72, "L"),
    (73, 75, "M"),
    (76, 79, "N"),
    (80, 82, "O"),
    (83, 83, "P"),
    (84, 85, "Q"),
    (86, 90, "R"),
    (91, 96, "S"),
    (97, 97, "T"),
)
_CODE_RE = re.compile(r"^\d{4}$")
_TRUE = {"是", "true", "1", "yes", "y", "有"}
_FALSE = {"否", "false", "0", "no", "n", "无"}


@functools.lru_cache(maxsize=4096)
def section_of(code: str) -> str | None:
    """The 门类 letter of a four-digit 行业代码, None if the division is not in the standard."""
    if not _CODE_RE.match(code or ""):
        return None
    division = int(code[:2])
    return next((letter for lo, hi, letter in _SECTIONS if lo <= division <= hi), None)


def get(key: str) -> Attribute:
    try:
        return ATTRIBUTES[key]
    except KeyError:
        raise ValueError(f"未知的企业属性“{key}”") from None


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise ValueError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


def parse_number(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"“{text}”不是数字")
    return value


def parse(key: str, text: str) -> str:
    """The canonical stored text of a value of `key`, or ValueError (Chinese)."""
    attr = get(key)
    raw = (text or "").strip()
    if not raw:
        raise ValueError(f"{attr.label}不能为空")
    if attr.kind == INDUSTRY:
        if section_of(raw) is None:
            raise ValueError(f"行业代码“{raw}”应为 GB/T 4754-2017 的四位小类代码，如 3411")
        return raw
    if attr.kind == INT:
        number = parse_number(raw)
        if number != number.to_integral_value() or number < 0:
            raise ValueError(f"{attr.label}应为非负整数")
        return str(int(number))
    if attr.kind == DECIMAL:
        number = parse_number(raw)
        if number < 0:
            raise ValueError(f"{attr.label}不能为负数")
        return format(number.normalize(), "f")
    if attr.kind == DATE:
        day = parse_date(raw)
        if day > timezone.localdate() + dt.timedelta(days=1):
            raise ValueError(f"{attr.label}不能晚于今天")
        return day.isoformat()
    if attr.kind == CHOICE:
        for value, label in attr.choices:
            if raw in (value, label) or raw.upper() == value.upper():
                return value
        allowed = "、".join(label for _, label in attr.choices)
        raise ValueError(f"{attr.label}应为{allowed}之一")
    if attr.kind == BOOL:
        if raw.lower() in _TRUE:
            return "true"
        if raw.lower() in _FALSE:
            return "false"
        raise ValueError(f"{attr.label}应填“是”或“否”")
    if len(raw) > 60:
        raise ValueError(f"{attr.label}不能超过60个字符")
    return raw  # CERT: the certificate / registration number as written


def typed(key: str, stored: str):
    """A stored canonical value as what conditions compare: Decimal, int, date, bool or text."""
    kind = ATTRIBUTES[key].kind
    if kind == INT:
        return int(stored)
    if kind == DECIMAL:
        return Decimal(stored)
    if kind == DATE:
        return dt.date.fromisoformat(stored)
    if kind == BOOL:
        return stored == "true"
    return stored


def display(key: str, stored: str) -> str:
    attr = ATTRIBUTES.get(key)
    if attr is None:
        return stored
    if attr.kind == BOOL:
        return "是" if stored == "true" else "否"
    if attr.kind == CHOICE:
        return attr.choice_label(stored)
    if attr.kind == INDUSTRY:
        section = section_of(stored)
        return f"{stored}（{Industry(section).label}）" if section else stored
    return f"{stored}{attr.unit}" if attr.unit else stored
