"""Incident cases (SPEC §6, R-CASE-1…10; LAW rules 1–17).

A :class:`BullyingCase` moves through an explicit state machine (``anxin.cases.workflow``);
everything recorded about it is a row of its own table, and every action appends a
hash-chained :class:`CaseEvent` to the case's own stream (R-CASE-10; LAW 8). State changes
only through ``anxin.cases.services``. Rows are never deleted (``on_delete=PROTECT``
everywhere); corrections are new events that point at what they correct.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.law.definitions import BEHAVIOUR_TYPES, RESULTS
from anxin.core import clock
from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import CountySchoolModel, Scope, ScopedManager

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
            # the sweep: required reports not yet sent
            models.Index(fields=["report_required", "first_reported_at"], name="case_report_due_idx"),
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
    """The last case number given per school and year (locked while numbering)."""

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


class NoticeMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    FACE = "face", _("当面")
    VISIT = "visit", _("家访")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    LETTER = "letter", _("书面通知")


class NoticePurpose(models.TextChoices):
    INITIAL = "initial", _("家校互通（事发通知）")
    DETERMINATION = "determination", _("认定结果告知")
    PRIOR = "prior", _("严重教育惩戒事先告知")
    OUTCOME = "outcome", _("处理决定告知")


@audited(masked=("guardian_name",))
class GuardianNotice(CaseChild):
    """A guardian told (R-CASE-2, LAW 5, 10, 11): who told them, how, when, and whether they
    took part."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="notices")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="notices", verbose_name=_("当事学生")
    )
    purpose = models.CharField(_("事项"), max_length=16, choices=NoticePurpose.choices)
    guardian = models.ForeignKey(
        "roster.Guardian",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("监护人"),
    )
    guardian_name = models.CharField(_("监护人（名册外）"), max_length=50, blank=True)
    notified_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("通知人")
    )
    method = models.CharField(_("方式"), max_length=10, choices=NoticeMethod.choices)
    notified_at = models.DateTimeField(_("通知时间"))
    participated = models.BooleanField(_("已参与处理"), default=False)
    participation = models.CharField(_("参与情况"), max_length=200, blank=True)
    measure = models.ForeignKey(
        "Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("惩戒措施"),
    )

    class Meta:
        verbose_name = _("家长通知")
        verbose_name_plural = _("家长通知")
        ordering = ["case_id", "notified_at", "id"]


class ImmediateKind(models.TextChoices):
    STOP = "stop", _("当场制止")
    SEPARATE = "separate", _("隔离双方")
    MEDICAL = "medical", _("救治、送医")
    POLICE = "police", _("报警")
    EVIDENCE = "evidence", _("证据保全")
    COMFORT = "comfort", _("心理疏导、安抚")
    OTHER = "other", _("其他")


@audited()
class ImmediateMeasure(CaseChild):
    """What was done at once (R-CASE-2: 主动予以制止，并采取相应处置措施)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="immediate_measures")
    kind = models.CharField(_("措施"), max_length=10, choices=ImmediateKind.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    taken_at = models.DateTimeField(_("时间"))
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("采取人"))

    class Meta:
        verbose_name = _("制止与初步处置")
        verbose_name_plural = _("制止与初步处置")
        ordering = ["case_id", "taken_at", "id"]


@audited()
class Investigation(CaseChild):
    """The investigation (R-CASE-3; LAW 6): the five facts the seed requires, due
    ``INVESTIGATION_DAYS`` after it starts."""

    case = models.OneToOneField(BullyingCase, on_delete=models.PROTECT, related_name="investigation")
    investigator = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("调查负责人")
    )
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("调查时限"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    fact_time = models.TextField(_("时间"), blank=True)
    fact_place = models.TextField(_("地点"), blank=True)
    fact_cause = models.TextField(_("起因"), blank=True)
    fact_process = models.TextField(_("过程"), blank=True)
    fact_people = models.TextField(_("涉及人员"), blank=True)
    findings = models.TextField(_("调查结论"), blank=True)

    FACTS = ("fact_time", "fact_place", "fact_cause", "fact_process", "fact_people")

    class Meta:
        verbose_name = _("调查")
        verbose_name_plural = _("调查")
        indexes = [models.Index(fields=["finished_at", "due_at"], name="case_investigation_due_idx")]

    @property
    def missing_facts(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FACTS if not getattr(self, f).strip()]


class SpeakerKind(models.TextChoices):
    PARTY = "party", _("当事学生")
    WITNESS = "witness", _("目击学生")
    STAFF = "staff", _("教职工")
    GUARDIAN = "guardian", _("家长")
    OTHER = "other", _("其他")


@audited(masked=("content",))
class Statement(CaseChild):
    """A statement taken in the investigation (R-CASE-3)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="statements")
    party = models.ForeignKey(
        CaseParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("当事人"),
    )
    speaker_kind = models.CharField(_("陈述人类别"), max_length=10, choices=SpeakerKind.choices)
    speaker = models.CharField(_("陈述人说明"), max_length=60, blank=True)
    content = models.TextField(_("陈述内容"))
    taken_at = models.DateTimeField(_("询问时间"))
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("询问笔录")
        verbose_name_plural = _("询问笔录")
        ordering = ["case_id", "taken_at", "id"]


