"""The case itself (R-CASE-1): its states and sources, the case row with its manager (scoped
by the case rules), the numbering counter, the base of every record of a case, and the parties."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.law.definitions import BEHAVIOUR_TYPES, RESULTS
from anxin.core import clock
from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import CountySchoolModel, Scope

GENESIS = "0" * 64
USER = settings.AUTH_USER_MODEL


class CaseState(models.TextChoices):
    """The main track of the workflow (GUIDE principle 2)."""

    REGISTERED = "registered", _("登记")
    STOPPED = "stopped", _("制止与初步处置")
    NOTIFYING = "notifying", _("家校互通")
    INVESTIGATING = "investigating", _("调查")
    DETERMINING = "determining", _("认定")
    HANDLING = "handling", _("处置")
    FOLLOW_UP = "follow_up", _("回访")
    CLOSED = "closed", _("结案")


STATE_ORDER = [s.value for s in CaseState]


class Source(models.TextChoices):
    """Where a case came from (R-CASE-1; R-RPT-3; LAW 17: every channel reaches the register)."""

    ANONYMOUS_REPORT = "anonymous_report", _("匿名举报")
    STAFF = "staff", _("教职工发现")
    PARENT = "parent", _("家长反映")
    MONITORING = "monitoring", _("视频监控与值守")
    POLICE = "police", _("公安机关通报")
    PUBLIC_OPINION = "public_opinion", _("舆情")
    HOTLINE = "hotline", _("欺凌防治电话（首问负责）")
    EMAIL = "email", _("欺凌防治邮箱（首问负责）")


# 首问负责制: cases taken by phone or e-mail name the person who took them.
FIRST_RESPONDER_SOURCES = {Source.HOTLINE, Source.EMAIL}

BehaviourType = models.TextChoices("BehaviourType", [(c, (c, lbl)) for c, lbl, _e, _s in BEHAVIOUR_TYPES])
Result = models.TextChoices("Result", [(c, (c, lbl)) for c, lbl, _b, _s in RESULTS])


class PartyRole(models.TextChoices):
    VICTIM = "victim", _("被欺凌学生")
    ALLEGED_BULLY = "alleged_bully", _("实施欺凌学生（被反映）")
    WITNESS = "witness", _("目击者")
    BYSTANDER = "bystander", _("旁观者")


class CaseQuerySet(models.QuerySet):
    """Cases are read through :meth:`restrict`, which ORs the standard scope with the
    party-based rules of ROLES.md (a class teacher sees cases of own students, a counsellor
    cases with a counselling duty, bureau staff cases reported to them, a legal vice-principal
    or liaison cases referred to them). The rules live in ``anxin.cases.permissions``."""

    def restrict(self, user, action: str = "view"):
        from anxin.cases.permissions import case_scope_q

        q = case_scope_q(user, action)
        if q is None:
            return self.none()
        return self.filter(q)


class CaseManager(models.Manager.from_queryset(CaseQuerySet)):
    pass


@audited(exclude=("created_at", "updated_at", "version", "timeline_seq", "timeline_hash"))
class BullyingCase(CountySchoolModel):
    """One incident (R-CASE-1). ``number`` reads like 贺兰一中-2026-0001. The case row also holds
    the head of its timeline (``timeline_seq``/``timeline_hash``), so an append locks one row
    and truncation is detectable. ``version`` rises with every action (optimistic check)."""

    number = models.CharField(_("案件编号"), max_length=60, unique=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    first_responder = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("首问负责人")
    )
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承办人")
    )
    discovered_at = models.DateTimeField(_("发现时间"))
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    behaviour_types = models.JSONField(_("行为类型"), default=list, blank=True)
    # the narrative and its place (often an anonymous report's own words) is encrypted at rest (LAW 20)
    place = EncryptedTextField(_("地点"), blank=True)
    summary = EncryptedTextField(_("简要情况"))
    cause = EncryptedTextField(_("起因"), blank=True)
    process = EncryptedTextField(_("经过"), blank=True)
    injuries = EncryptedTextField(_("伤情"), blank=True)
    state = models.CharField(
        _("阶段"), max_length=16, choices=CaseState.choices, default=CaseState.REGISTERED
    )
    result = models.CharField(_("认定结果"), max_length=10, choices=Result.choices, blank=True)
    is_bullying = models.BooleanField(_("构成欺凌"), null=True)
    is_public_opinion = models.BooleanField(_("舆情事件"), default=False)
    suspected_serious = models.BooleanField(_("初步研判情节严重"), default=False)
    # bureau-report track (LAW 7), kept on the case for the county register (台账)
    report_required = models.BooleanField(_("须向教体局报告"), default=False)
    report_due_at = models.DateTimeField(_("首报时限"), null=True, blank=True)
    first_reported_at = models.DateTimeField(_("首报时间"), null=True, blank=True)
    report_late = models.BooleanField(_("迟报"), default=False)
    police_reported_at = models.DateTimeField(_("报警时间"), null=True, blank=True)
    # links to the intake app (plain ids: the intake app is built at the same time)
    report_id = models.BigIntegerField(_("来源举报"), null=True, blank=True)
    concern_id = models.BigIntegerField(_("来源反映"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # R-Q-7: the county's legal parameters in force when the case was opened (None: the
    # deployment's defaults, the county had set none)
    legal_params = models.ForeignKey(
        "LegalParameterVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用的法定参数"),
    )
    close_kind = models.CharField(_("结案方式"), max_length=12, blank=True)
    close_reason = models.TextField(_("结案说明"), blank=True)
    version = models.PositiveIntegerField(default=1)
    timeline_seq = models.PositiveIntegerField(default=0)
    timeline_hash = models.CharField(max_length=64, default=GENESIS)

    objects = CaseManager()
    scope = Scope()

    class Meta:
        verbose_name = _("欺凌事件")
        verbose_name_plural = _("欺凌事件台账")
        ordering = ["-discovered_at", "-id"]
        indexes = [
            # the county register (台账) and a school's register, newest first
            models.Index(fields=["county", "-discovered_at", "-id"], name="case_county_disc_idx"),
            models.Index(fields=["school", "-discovered_at", "-id"], name="case_school_disc_idx"),
            # filters by stage, and the reminder sweep over open cases
            models.Index(fields=["county", "state"], name="case_county_state_idx"),
            # required reports not yet sent, by county and deadline: the reminder sweep, 首报 and
            # 迟报 duties on 工作台, the dashboards' unrecorded 迟报 (only these rows are indexed)
            models.Index(
                fields=["county", "report_due_at"],
                condition=models.Q(report_required=True, first_reported_at__isnull=True),
                name="case_unreported_idx",
            ),
            # reports sent: the dashboards' 发现至首报用时 over a county's (and a date range's)
            # reported cases, read from the index alone on PostgreSQL (INCLUDE)
            models.Index(
                fields=["county", "discovered_at"],
                condition=models.Q(report_required=True, first_reported_at__isnull=False),
                include=["first_reported_at"],
                name="case_reported_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def behaviour_labels(self) -> list[str]:
        labels = dict((c, lbl) for c, lbl, _e, _s in BEHAVIOUR_TYPES)
        return [labels.get(c, c) for c in self.behaviour_types or []]

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    @property
    def is_late_now(self) -> bool:
        """迟报 (LAW 7): the first report came late, or is due and still missing."""
        if self.report_late:
            return True
        return bool(
            self.report_required
            and self.first_reported_at is None
            and self.report_due_at is not None
            and clock.now() > self.report_due_at
        )


class CaseCounter(models.Model):
    """The last case number given per school and year (locked while numbering). Carries the
    school's county like every table of school data (GUIDE principle 7)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="case_counter_unique")]


