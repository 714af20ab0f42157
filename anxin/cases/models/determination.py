"""The school's 学生欺凌治理委员会 and its members (LAW 3, 4), and determinations (LAW 1–5, 8)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER, BullyingCase, CaseChild, CaseParty, Result
from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel


class MemberKind(models.TextChoices):
    PRINCIPAL = "principal", _("校长（主任）")
    STAFF = "staff", _("教职工代表")
    PARENT = "parent", _("家长代表")
    OUTSIDE = "outside", _("校外专业人员（法治副校长、社区、专家等）")
    STUDENT = "student", _("学生代表")


@audited()
class Committee(CountySchoolModel):
    """A school's 学生欺凌治理委员会 (SPR; P2017): only its recorded decision finds bullying or
    not (LAW 3), and only when constituted (LAW 4)."""

    name = models.CharField(_("名称"), max_length=60, default="学生欺凌治理委员会")
    established_on = models.DateField(_("成立日期"))

    class Meta:
        verbose_name = _("学生欺凌治理委员会")
        verbose_name_plural = _("学生欺凌治理委员会")
        constraints = [models.UniqueConstraint(fields=["school"], name="committee_one_per_school")]

    def __str__(self) -> str:
        return self.name


@audited(masked=("name",))
class CommitteeMember(CountySchoolModel):
    """A member of the committee; leaving sets ``left_on`` (never deleted)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="members")
    kind = models.CharField(_("类别"), max_length=10, choices=MemberKind.choices)
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务或单位"), max_length=80, blank=True)
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("账号")
    )
    is_chair = models.BooleanField(_("主任"), default=False)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    policy_resource = "cases.committee"

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["committee", "-is_chair", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def active(self) -> bool:
        return self.left_on is None


class DeterminationSource(models.TextChoices):
    COMMITTEE = "committee", _("学生欺凌治理委员会认定")
    DIRECT = "direct", _("学校直接处理（玩笑打闹、一般纠纷）")
    SCHOOL_APPEAL = "school_appeal", _("学生申诉委员会申诉决定")
    COUNTY_REVIEW = "county_review", _("县级复查决定")
    CITY_REVIEW = "city_review", _("市级复核决定")


@audited()
class Determination(CaseChild):
    """A determination (R-CASE-4; LAW 2–5). Appended, never edited: a later one (a
    re-determination or an appeal outcome) supersedes the earlier one and both stay (LAW 8)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="determinations")
    seq = models.PositiveSmallIntegerField(_("序号"))
    source = models.CharField(
        _("依据"), max_length=16, choices=DeterminationSource.choices, default=DeterminationSource.COMMITTEE
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meeting_at = models.DateTimeField(_("会议时间"), null=True, blank=True)
    meeting_place = models.CharField(_("会议地点"), max_length=100, blank=True)
    record = models.TextField(_("会议记录"), blank=True)
    members_present = models.ManyToManyField(
        CommitteeMember,
        blank=True,
        related_name="+",
        through="DeterminationMember",
        verbose_name=_("出席委员"),
    )
    votes_for = models.PositiveSmallIntegerField(_("赞成票"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("反对票"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("弃权票"), default=0)
    result = models.CharField(_("认定结果"), max_length=10, choices=Result.choices)
    # LAW 2 — the elements of a finding (UPL 130; SPR 21)
    between_students = models.BooleanField(_("发生在学生之间"), default=False)
    deliberate = models.BooleanField(_("蓄意或者恶意"), default=False)
    means = models.CharField(_("手段"), max_length=200, blank=True)
    harm_types = models.JSONField(_("损害类型"), default=list, blank=True)
    advantage_bases = models.JSONField(_("优势依据"), default=list, blank=True)
    advantage_note = models.CharField(_("优势说明"), max_length=200, blank=True)
    bullies = models.ManyToManyField(
        CaseParty,
        blank=True,
        related_name="+",
        through="DeterminationBully",
        verbose_name=_("认定实施欺凌的学生"),
    )
    reason = models.TextField(_("变更理由"), blank=True)
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    appeal = models.ForeignKey("Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("认定")
        verbose_name_plural = _("认定")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="determination_case_seq_unique")]

    @property
    def is_bullying(self) -> bool:
        from anxin.cases.law.definitions import BULLYING_RESULTS

        return self.result in BULLYING_RESULTS


# The join tables of a determination carry the case's county and school keys like every table of
# school data (GUIDE principle 7). Rows come from ``.set(..., through_defaults=keys_of(det))``.


class DeterminationMember(models.Model):
    """A committee member present at the meeting of a determination (``members_present``)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    determination = models.ForeignKey(Determination, on_delete=models.CASCADE, related_name="+")
    committeemember = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "cases_determination_members_present"  # the table of the former implicit join
        verbose_name = _("出席委员")
        unique_together = [("determination", "committeemember")]


class DeterminationBully(models.Model):
    """A party a determination found to have bullied (``bullies``)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    determination = models.ForeignKey(Determination, on_delete=models.CASCADE, related_name="+")
    caseparty = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "cases_determination_bullies"  # the table of the former implicit join
        verbose_name = _("认定实施欺凌的学生")
        unique_together = [("determination", "caseparty")]
