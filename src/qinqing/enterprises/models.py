from django.db import models

from qinqing.enterprises.validators import mask_mobile, normalise_uscc, validate_mobile, validate_uscc
from qinqing.organisation.models import Region


class Industry(models.TextChoices):
    """国民经济行业分类 (GB/T 4754-2017) 门类."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741 - the standard's own letter
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class Scale(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def with_primary_contact(self, pk: int) -> "Enterprise":
        """The enterprise with its primary contact's name and mobile (see ``Enterprise.primary_contact``) in one
        query: a LEFT JOIN of the contacts in ``Contact.Meta.ordering``, first row only (no contact: NULLs).

        Runs on every appeal an enterprise submits, so it is one ``raw()`` query (public API, portable SQL, the
        same on SQLite and PostgreSQL): the ORM spelling of the same join (annotate F("contacts__name"),
        order_by) cost about three times the CPU to compile."""
        enterprises, contacts = self.model._meta.db_table, Contact._meta.db_table
        sql = (
            "SELECT e.*, c.name AS primary_contact_name, c.mobile AS primary_contact_mobile "  # noqa: S608 - our table names; values are parameters
            f"FROM {enterprises} e LEFT JOIN {contacts} c ON c.enterprise_id = e.id "
            "WHERE e.id = %s ORDER BY c.is_primary DESC, c.name LIMIT 1"
        )
        found = next(iter(self.raw(sql, [pk])), None)
        if found is None:
            raise Enterprise.DoesNotExist(f"enterprise {pk}")
        return found


class Enterprise(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField("企业名称", max_length=120)
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices)
    scale = models.CharField("企业规模", max_length=10, choices=Scale.choices)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    is_key = models.BooleanField("重点企业", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnterpriseQuerySet.as_manager()

    # Set only on rows from ``Enterprise.objects.with_primary_contact`` (columns of its raw query).
    primary_contact_name: str | None
    primary_contact_mobile: str | None

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def primary_contact(self) -> tuple[str, str]:
        """(name, mobile) of whom to call: the primary contact, else the first by name; blank if none."""
        if hasattr(self, "primary_contact_name"):
            return self.primary_contact_name or "", self.primary_contact_mobile or ""
        return self.contacts.values_list("name", "mobile").first() or ("", "")

    def clean(self) -> None:
        self.uscc = normalise_uscc(self.uscc)


class Contact(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("姓名", max_length=30)
    title = models.CharField("职务", max_length=30, blank=True)
    mobile = models.CharField("手机号码", max_length=11, validators=[validate_mobile])
    is_primary = models.BooleanField("主要联系人", default=False)

    class Meta:
        verbose_name = "企业联系人"
        verbose_name_plural = "企业联系人"
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.masked_mobile}"

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)


class AttributeSource(models.TextChoices):
    SELF = "self", "企业自报"
    CONFIRMED = "confirmed", "部门确认"
    IMPORTED = "imported", "部门导入"


class EnterpriseAttribute(models.Model):
    """The current value of one attribute of an enterprise's file (一企一档); the keys are the registry in
    ``enterprises.attributes``. Every change is kept in ``AttributeChange``."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="attributes")
    key = models.CharField("属性", max_length=40)
    value = models.CharField("取值", max_length=100)
    source = models.CharField("来源", max_length=12, choices=AttributeSource.choices)
    as_of = models.DateField("数据日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明", max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业档案属性"
        ordering = ["enterprise_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "key"], name="uniq_enterprise_attribute")
        ]
        indexes = [models.Index(fields=["valid_until"], name="attribute_valid_until")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.key}={self.value}"


class AttributeChange(models.Model):
    """One change of an attribute (declared, confirmed, imported, removed): the file's history."""

    class Action(models.TextChoices):
        DECLARED = "declared", "企业自报"
        CONFIRMED = "confirmed", "部门确认"
        IMPORTED = "imported", "导入"
        REMOVED = "removed", "删除"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="attribute_changes")
    key = models.CharField("属性", max_length=40)
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    old_value = models.CharField("原值", max_length=100, blank=True)
    new_value = models.CharField("新值", max_length=100, blank=True)
    source = models.CharField("来源", max_length=12, choices=AttributeSource.choices, blank=True)
    as_of = models.DateField("数据日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.CharField("导入批次", max_length=40, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业档案变更"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["enterprise", "at"], name="attribute_change_ent")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.key} {self.action}"
