import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qinqing.accounts.models import Role, User
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.enterprises import attributes
from qinqing.enterprises.models import (
    AttributeChange,
    AttributeSource,
    Contact,
    Enterprise,
    EnterpriseAttribute,
    Industry,
    Scale,
)
from qinqing.enterprises.validators import normalise_uscc, validate_mobile, validate_uscc
from qinqing.organisation.models import Region


@transaction.atomic
def register_enterprise(
    *,
    by: User,
    uscc: str,
    name: str,
    industry: str,
    scale: str,
    region: Region,
    address: str = "",
    is_key: bool = False,
    contact_name: str = "",
    contact_mobile: str = "",
) -> Enterprise:
    """企业登记 by the coordinating office, inside its own region."""
    if by.role != Role.DISPATCHER or (own_region := by.region) is None:
        raise NotPermitted("只有营商办调度员可以登记企业")
    errors: dict[str, list[str]] = {}
    code = normalise_uscc(uscc)
    try:
        validate_uscc(code)
    except ValidationError as exc:
        errors["uscc"] = list(exc.messages)
    else:
        if Enterprise.objects.filter(uscc=code).exists():
            errors["uscc"] = ["该统一社会信用代码已登记"]
    if not name.strip():
        errors["name"] = ["请填写企业名称"]
    if industry not in Industry.values:
        errors["industry"] = ["行业门类不正确，应为 A–T 之一"]
    if scale not in Scale.values:
        errors["scale"] = ["企业规模应为大型、中型、小型或微型"]
    if not region.is_within(own_region):
        errors["region"] = ["只能登记本管辖区划内的企业"]
    if contact_mobile:
        try:
            validate_mobile(contact_mobile)
        except ValidationError as exc:
            errors["contact_mobile"] = list(exc.messages)
    if contact_mobile and not contact_name.strip():
        errors["contact_name"] = ["请填写联系人姓名"]
    if errors:
        raise InvalidInput("企业信息有误", errors)
    enterprise = Enterprise.objects.create(
        uscc=code,
        name=name.strip(),
        industry=industry,
        scale=scale,
        region=region,
        address=address,
        is_key=is_key,
    )
    if contact_mobile:
        Contact.objects.create(
            enterprise=enterprise, name=contact_name.strip(), mobile=contact_mobile, is_primary=True
        )
    return enterprise


# ---------------------------------------------------------------- the enterprise file (一企一档)

# Higher apps hear of changed attributes (policies re-match) through this hook, called inside the transaction
# of the change with the ids of the enterprises whose file changed.
_attribute_listeners: list[Callable[[set[int]], None]] = []


def register_attribute_listener(listener: Callable[[set[int]], None]) -> None:
    if listener not in _attribute_listeners:
        _attribute_listeners.append(listener)


def _attributes_changed(enterprise_ids: set[int]) -> None:
    if enterprise_ids:
        for listener in _attribute_listeners:
            listener(enterprise_ids)


def can_confirm_attributes(user: User, enterprise: Enterprise) -> bool:
    """A department above or at the enterprise's region (税务局, 科技局 …), or the office of its region."""
    if user.role in (Role.HANDLER, Role.DEPT_HEAD) and (dept := user.department) is not None:
        return enterprise.region.is_within(dept.region)
    if user.role == Role.DISPATCHER and (region := user.region) is not None:
        return enterprise.region.is_within(region)
    return False


def _check_value(key: str, value: str, as_of: dt.date, valid_until: dt.date | None) -> str:
    errors: dict[str, list[str]] = {}
    stored = ""
    try:
        stored = attributes.parse(key, value)
    except ValueError as exc:
        errors["key" if key not in attributes.ATTRIBUTES else "value"] = [str(exc)]
    if as_of > timezone.localdate():
        errors["as_of"] = ["数据日期不能晚于今天"]
    if valid_until is not None and valid_until < as_of:
        errors["valid_until"] = ["有效期不能早于数据日期"]
    if errors:
        raise InvalidInput("档案信息有误", errors)
    return stored


@transaction.atomic
def declare_attribute(
    *, by: User, enterprise: Enterprise, key: str, value: str, as_of: dt.date, valid_until: dt.date | None
) -> EnterpriseAttribute:
    """企业自报: the enterprise types a value of its own file; it is marked self-declared until a department
    confirms it. A declaration replaces whatever was there (the history keeps the old value)."""
    if by.role != Role.ENTERPRISE or by.enterprise_id != enterprise.pk:
        raise NotPermitted("只有本企业用户可以填报本企业档案")
    stored = _check_value(key, value, as_of, valid_until)
    current = EnterpriseAttribute.objects.select_for_update().filter(enterprise=enterprise, key=key).first()
    old = current.value if current else ""
    if current is None:
        current = EnterpriseAttribute(enterprise=enterprise, key=key)
    current.value, current.as_of, current.valid_until = stored, as_of, valid_until
    current.source, current.recorded_by, current.confirmed_by, current.confirmed_at = (
        AttributeSource.SELF,
        by,
        None,
        None,
    )
    current.save()
    AttributeChange.objects.create(
        enterprise=enterprise,
        key=key,
        action=AttributeChange.Action.DECLARED,
        old_value=old,
        new_value=stored,
        source=AttributeSource.SELF,
        as_of=as_of,
        valid_until=valid_until,
        by=by,
    )
    _attributes_changed({enterprise.pk})
    return current


