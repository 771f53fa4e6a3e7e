from django.core.exceptions import ValidationError
from django.db import transaction

from qinqing.accounts.models import Role, User
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.enterprises.models import Contact, Enterprise, Industry, Scale
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
