"""Field service: the people and events through which government goes to enterprises instead of waiting.

Meetings (政企交流主题日 series, 座谈会, 政企面对面, 暖春行动), chief service officers and resident specialists with
their enterprises (包干, kept as a history), visits (走访), "1+1" linked leaders, special supervisors (特约监督员)
with confidential problem clues and spot checks (抽查), contact points (联系点) and task forces (专班). Every
problem collected becomes an ordinary appeal; ``AppealOrigin`` remembers where and through whom it came.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.appeals.models import Appeal, Channel
from qinqing.enterprises.models import Enterprise
from qinqing.organisation.models import Department, Region

USER = settings.AUTH_USER_MODEL


# ---------------------------------------------------------------- meetings


class MeetingKind(models.TextChoices):
    THEME_DAY = "theme_day", "政企交流主题日"
    FORUM = "forum", "座谈会"
    FACE_TO_FACE = "face_to_face", "政企面对面"
    WARM_SPRING = "warm_spring", "暖春行动走访"


# The channel an issue raised at a meeting of each kind carries.
MEETING_CHANNEL: dict[str, Channel] = {
    MeetingKind.THEME_DAY: Channel.THEME_DAY,
    MeetingKind.FORUM: Channel.FORUM,
    MeetingKind.FACE_TO_FACE: Channel.FACE_TO_FACE,
    MeetingKind.WARM_SPRING: Channel.WARM_SPRING,
}


class MeetingSeries(models.Model):
    """A recurring meeting, e.g. 政企交流主题日 every Monday 20:00–22:00; its meetings are numbered 第N期."""

    name = models.CharField("系列名称", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=MeetingKind.choices, default=MeetingKind.THEME_DAY)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(
        "每周几", choices=[(i, f"星期{'一二三四五六日'[i]}") for i in range(7)], default=0
    )
    start_time = models.TimeField("开始时间", default="20:00")
    end_time = models.TimeField("结束时间", default="22:00")
    place = models.CharField("地点", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "活动系列"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "筹备中"
        HELD = "held", "已召开"

    series = models.ForeignKey(
        MeetingSeries,
        verbose_name="所属系列",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    sequence = models.PositiveIntegerField("期数", null=True, blank=True)
    kind = models.CharField("类型", max_length=20, choices=MeetingKind.choices)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    theme = models.CharField("主题", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    host = models.ForeignKey(
        USER, verbose_name="主持领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host_name = models.CharField("主持领导", max_length=40, blank=True)
    departments = models.ManyToManyField(Department, verbose_name="参会部门", blank=True, related_name="+")
    enterprises = models.ManyToManyField(Enterprise, verbose_name="参会企业", blank=True, related_name="+")
    minutes = models.TextField("会议纪要", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PLANNED)
    announced_at = models.DateTimeField("通知时间", null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政企活动"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "sequence"],
                name="uniq_meeting_sequence",
                condition=models.Q(series__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.series_id and self.sequence and self.series is not None:
            return f"{self.series.name}第{self.sequence}期：{self.theme}"
        return f"{self.get_kind_display()}：{self.theme}"


# ---------------------------------------------------------------- service officers and 1+1


class ServiceRole(models.TextChoices):
    CHIEF = "chief", "首席服务官"
    RESIDENT = "resident", "驻点服务专员"
    LINKED_LEADER = "linked_leader", "挂钩领导"


SERVICE_CHANNEL: dict[str, Channel] = {
    ServiceRole.CHIEF: Channel.CHIEF_OFFICER,
    ServiceRole.RESIDENT: Channel.RESIDENT,
}


class ServiceAssignment(models.Model):
    """Who serves an enterprise in which role, from when to when (包干). Never edited away: a change ends the
    current row and starts a new one, so the past keeps its people."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="service_assignments"
    )
    user = models.ForeignKey(
        USER, verbose_name="服务人员", on_delete=models.PROTECT, related_name="service_assignments"
    )
    role = models.CharField("服务角色", max_length=20, choices=ServiceRole.choices)
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("变更原因", max_length=100, blank=True)
    assigned_by = models.ForeignKey(USER, verbose_name="指派人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "包干服务关系"
        ordering = ["-started_on", "-id"]
        constraints = [
            # One current holder of each role per enterprise.
            models.UniqueConstraint(
                fields=["enterprise", "role"],
                name="uniq_current_service_role",
                condition=models.Q(ended_on__isnull=True),
            )
        ]
        indexes = [models.Index(fields=["user", "ended_on"], name="assignment_user_current")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_role_display()} {self.user}"

    def covers(self, day) -> bool:
        """In force on `day` (the Python twin of selectors.current)."""
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class Visit(models.Model):
    """走访: an officer at an enterprise. Keeps the officer who went, whoever serves the enterprise later."""

    officer = models.ForeignKey(USER, verbose_name="走访人", on_delete=models.PROTECT, related_name="visits")
    role = models.CharField("服务角色", max_length=20, choices=ServiceRole.choices)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField("走访日期")
    people_met = models.CharField("接待人员", max_length=200)
    findings = models.TextField("走访情况")
    policies = models.TextField("宣讲政策", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["officer", "visited_on"], name="visit_officer_day")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise}"