def evidence_path(instance, filename: str) -> str:
    # No personal data in paths: the case id and a content hash only.
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"cases/{instance.case_id}/{instance.sha256[:32]}.{ext}"


@audited(exclude=("created_at", "updated_at", "file"))
class Evidence(CaseChild):
    """An evidence file, its type checked by content (R-Q-4)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["case_id", "id"]


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
        CommitteeMember, blank=True, related_name="+", verbose_name=_("出席委员")
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
        CaseParty, blank=True, related_name="+", verbose_name=_("认定实施欺凌的学生")
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


class MeasureState(models.TextChoices):
    PROPOSED = "proposed", _("拟作出（待告知、陈述申辩）")
    EFFECTIVE = "effective", _("已生效")
    DONE = "done", _("已执行")
    REVOKED = "revoked", _("已撤销")


@audited()
class Measure(CaseChild):
    """A measure for one student, from the catalogue (R-CASE-5; LAW 10–13, 15). Art 10
    measures and sanctions stay 拟作出 until guardians were told in advance and the student's
    陈述申辩 (and a 听证 if requested) is recorded."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="measures")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="measures", verbose_name=_("学生")
    )
    item_code = models.CharField(_("措施"), max_length=24)
    level = models.CharField(_("级别"), max_length=12)
    article = models.CharField(_("依据"), max_length=60)
    decider = models.CharField(_("决定主体"), max_length=10)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"))
    description = models.CharField(_("具体内容"), max_length=300, blank=True)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("执行责任人")
    )
    owner_unit = models.CharField(_("执行单位"), max_length=80, blank=True)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    suspension_days = models.PositiveSmallIntegerField(_("停课停学天数"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=MeasureState.choices)
    defence_at = models.DateTimeField(_("陈述申辩时间"), null=True, blank=True)
    defence_record = models.TextField(_("陈述申辩记录"), blank=True)
    hearing_requested = models.BooleanField(_("申请听证"), default=False)
    hearing_at = models.DateTimeField(_("听证时间"), null=True, blank=True)
    hearing_record = models.TextField(_("听证记录"), blank=True)
    revoked_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        verbose_name = _("处置措施")
        verbose_name_plural = _("处置措施")
        ordering = ["case_id", "party_id", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="case_measure_due_idx")]

    @property
    def item(self):
        from anxin.cases.law.catalogue import item

        return item(self.item_code)

    @property
    def label(self) -> str:
        it = self.item
        return it.label if it else self.item_code


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请，待教育行政部门决定")
    APPROVED = "approved", _("同意转入专门学校")
    REJECTED = "rejected", _("不同意")


