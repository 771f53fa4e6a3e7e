from django.db import models
from django.db.models import Q


def within(node: "TreeNode", via: str = "") -> Q:
    """Rows whose tree node lies in `node`'s subtree (`node` included).

    `via` is the lookup path from the queried model to a tree node: ``within(region, "region")`` on enterprises,
    ``within(dept, "lead_department")`` on appeals, ``within(region)`` on regions themselves. The one spelling of
    region and department scoping: every scoped read composes this (or the queryset methods below).
    """
    return Q(**{f"{via}__path__startswith" if via else "path__startswith": node.path})


def containing(node: "TreeNode", via: str = "") -> Q:
    """Rows whose tree node is `node` or one of its ancestors (a city bureau above a district office)."""
    return Q(**{f"{via}__in" if via else "pk__in": node.ancestor_ids()})


class TreeQuerySet(models.QuerySet):
    def within(self, node: "TreeNode"):
        return self.filter(within(node))

    def containing(self, node: "TreeNode"):
        return self.filter(containing(node))


class TreeNode(models.Model):
    """A node of a tree stored with a materialised path ("/1/4/9/"): a subtree is one indexed
    prefix query, which is what every region-scoped list needs."""

    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        creating = self.pk is None
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if new_path != old_path:
            type(self).objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if not creating and old_path:
                # Moving a node moves its subtree.
                for child in (
                    type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk)
                ):  # scope-ok: moving a subtree
                    child.path = new_path + child.path[len(old_path) :]
                    type(self).objects.filter(pk=child.pk).update(path=child.path)

    def is_within(self, other: "TreeNode") -> bool:
        """`self` lies in `other`'s subtree (`other` itself included)."""
        return self.path.startswith(other.path)

    def contains(self, other: "TreeNode") -> bool:
        return other.is_within(self)

    def related(self, other: "TreeNode") -> bool:
        """One lies within the other: an office may work with units above it or below it."""
        return self.is_within(other) or other.is_within(self)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to `self`, `self` included."""
        return [int(pk) for pk in self.path.strip("/").split("/") if pk]


class Region(TreeNode):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        DISTRICT = "district", "区县"
        TOWN = "town", "镇街"

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    # 答复复核: replies to appeals of this region wait for their quality score before the enterprise sees them,
    # and a flagged one (under QINQING_REPLY_FLAG_BELOW) for the reviewer's 同意发送 or 退回重答.
    hold_flagged_replies = models.BooleanField(
        "低分答复须复核后送达",
        default=False,
        help_text="开启后，本区划诉求的答复先经质量评分；低于阈值的答复须由部门负责人（或营商办）复核同意后才送达企业。",
    )

    objects = TreeQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def subtree(self):
        return Region.objects.within(self)


class Department(TreeNode):
    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", "职能部门"
        TOWN = "town", "镇街"
        PARK = "park", "园区"
        CITY_DIRECT = "city_direct", "市直单位"
        UTILITY = "utility", "公共服务企业"
        OFFICE = "office", "营商办（协调机构）"
        DISCIPLINE = "discipline", "纪检监察机关"

    name = models.CharField("名称", max_length=80)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.FUNCTIONAL)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    active = models.BooleanField("启用", default=True)

    objects = TreeQuerySet.as_manager()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="uniq_department_name_in_region")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name
