"""Screening rounds (R-SCR-1): county rounds, school rounds and each student's record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager

# --- screening rounds (R-SCR-1) ----------------------------------------------------------------


@audited()
class CountyRound(models.Model):
    """A screening round the bureau opens for every school of the county at once (集中开展排查摸底);
    it opens one :class:`ScreeningRound` per school."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    title = models.CharField(_("名称"), max_length=80)
    deadline = models.DateField(_("截止日期"))
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("全县排查")
        verbose_name_plural = _("全县排查")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


@audited()
class ScreeningRound(CountySchoolModel):
    """A school's screening round (排查) with a deadline. It is complete only when every
    enrolled student has a record, or a recorded reason why not (R-SCR-1)."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        COMPLETED = "completed", _("已完成")

    county_round = models.ForeignKey(
        CountyRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("全县排查"),
    )
    title = models.CharField(_("名称"), max_length=80)
    opened_on = models.DateField(_("开始日期"), default=timezone.localdate)
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认完成人"),
    )

    # class teachers see their school's rounds (to open their class page)
    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("排查轮次")
        verbose_name_plural = _("排查轮次")
        ordering = ["-opened_on", "-id"]
        constraints = [
            # one round per school per county round (the bureau's "open for all" is idempotent)
            models.UniqueConstraint(
                fields=["county_round", "school"],
                condition=Q(county_round__isnull=False),
                name="screening_round_county_school_unique",
            )
        ]
        indexes = [
            # a school's rounds, newest first; the engine's "latest round" per school
            models.Index(fields=["school", "-opened_on"], name="scr_round_school_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Psych(models.TextChoices):
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    CONCERN = "concern", _("需关注")
    ABNORMAL = "abnormal", _("异常")


class Mood(models.TextChoices):
    STABLE = "stable", _("稳定")
    FLUCTUATING = "fluctuating", _("有波动")
    LOW = "low", _("低落")
    ANXIOUS = "anxious", _("焦虑易怒")


class Peers(models.TextChoices):
    HARMONIOUS = "harmonious", _("融洽")
    ORDINARY = "ordinary", _("一般")
    TENSE = "tense", _("紧张")
    ISOLATED = "isolated", _("被孤立")


@audited(masked=("note", "missing_reason"))
class ScreeningRecord(CountySchoolModel):
    """One student's record in a round: 心理状况, 思想情绪, 同学关系, whether the family was
    contacted (与家长进行深入沟通交流) and any 苗头迹象 seen (seed 二(一)). A record with a
    ``missing_reason`` says why the student could not be screened (long sick leave …)."""

    round = models.ForeignKey(
        ScreeningRound, on_delete=models.CASCADE, related_name="records", verbose_name=_("排查轮次")
    )
    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    psych = models.CharField(_("心理状况"), max_length=10, choices=Psych.choices, blank=True)
    mood = models.CharField(_("情绪"), max_length=12, choices=Mood.choices, blank=True)
    peers = models.CharField(_("同学关系"), max_length=12, choices=Peers.choices, blank=True)
    family_contacted = models.BooleanField(_("已与家长沟通"), default=False)
    signs_seen = models.BooleanField(_("发现苗头迹象"), default=False)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    missing_reason = models.CharField(_("未能排查原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    scope = Scope(klass="klass_id")

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        ordering = ["round", "klass", "student"]
        constraints = [
            models.UniqueConstraint(fields=["round", "student"], name="screening_record_once"),
        ]
        indexes = [
            # the class screening page and coverage per class
            models.Index(fields=["round", "klass"], name="scr_record_round_class_idx"),
            # the risk engine: a student's latest record
            models.Index(fields=["student", "-round"], name="scr_record_student_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.student_id}"

    @property
    def screened(self) -> bool:
        return not self.missing_reason
