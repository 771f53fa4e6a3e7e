import datetime as dt

import pytest

from qinqing.enterprises.models import AttributeSource, EnterpriseAttribute
from qinqing.policies.models import Condition, ItemKind, Level, Mode, PolicyDocument, PolicyItem


class Library:
    def __init__(self, world):
        self.world = world
        self.doc = PolicyDocument.objects.create(
            number="青政发〔2026〕1号",
            title="青川市促进高质量发展若干政策",
            issuer="青川市人民政府",
            level=Level.CITY,
            region=world.city,
            published_on=dt.date(2026, 1, 5),
        )

    def item(
        self, name="高新技术企业认定奖励", conditions=(), kind=ItemKind.SUBSIDY, mode=Mode.AUTOMATIC, **kw
    ):
        item = PolicyItem.objects.create(
            document=self.doc, name=name, kind=kind, mode=mode, department=self.world.hr, **kw
        )
        for i, (attribute, operator, value) in enumerate(conditions):
            Condition.objects.create(
                item=item,
                attribute=attribute,
                operator=operator,
                value=value,
                clause=f"第{i + 1}条",
                position=i,
            )
        return item

    def attr(
        self,
        enterprise,
        key,
        value,
        *,
        as_of=dt.date(2026, 1, 1),
        valid_until=None,
        source=AttributeSource.IMPORTED,
    ):
        EnterpriseAttribute.objects.update_or_create(
            enterprise=enterprise,
            key=key,
            defaults={"value": value, "as_of": as_of, "valid_until": valid_until, "source": source},
        )


@pytest.fixture
def lib(world):
    return Library(world)
