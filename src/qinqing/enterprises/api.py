from ninja import Query, Router, Schema, Status
from pydantic import Field

from qinqing.accounts.models import Role
from qinqing.core.errors import InvalidInput, NotPermitted
from qinqing.core.inputs import Flag
from qinqing.enterprises import selectors, services
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Region

router = Router(tags=["企业库"])


class EnterpriseContactOut(Schema):
    name: str
    title: str
    mobile: str = Field(description="列表中脱敏显示，如 138****0000")


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    industry: str
    scale: str
    region: str
    is_key: bool
    contacts: list[EnterpriseContactOut]


class EnterpriseIn(Schema):
    uscc: str = Field(..., max_length=30)
    name: str = Field(..., max_length=120)
    industry: str = Field(..., max_length=1)
    scale: str = Field(..., max_length=10)
    region_code: str = Field(..., max_length=12)
    address: str = Field("", max_length=200)
    is_key: Flag = False
    contact_name: str = Field("", max_length=30)
    contact_mobile: str = Field("", max_length=20)


class EnterpriseFilter(Schema):
    q: str = Field("", max_length=60)
    limit: int = Field(50, ge=1, le=200)


def _out(e: Enterprise) -> dict:
    return {
        "id": e.pk,
        "uscc": e.uscc,
        "name": e.name,
        "industry": e.industry,
        "scale": e.scale,
        "region": e.region.name,
        "is_key": e.is_key,
        "contacts": [{"name": c.name, "title": c.title, "mobile": c.masked_mobile} for c in e.contacts.all()],
    }


@router.get("", response=list[EnterpriseOut], summary="企业列表（本区划）")
def list_enterprises(request, filters: Query[EnterpriseFilter]):
    user = request.auth
    if user.role not in (Role.ENTERPRISE, Role.DISPATCHER, Role.LEADER):
        raise NotPermitted("无权查看企业库")
    qs = selectors.enterprises_visible_to(user)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q) | qs.filter(uscc=filters.q.upper())
    qs = qs.select_related("region").prefetch_related("contacts").order_by("name")[: filters.limit]
    return [_out(e) for e in qs]


@router.post("", response={201: EnterpriseOut}, summary="登记企业（营商办）")
def register(request, payload: EnterpriseIn):
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise InvalidInput("区划不存在", {"region_code": ["未知的行政区划代码"]})
    e = services.register_enterprise(
        by=request.auth,
        uscc=payload.uscc,
        name=payload.name,
        industry=payload.industry,
        scale=payload.scale,
        region=region,
        address=payload.address,
        is_key=payload.is_key,
        contact_name=payload.contact_name,
        contact_mobile=payload.contact_mobile,
    )
    shown = selectors.get_enterprise_for(request.auth, e.pk)
    assert shown is not None, "registered inside the dispatcher's own region, so visible to them"
    return Status(201, _out(shown))
