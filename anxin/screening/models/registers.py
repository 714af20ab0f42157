"""Registers (R-SCR-2, R-SCR-3): vulnerable students by category, the bullying-tendency register
and its reviews."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager

# --- registers (R-SCR-2, R-SCR-3) ----------------------------------------------------------------


class RosterFlag(models.TextChoices):
    NONE = "", _("无（人工登记）")
    LEFT_BEHIND = "left_behind", _("名册：留守儿童")
    MIGRANT = "migrant", _("名册：进城务工人员随迁子女")
    ORPHAN = "orphan", _("名册：孤儿")
    NEEDS_AID = "needs_aid", _("名册：需要申请资助")


@audited()
class VulnerabilityCategory(models.Model):
    """A category of the 弱势学生 register (R-SCR-2). The seed's three (留守儿童, 性格内向,
    家境困难) and configurable others; a category may be filled from a roster flag."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=30)
    builtin = models.BooleanField(_("方案规定类别"), default=False)
    roster_flag = models.CharField(_("来自名册字段"), max_length=12, choices=RosterFlag.choices, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = ScopedManager()
    # county reference data: every school post that may register 弱势学生 must be able to name a
    # category, on the page and in the API alike
    scope = Scope(county="county_id", school=None, county_wide=True)

    class Meta:
        verbose_name = _("弱势类别")
        verbose_name_plural = _("弱势类别")
        ordering = ["county", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="vuln_category_code_unique")]

    def __str__(self) -> str:
        return self.name


class EntrySource(models.TextChoices):
    MANUAL = "manual", _("人工登记")
    ROSTER = "roster", _("学生名册")
    CASE = "case", _("欺凌事件")
    SCREENING = "screening", _("排查")


@audited()
class VulnerabilityEntry(CountySchoolModel):
    """A student in the 弱势学生 register under one category. Ending an entry keeps it."""

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    category = models.ForeignKey(
        VulnerabilityCategory, on_delete=models.PROTECT, related_name="entries", verbose_name=_("类别")
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=EntrySource.choices, default=EntrySource.MANUAL
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    started_on = models.DateField(_("登记日期"), default=timezone.localdate)
    ended_on = models.DateField(_("移出日期"), null=True, blank=True)
    end_reason = models.CharField(_("移出原因"), max_length=200, blank=True)

    scope = Scope(klass="student__klass_id")

    class Meta:
        verbose_name = _("弱势学生登记")
        verbose_name_plural = _("弱势学生台账")
        ordering = ["school", "student", "category__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "category"],
                condition=Q(ended_on__isnull=True),
                name="vuln_entry_active_unique",
            )
        ]
        indexes = [
            # county counts by school and category; the register of a school
            models.Index(fields=["school", "category", "ended_on"], name="scr_vuln_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.student_id}"


@audited()
class TendencyEntry(CountySchoolModel):
    """A student in the bullying-tendency register (欺凌者或有欺凌他人倾向学生, R-SCR-3), with
    the grounds and the next review date. Confirmed cases add entries automatically."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("重点盯防")
        CLOSED = "closed", _("已移出")

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    grounds = models.TextField(_("列入依据"), max_length=2000)
    source = models.CharField(
        _("来源"), max_length=10, choices=EntrySource.choices, default=EntrySource.MANUAL
    )
    case_ids = models.JSONField(_("相关事件"), default=list, blank=True)
    added_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    added_on = models.DateField(_("列入日期"), default=timezone.localdate)
    review_due = models.DateField(_("下次复核日期"))
    last_reviewed_on = models.DateField(_("上次复核日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("移出日期"), null=True, blank=True)
    closed_reason = models.CharField(_("移出理由"), max_length=300, blank=True)

    scope = Scope(klass="student__klass_id")

    class Meta:
        verbose_name = _("欺凌倾向学生")
        verbose_name_plural = _("欺凌倾向台账")
        ordering = ["status", "review_due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=Q(status="active"), name="tendency_entry_active_unique"
            )
        ]
        indexes = [models.Index(fields=["school", "status", "review_due"], name="scr_tendency_school_idx")]

    def __str__(self) -> str:
        return f"{_('欺凌倾向')} · {self.student_id}"

    @property
    def review_overdue(self) -> bool:
        from anxin.core import clock

        return self.status == self.Status.ACTIVE and self.review_due < clock.today()


@audited()
class TendencyReview(CountySchoolModel):
    """A periodic review of a tendency-register entry (定期复核)."""

    class Outcome(models.TextChoices):
        KEEP = "keep", _("继续盯防")
        CLOSE = "close", _("移出台账")

    entry = models.ForeignKey(
        TendencyEntry, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("台账条目")
    )
    reviewed_on = models.DateField(_("复核日期"), default=timezone.localdate)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("复核人")
    )
    outcome = models.CharField(_("复核结论"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("复核情况"), max_length=1000)
    next_review = models.DateField(_("下次复核日期"), null=True, blank=True)

    scope = Scope(klass="entry__student__klass_id")
    policy_resource = "screening.tendencyentry"

    class Meta:
        verbose_name = _("倾向复核")
        verbose_name_plural = _("倾向复核")
        ordering = ["entry", "-reviewed_on", "-id"]
