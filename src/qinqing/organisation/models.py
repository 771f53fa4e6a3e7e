from django.db import models


class TreeNode(models.Model):
    """A node of a tree stored with a materialised path ("/1/4/9/"): a subtree is one indexed
    prefix query, which is what every region-scoped list needs."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
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
                for child in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = new_path + child.path[len(old_path) :]
                    type(self).objects.filter(pk=child.pk).update(path=child.path)

    def is_within(self, other: "TreeNode") -> bool:
        return self.path.startswith(other.path)


class Region(TreeNode):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        DISTRICT = "district", "区县"
        TOWN = "town", "镇街"

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)


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

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="uniq_department_name_in_region")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name