# ---------------------------------------------------------------- special supervisors


class SupervisorBackground(models.TextChoices):
    NPC = "npc", "人大代表"
    CPPCC = "cppcc", "政协委员"
    PARTY = "party", "民主党派"
    ENTREPRENEUR = "entrepreneur", "企业家"
    ASSOCIATION = "association", "行业协会商会"
    LEGAL = "legal", "法律工作者"
    MEDIA = "media", "新闻媒体"
    OTHER = "other", "其他"


class Supervisor(models.Model):
    """营商环境特约监督员: an appointment with a term and a certificate, held by a user with the supervisor role."""

    user = models.OneToOneField(
        USER, verbose_name="账号", on_delete=models.PROTECT, related_name="supervisor"
    )
    region = models.ForeignKey(Region, verbose_name="监督区划", on_delete=models.PROTECT, related_name="+")
    certificate_no = models.CharField("证书编号", max_length=30, unique=True)
    background = models.CharField("界别", max_length=20, choices=SupervisorBackground.choices)
    organisation = models.CharField("工作单位", max_length=100, blank=True)
    term_start = models.DateField("聘期开始")
    term_end = models.DateField("聘期结束")

    class Meta:
        verbose_name = verbose_name_plural = "特约监督员"
        ordering = ["certificate_no"]

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.certificate_no}）"

    def in_term(self, day) -> bool:
        return self.term_start <= day <= self.term_end


class Clue(models.Model):
    """问题线索: conduct that harms the business environment. Confidential: seen only by the supervisor who
    gave it, the discipline-inspection department and the coordinating office of the region."""

    class State(models.TextChoices):
        RECEIVED = "received", "待受理"
        VERIFYING = "verifying", "核查中"
        TRANSFERRED = "transferred", "已移送纪检监察"
        CONCLUDED = "concluded", "已办结"
        DISMISSED = "dismissed", "不予核查"

    class Finding(models.TextChoices):
        TRUE = "true", "属实"
        PARTLY = "partly", "部分属实"
        FALSE = "false", "不属实"

    number = models.CharField("线索编号", max_length=20, unique=True)
    supervisor = models.ForeignKey(
        Supervisor, verbose_name="监督员", on_delete=models.PROTECT, related_name="clues"
    )
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="涉及单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField("涉及对象", max_length=100, blank=True)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("线索内容")
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.RECEIVED)
    finding = models.CharField("核查结论", max_length=10, choices=Finding.choices, blank=True)
    result = models.TextField("处理结果", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题线索"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ClueEvent(models.Model):
    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=40)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.clue_id} → {self.to_state}"


