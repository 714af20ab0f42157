"""Rollups: case counts kept per school and month so county and province dashboards add up a
few thousand rows instead of counting every case (issue 13, GUIDE principle 7).

A bucket is one school's cases discovered in one (Beijing-time) month. Any change to a case
(or its seal) marks its bucket dirty in the same transaction (:class:`RollupDirty`); once the
transaction commits, a task recounts the bucket and clears the marks it read; each night every
bucket is rebuilt. Readers take the rollup rows of clean buckets and count dirty buckets live, so a
figure read from rollups always equals the count over the cases (``anxin.dashboards.rollups``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseAttributes(models.Model):
    """The attributes a case count is kept by, and the count (CaseCount per school,
    CountyCaseCount per county)."""

    figures_untracked = True  # derived from the cases: no data version (core.listing.track)

    county_id = models.BigIntegerField(_("县区"))
    month = models.DateField(_("月份"))  # the first day of the month the case was discovered in
    result = models.CharField(_("认定结果"), max_length=10, blank=True)
    open = models.BooleanField(_("办理中"))
    sealed = models.BooleanField(_("已封存"))
    required = models.BooleanField(_("须向教体局报告"))
    reported = models.BooleanField(_("已首报"))
    late = models.BooleanField(_("迟报"))  # the case's recorded 迟报 (report_late)
    n = models.PositiveIntegerField(_("件数"))

    class Meta:
        abstract = True


class TypeAttributes(models.Model):
    """The behaviour type a count is kept by (CaseTypeCount per school, CountyTypeCount per
    county): a case with several types counts once under each."""

    figures_untracked = True

    county_id = models.BigIntegerField(_("县区"))
    month = models.DateField(_("月份"))
    sealed = models.BooleanField(_("已封存"))
    behaviour = models.CharField(_("行为类型"), max_length=20)
    n = models.PositiveIntegerField(_("件数"))

    class Meta:
        abstract = True


class CaseCount(CaseAttributes):
    """How many cases of one bucket share these attributes."""

    school_id = models.BigIntegerField(_("学校"))

    class Meta:
        verbose_name = _("事件计数（按校按月）")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["school_id", "month", "result", "open", "sealed", "required", "reported", "late"],
                name="rollup_case_one_row",
            )
        ]
        indexes = [
            models.Index(fields=["county_id", "month"], name="rollup_case_county_month"),
            models.Index(fields=["school_id", "month"], name="rollup_case_school_month"),
        ]


class CaseTypeCount(TypeAttributes):
    """How many cases of one bucket have this behaviour type (a case may have several)."""

    school_id = models.BigIntegerField(_("学校"))

    class Meta:
        verbose_name = _("事件计数（按行为类型）")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["school_id", "month", "sealed", "behaviour"], name="rollup_type_one_row"
            )
        ]
        indexes = [
            models.Index(fields=["county_id", "month"], name="rollup_type_county_month"),
            models.Index(fields=["school_id", "month"], name="rollup_type_school_month"),
        ]


class CountyCaseCount(CaseAttributes):
    """CaseCount's rows of one county and month summed over its schools, written in the same
    transaction as them (rollups.refresh / rebuild), so they always equal that sum: a region's
    overview adds up a few rows per county instead of a few per school (issue 13: province
    overview ≤ 100 ms)."""

    class Meta:
        verbose_name = _("事件计数（按县按月）")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["county_id", "month", "result", "open", "sealed", "required", "reported", "late"],
                name="rollup_county_one_row",
            )
        ]


class CountyTypeCount(TypeAttributes):
    """CaseTypeCount's rows of one county and month summed over its schools (as CountyCaseCount)."""

    class Meta:
        verbose_name = _("事件计数（按县按行为类型）")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["county_id", "month", "sealed", "behaviour"], name="rollup_county_type_one_row"
            )
        ]


class RollupDirty(models.Model):
    """A mark: a change to a bucket's cases the rollup rows may not hold yet. Written in the
    changing transaction (so it shows exactly when the change does), deleted by the recount
    that read the cases after it."""

    figures_untracked = True

    county_id = models.BigIntegerField(_("县区"))
    school_id = models.BigIntegerField(_("学校"))
    month = models.DateField(_("月份"))

    class Meta:
        verbose_name = _("待重算的计数")
        verbose_name_plural = verbose_name
        indexes = [
            models.Index(fields=["county_id", "month"], name="rollup_dirty_county_month"),
            models.Index(fields=["school_id", "month"], name="rollup_dirty_school_month"),
        ]
