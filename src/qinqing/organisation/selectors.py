from django.db.models import Q, QuerySet

from qinqing.organisation.models import Department, Region


def ancestor_ids(region: Region) -> list[int]:
    return [int(pk) for pk in region.path.strip("/").split("/") if pk]


def departments_in_reach(region: Region) -> QuerySet[Department]:
    """Departments an office of `region` may assign to: in its subtree, or above it (city bureaus)."""
    return (
        Department.objects.filter(active=True)
        .filter(Q(region__path__startswith=region.path) | Q(region_id__in=ancestor_ids(region)))
        .exclude(kind=Department.Kind.OFFICE)
        .select_related("region")
        .order_by("region__path", "name")
    )