@audited()
class SpecialSchoolApplication(CaseChild):
    """An application for 专门学校 (PJDL Arts 43–47; LAW 16): the school only applies; the
    bureau decides after the 专门教育指导委员会 assessment; the student's 学籍 stays."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="special_applications")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="+", verbose_name=_("学生"))
    applied_at = models.DateTimeField(_("申请时间"))
    applied_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    reasons = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    assessment = models.TextField(_("专门教育指导委员会评估意见"), blank=True)
    assessed_on = models.DateField(_("评估日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_no = models.CharField(_("决定文号"), max_length=60, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )
    decision_note = models.TextField(_("决定说明"), blank=True)

    class Meta:
        verbose_name = _("专门学校申请")
        verbose_name_plural = _("专门学校申请")
        ordering = ["case_id", "id"]


class SupportKind(models.TextChoices):
    VICTIM_COUNSELLING = "victim_counselling", _("被欺凌学生心理辅导")
    BULLY_COUNSELLING = "bully_counselling", _("实施欺凌学生心理辅导")
    SUPERVISION_PLAN = "supervision_plan", _("实施欺凌学生加强管教（监督计划）")
    FAMILY_GUIDANCE = "family_guidance", _("家庭教育指导")


COUNSELLING_KINDS = (SupportKind.VICTIM_COUNSELLING, SupportKind.BULLY_COUNSELLING)


@audited(masked=("notes",))
class SupportAction(CaseChild):
    """A support obligation of any bullying (R-CASE-6; UPL 39; LAW 9), planned when bullying
    is found and done later. Counselling notes are encrypted (LAW 20) and shown only to the
    counsellor and the safety leader."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="support_actions")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="support_actions", verbose_name=_("学生")
    )
    kind = models.CharField(_("事项"), max_length=20, choices=SupportKind.choices)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    provider = models.CharField(_("实施人"), max_length=60, blank=True)
    summary = models.CharField(_("概况"), max_length=300, blank=True)
    notes = EncryptedTextField(_("辅导记录"), blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("辅导与教育指导")
        verbose_name_plural = _("辅导与教育指导")
        ordering = ["case_id", "party_id", "kind", "id"]


class ReportKind(models.TextChoices):
    FIRST = "first", _("首报")
    FOLLOW = "follow", _("续报")
    FINAL = "final", _("终报")


# The contents the seed requires (二(四)) and FORMATS.md adds, in document order.
REPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("occurred_text", "时间"),
    ("place", "地点"),
    ("cause", "起因"),
    ("process", "过程"),
    ("people", "涉及人员"),
    ("injuries", "伤情"),
    ("findings", "调查情况"),
    ("measures_taken", "已采取的措施"),
    ("next_steps", "下一步工作"),
    ("determination_text", "认定结果"),
    ("handling_text", "处理和惩戒情况"),
    ("aftercare_text", "心理辅导与回访"),
    ("rectification_text", "整改措施"),
    ("contact", "联系人及电话"),
    ("signer", "签发人"),
)
ACK_FIELDS = frozenset({"acknowledged_at", "acknowledged_by", "ack_note", "updated_at"})