class CaseChild(CountySchoolModel):
    """Base for the records of a case: the case's keys, read with the case's rights."""

    policy_resource = "cases.bullyingcase"

    class Meta:
        abstract = True


@audited(masked=("outsider_name",))
class CaseParty(CaseChild):
    """A person involved (R-CASE-1): a student of any school of the county, or an outsider
    (a student elsewhere, a young person not in school) named in free text."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(_("身份"), max_length=16, choices=PartyRole.choices)
    student = models.ForeignKey(
        "roster.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("学生"),
    )
    outsider_name = models.CharField(_("校外人员"), max_length=50, blank=True)
    outsider_note = models.CharField(_("校外人员说明"), max_length=120, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "student", "role"],
                condition=models.Q(student__isnull=False),
                name="case_party_student_role_unique",
            ),
        ]
        indexes = [
            # a class teacher's cases: parties by student (CaseQuerySet.restrict)
            models.Index(fields=["student", "case"], name="case_party_student_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    @property
    def name(self) -> str:
        return self.student.name if self.student_id else self.outsider_name

    @property
    def is_student(self) -> bool:
        return self.student_id is not None

    @property
    def side(self) -> str | None:
        """ "victim" or "bully" for the two sides whose guardians must be told (LAW 5)."""
        if self.role == PartyRole.VICTIM:
            return "victim"
        if self.role == PartyRole.ALLEGED_BULLY:
            return "bully"
        return None
