from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinqing.appeals.models import Appeal
from qinqing.organisation.models import Department, Region


class AppealTextManager(models.Manager):
    def fill_missing(
        self, *, appeal_ids: Iterable[int] | None = None, after_id: int = 0, batch: int = 2000
    ) -> int:
        """Analyse and store the words of appeals that have none yet, in bulk; returns how many were added.

        Intake stores no words (a submission stays a single INSERT statement); the background job
        ``insights.tasks.analyse_new_appeals`` calls this every minute, so new appeals and appeals loaded in bulk
        are analysed in batches, and readers only read. Overlapping runs may race on the same appeals: the
        loser's rows are ignored.
        """
        from qinqing.insights import text as pipeline  # the segmenter loads its dictionary on first use

        missing = Appeal.objects.filter(analysed__isnull=True).order_by("id")
        if appeal_ids is not None:
            missing = missing.filter(pk__in=appeal_ids)
        added, last = 0, after_id
        while True:
            chunk = list(missing.filter(pk__gt=last).values_list("id", "title", "content")[:batch])
            if not chunk:
                return added
            self.bulk_create(
                [self.model(appeal_id=pk, words=pipeline.analyse(f"{t}{c}")) for pk, t, c in chunk],
                ignore_conflicts=True,
            )
            added += len(chunk)
            last = chunk[-1][0]
            if len(chunk) < batch:
                return added


class AppealText(models.Model):
    """The analysed words of an appeal (title + content), so indexes never re-run jieba. Filled in bulk by a
    periodic background job (``insights.tasks.analyse_new_appeals``), not at intake and not by readers."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, primary_key=True, related_name="analysed")
    words = models.TextField(blank=True)

    objects = AppealTextManager()

    class Meta:
        verbose_name = verbose_name_plural = "诉求分词"

    def __str__(self) -> str:
        return self.words[:50]


class AppealLink(models.Model):
    """A dispatcher's note that two appeals concern the same problem (without merging them)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="links_out")
    related = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="links_in")
    similarity = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "关联诉求"
        constraints = [models.UniqueConstraint(fields=["appeal", "related"], name="uniq_appeal_link")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ~ {self.related_id}"


class CommonIssue(models.Model):
    """共性问题: one problem raised by several enterprises, coordinated as one case and answered together."""

    class Status(models.TextChoices):
        OPEN = "open", "协调办理中"
        SOLVED = "solved", "已统一答复"

    title = models.CharField("问题概括", max_length=100)
    summary = models.TextField("问题描述", blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="lead_common_issues"
    )
    co_departments = models.ManyToManyField(Department, verbose_name="配合单位", blank=True, related_name="+")
    members = models.ManyToManyField(Appeal, verbose_name="涉及诉求", related_name="common_issues")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField("统一答复", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    solved_at = models.DateTimeField(null=True, blank=True)
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Set by ``services.confirm_common_issue`` on the issue it returns (not stored): members assigned, noted, linked.
    outcome: dict[str, int] | None = None

    class Meta:
        verbose_name = verbose_name_plural = "共性问题"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ReplyCheck(models.Model):
    """The quality check of one reply, kept so flagged replies can be reviewed by the head or the office.

    Written pending (no score) in the reply's transaction; the worker scores it after commit
    (``insights.tasks.score_reply``), so segmenting the text never runs under the appeal's row lock."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="reply_checks")
    event_id = models.BigIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField("得分", null=True, blank=True)  # None: 评分中
    relevance = models.FloatField("相关性", null=True, blank=True)
    flagged = models.BooleanField("需复核", default=False)
    reasons = models.JSONField("问题", default=list)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "答复质量检查"
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["flagged", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {'评分中' if self.pending else self.score}"

    @property
    def pending(self) -> bool:
        return self.score is None