@audited(masked=("annex",))
class BureauReport(CaseChild):
    """A report to the county bureau (R-CASE-7; LAW 7): 首报, 续报 or 终报. Submitting freezes
    it; a change goes out as a 续报 whose ``diff`` shows what changed against the previous
    report. Names of students appear only in the annex (FORMATS.md)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="bureau_reports")
    kind = models.CharField(_("类别"), max_length=8, choices=ReportKind.choices)
    seq = models.PositiveSmallIntegerField(_("序号"), default=1)
    occurred_text = models.TextField(_("时间"), blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    # the narrative is encrypted at rest like the case's (LAW 20); ``diff`` keeps sealed values
    cause = EncryptedTextField(_("起因"), blank=True)
    process = EncryptedTextField(_("过程"), blank=True)
    people = EncryptedTextField(
        _("涉及人员"), blank=True, help_text=_("按年级、班级、身份和人数写，不写姓名（姓名列入附件）")
    )
    injuries = EncryptedTextField(_("伤情"), blank=True)
    findings = EncryptedTextField(_("调查情况"), blank=True)
    measures_taken = EncryptedTextField(_("已采取的措施"), blank=True)
    next_steps = EncryptedTextField(_("下一步工作"), blank=True)
    determination_text = EncryptedTextField(_("认定结果"), blank=True)
    handling_text = EncryptedTextField(_("处理和惩戒情况"), blank=True)
    aftercare_text = EncryptedTextField(_("心理辅导与回访"), blank=True)
    rectification_text = EncryptedTextField(_("整改措施"), blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=80, blank=True)
    signer = models.CharField(_("签发人"), max_length=30, blank=True)
    annex = models.JSONField(_("附件：涉及学生名单"), default=list, blank=True)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    diff = models.JSONField(_("变化情况"), default=list, blank=True)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("报送人")
    )
    is_late = models.BooleanField(_("迟报"), default=False)
    acknowledged_at = models.DateTimeField(_("教体局签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("签收人")
    )
    ack_note = models.CharField(_("签收意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("向教体局报告")
        verbose_name_plural = _("向教体局报告")
        ordering = ["case_id", "id"]
        indexes = [
            # the bureau's inbox: submitted, not yet acknowledged
            models.Index(fields=["county", "acknowledged_at", "submitted_at"], name="case_report_inbox_idx"),
        ]

    @property
    def diff_shown(self) -> list[dict]:
        """``diff`` with its sealed (encrypted) values opened, for the page, the API and the
        document."""
        from anxin.core.crypto import open_sealed

        return [
            {**d, "before": open_sealed(d.get("before")), "after": open_sealed(d.get("after"))}
            for d in self.diff or []
        ]

    @property
    def title_suffix(self) -> str:
        if self.kind == ReportKind.FOLLOW:
            return "续报" + _cn_number(self.seq)
        return self.get_kind_display()

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def save(self, *args, **kwargs):
        # Submitted reports are frozen (R-CASE-7): only the bureau's acknowledgement may follow.
        if self.pk and not self._state.adding:
            stored = (
                type(self)._base_manager.filter(pk=self.pk).values_list("submitted_at", flat=True).first()
            )
            fields = kwargs.get("update_fields")
            if stored is not None and (fields is None or not set(fields) <= ACK_FIELDS):
                raise ValidationError(_("已报送的报告不能修改；情况有变化请提交续报。"))
        super().save(*args, **kwargs)


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


@audited()
class PoliceReport(CaseChild):
    """The report to the police (LAW 7): receiving unit, time, outcome."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="police_reports")
    unit = models.CharField(_("接报单位"), max_length=80)
    reported_at = models.DateTimeField(_("报告时间"))
    method = models.CharField(_("报告方式"), max_length=40, blank=True)
    receipt_no = models.CharField(_("接报回执号"), max_length=60, blank=True)
    reported_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    outcome = models.TextField(_("处理结果"), blank=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("向公安机关报告")
        verbose_name_plural = _("向公安机关报告")
        ordering = ["case_id", "reported_at"]


@audited()
class CaseReferral(CaseChild):
    """A case referred to a legal vice-principal or a police/procuratorate/court liaison
    (ROLES.md: they read only what is referred to them)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="referrals")
    to_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("移交给"))
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    purpose = models.CharField(_("移交事项"), max_length=200)
    referred_at = models.DateTimeField(_("移交时间"))
    referred_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("移交人")
    )
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("移交")
        verbose_name_plural = _("移交")
        ordering = ["case_id", "referred_at"]
        indexes = [models.Index(fields=["to_user", "case"], name="case_referral_user_idx")]


class AppealKind(models.TextChoices):
    SCHOOL_APPEAL = "school_appeal", _("申诉（学校学生申诉委员会）")
    AUTHORITY_REVIEW = "authority_review", _("复核（教育行政部门，惩戒规则第十八条）")
    COUNTY_REVIEW = "county_review", _("复查（县防治学生欺凌工作部门）")
    CITY_REVIEW = "city_review", _("复核（市级）")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持")
    CHANGED = "changed", _("变更")
    REVOKED = "revoked", _("撤销")


@audited()
class Appeal(CaseChild):
    """An appeal or review (R-CASE-8; LAW 14). An outcome that changes the determination is
    a new :class:`Determination`, never an edit."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("类别"), max_length=16, choices=AppealKind.choices)
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="+", verbose_name=_("学生"))
    appellant = models.CharField(_("申请人"), max_length=60, help_text=_("学生本人或其监护人"))
    filed_on = models.DateField(_("申请日期"))
    notified_on = models.DateField(_("决定告知日期"))
    window_ends = models.DateField(_("申请期限"))
    due_on = models.DateField(_("决定期限"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申诉的措施"),
    )
    determination = models.ForeignKey(
        Determination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请复查的认定"),
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grounds = models.TextField(_("理由"))
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=AppealOutcome.choices, blank=True)
    outcome_text = models.TextField(_("决定内容"), blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("申诉与复查")
        verbose_name_plural = _("申诉与复查")
        ordering = ["case_id", "filed_on", "id"]

    @property
    def is_pending(self) -> bool:
        return not self.outcome


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", _("情况稳定")
    WATCH = "watch", _("仍需关注")
    REPEAT = "repeat", _("发现再次欺凌")


@audited()
class FollowUp(CaseChild):
    """A scheduled check-in (回访, R-CASE-9) with the bullied student or the bully."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="follow_ups")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("学生")
    )
    week = models.PositiveSmallIntegerField(_("第几周"))
    due_on = models.DateField(_("回访日期"))
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("负责人")
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("回访人")
    )
    outcome = models.CharField(_("情况"), max_length=8, choices=FollowUpOutcome.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["case_id", "due_on", "party_id", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"], name="case_followup_due_idx")]


@audited(masked=("text",))
class CaseNote(CaseChild):
    """A human note on a case, kept apart from the machine timeline (GUIDE conventions)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    text = models.TextField(_("备注"))

    class Meta:
        verbose_name = _("备注")
        verbose_name_plural = _("备注")
        ordering = ["case_id", "id"]


class CaseEvent(models.Model):
    """One link of a case's timeline (R-CASE-10; LAW 8; GUIDE principle 3): append-only,
    each row holding the hash of the previous row of the same case. Corrections point at
    what they correct. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002);
    ``manage.py verify_audit`` walks every case's chain (``anxin.cases.verify``)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="events")
    county_id = models.BigIntegerField()
    school_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(_("时间"))
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    kind = models.CharField(_("事项"), max_length=40)
    summary = models.CharField(_("内容"), max_length=300)
    data = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedManager()
    scope = Scope()
    policy_resource = "cases.bullyingcase"

    class Meta:
        verbose_name = _("案件时间线")
        verbose_name_plural = _("案件时间线")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"


@audited()
class Holiday(models.Model):
    """A day of the working-day calendar (LAW 14): a public holiday, or a 调休 weekend day
    that is a working day (``is_workday``). Kept per county by the bureau's administrator;
    ``settings.ANXIN_CASES["HOLIDAYS"]`` adds dates for every county."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    date = models.DateField(_("日期"))
    name = models.CharField(_("名称"), max_length=30)
    is_workday = models.BooleanField(_("调休上班"), default=False)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["county", "date"], name="holiday_county_date_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


@audited()
class LegalParameterVersion(models.Model):
    """A version of a county's legal parameters (SPEC R-Q-7; ``anxin.cases.law.parameters``):
    the full set of values from ``effective_from`` on. Never edited: a change is a new version;
    a case keeps the version in force when it was opened (``BullyingCase.legal_params``)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    effective_from = models.DateField(_("生效日期"))
    values = models.JSONField(_("参数值"), default=dict)
    reason = models.CharField(_("调整说明"), max_length=300)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("设置人"))
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("法定参数版本")
        verbose_name_plural = _("法定参数版本")
        ordering = ["county_id", "-effective_from", "-id"]
        indexes = [models.Index(fields=["county", "effective_from"], name="case_legalparams_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}@{self.effective_from}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            raise ValidationError(_("已保存的法定参数版本不能修改；请设置新的版本。"))
        super().save(*args, **kwargs)

    @classmethod
    def in_force(cls, county_id: int, on=None):
        """The county's version in force on ``on`` (today by default), or None."""
        day = on or clock.today()
        return (
            cls.objects.filter(county_id=county_id, effective_from__lte=day)
            .order_by("-effective_from", "-id")
            .first()
        )


from anxin.cases.seal_models import CaseSeal  # noqa: E402,F401 — LAW 24 sealed records (cases.sealing)