SPOT_CHECK_ITEMS = [
    ("policy", "政策是否落实"),
    ("service", "服务是否到位"),
    ("convenience", "办事是否便利"),
    ("efficiency", "办事效率"),
    ("conduct", "工作作风"),
]
SPOT_CHECK_ITEM_MAX = 20  # five items of 20 points: a score out of 100


class SpotCheck(models.Model):
    """抽查: a supervisor's check of a department or service hall against the checklist."""

    supervisor = models.ForeignKey(
        Supervisor, verbose_name="监督员", on_delete=models.PROTECT, related_name="spot_checks"
    )
    department = models.ForeignKey(
        Department, verbose_name="被抽查单位", on_delete=models.PROTECT, related_name="spot_checks"
    )
    place = models.CharField("抽查地点", max_length=100, blank=True)
    checked_on = models.DateField("抽查日期")
    items = models.JSONField("分项得分", default=dict)
    score = models.PositiveSmallIntegerField("总分")
    comments = models.TextField("意见建议", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "抽查记录"
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["department", "checked_on"], name="spotcheck_dept_day")]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.department_id} {self.score}"


# ---------------------------------------------------------------- contact points and task forces


class ContactPointKind(models.TextChoices):
    CONGRESS = "congress", "人大优化营商环境企业联系点"
    IP = "ip", "知识产权保护联系点"


CONTACT_POINT_CHANNEL: dict[str, Channel] = {
    ContactPointKind.CONGRESS: Channel.CONGRESS,
    ContactPointKind.IP: Channel.IP_CONTACT,
}


class ContactPoint(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="contact_points"
    )
    kind = models.CharField("联系点类型", max_length=20, choices=ContactPointKind.choices)
    responsible = models.CharField("联系代表/责任人", max_length=60)
    department = models.ForeignKey(
        Department, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    designated_on = models.DateField("设立日期")
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "联系点"
        ordering = ["kind", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind"], name="uniq_contact_point")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enterprise}"


class TaskForce(models.Model):
    """一企一案一专班: several departments, one lead, a named person each, on one complex matter."""

    class State(models.TextChoices):
        ACTIVE = "active", "推进中"
        DONE = "done", "已完成"

    name = models.CharField("专班名称", max_length=80)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    matter = models.TextField("事项")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeals = models.ManyToManyField(Appeal, verbose_name="关联诉求", blank=True, related_name="task_forces")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.ACTIVE)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "工作专班"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class TaskForceMember(models.Model):
    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="members")
    department = models.ForeignKey(
        Department, verbose_name="成员单位", on_delete=models.PROTECT, related_name="+"
    )
    person = models.CharField("责任人", max_length=30)
    mobile = models.CharField("联系电话", max_length=11, blank=True)
    is_lead = models.BooleanField("牵头单位", default=False)

    class Meta:
        ordering = ["-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task_force", "department"], name="uniq_task_force_department"),
            models.UniqueConstraint(
                fields=["task_force"], name="one_task_force_lead", condition=models.Q(is_lead=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.person}"


class TaskForceLog(models.Model):
    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="logs")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=60)
    note = models.TextField("进展")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.note[:30]


# ---------------------------------------------------------------- where an appeal came from


class AppealOrigin(models.Model):
    """The field-service origin of an appeal: the meeting, visit, contact point or supervisor it came through,
    and the service officer who served the enterprise at that moment (kept even after the enterprise moves)."""

    appeal = models.OneToOneField(Appeal, primary_key=True, on_delete=models.CASCADE, related_name="origin")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="origins"
    )
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="origins")
    officer = models.ForeignKey(
        USER, verbose_name="服务官", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervisor = models.ForeignKey(
        Supervisor, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    contact_point = models.ForeignKey(
        ContactPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="origins"
    )

    class Meta:
        verbose_name = verbose_name_plural = "诉求来源"

    def __str__(self) -> str:
        return f"origin of {self.appeal_id}"