@transaction.atomic
def confirm_attribute(
    *, by: User, enterprise: Enterprise, key: str, value: str, as_of: dt.date, valid_until: dt.date | None
) -> EnterpriseAttribute:
    """部门确认: a department confirms a value of the file, as declared or as it holds it (the page fills in
    the value on file)."""
    if not can_confirm_attributes(by, enterprise):
        raise NotPermitted("只有该企业所在区划的部门或营商办可以确认档案信息")
    stored = _check_value(key, value, as_of, valid_until)
    # A declaration racing a confirmation: the row lock orders them, and the history shows both.
    current = EnterpriseAttribute.objects.select_for_update().filter(enterprise=enterprise, key=key).first()
    old = current.value if current else ""
    if current is None:
        current = EnterpriseAttribute(enterprise=enterprise, key=key, recorded_by=by)
    current.value, current.as_of, current.valid_until = stored, as_of, valid_until
    current.source, current.confirmed_by, current.confirmed_at = AttributeSource.CONFIRMED, by, timezone.now()
    current.save()
    AttributeChange.objects.create(
        enterprise=enterprise,
        key=key,
        action=AttributeChange.Action.CONFIRMED,
        old_value=old,
        new_value=stored,
        source=AttributeSource.CONFIRMED,
        as_of=as_of,
        valid_until=valid_until,
        by=by,
    )
    _attributes_changed({enterprise.pk})
    return current


@dataclass
class ImportRow:
    line: int
    enterprise_id: int
    key: str
    value: str  # canonical; "" removes the attribute
    source: str
    as_of: dt.date
    valid_until: dt.date | None


@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    removed: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"added={self.added} changed={self.changed} removed={self.removed} refused={len(self.refused)}"


@transaction.atomic
def import_attributes(
    *, rows: list[ImportRow], refused: list[tuple[int, str]], batch: str, by: User | None = None
) -> ImportResult:
    """A department's file, already checked row by row (``enterprises.importing``): the good rows in one
    transaction, unchanged rows untouched (re-importing the same file changes nothing)."""
    result = ImportResult(refused=list(refused))
    existing = {
        (a.enterprise_id, a.key): a
        for a in EnterpriseAttribute.objects.select_for_update().filter(
            enterprise_id__in={r.enterprise_id for r in rows}, key__in={r.key for r in rows}
        )
    }
    create, update, delete, changes = [], [], [], []
    touched: set[int] = set()
    for r in rows:
        current = existing.get((r.enterprise_id, r.key))
        old = current.value if current else ""
        if not r.value:
            if current is None:
                continue
            delete.append(current.pk)
            result.removed += 1
            action = AttributeChange.Action.REMOVED
        elif current is None:
            create.append(
                EnterpriseAttribute(
                    enterprise_id=r.enterprise_id,
                    key=r.key,
                    value=r.value,
                    source=r.source,
                    as_of=r.as_of,
                    valid_until=r.valid_until,
                    recorded_by=by,
                )
            )
            result.added += 1
            action = AttributeChange.Action.IMPORTED
        elif (current.value, current.source, current.as_of, current.valid_until) == (
            r.value,
            r.source,
            r.as_of,
            r.valid_until,
        ):
            continue
        else:
            current.value, current.source, current.as_of, current.valid_until = (
                r.value,
                r.source,
                r.as_of,
                r.valid_until,
            )
            current.recorded_by, current.confirmed_by, current.confirmed_at = by, None, None
            current.updated_at = timezone.now()
            update.append(current)
            result.changed += 1
            action = AttributeChange.Action.IMPORTED
        touched.add(r.enterprise_id)
        changes.append(
            AttributeChange(
                enterprise_id=r.enterprise_id,
                key=r.key,
                action=action,
                old_value=old,
                new_value=r.value,
                source=r.source,
                as_of=r.as_of,
                valid_until=r.valid_until,
                by=by,
                batch=batch,
            )
        )
    EnterpriseAttribute.objects.filter(pk__in=delete).delete()
    EnterpriseAttribute.objects.bulk_create(create, batch_size=1000)
    EnterpriseAttribute.objects.bulk_update(
        update,
        [
            "value",
            "source",
            "as_of",
            "valid_until",
            "recorded_by",
            "confirmed_by",
            "confirmed_at",
            "updated_at",
        ],
        batch_size=1000,
    )
    AttributeChange.objects.bulk_create(changes, batch_size=1000)
    _attributes_changed(touched)
    return result
