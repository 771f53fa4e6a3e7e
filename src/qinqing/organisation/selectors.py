from django.db.models import QuerySet

from qinqing.organisation.models import Department, Region, containing, within


def ancestor_ids(region: Region) -> list[int]:
    return region.ancestor_ids()


def departments_in_reach(region: Region) -> QuerySet[Department]:
    """Departments an office of `region` may assign to: in its subtree, or above it (city bureaus)."""
    return (
        Department.objects.filter(active=True)
        .filter(within(region, "region") | containing(region, "region"))
        .exclude(kind=Department.Kind.OFFICE)
        .select_related("region")
        .order_by("region__path", "name")
    )
