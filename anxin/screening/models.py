"""Screening and early warning (SPEC §3, R-SCR-1…7; seed 二(一), 二(二), 三 第一、二阶段).

Screening rounds and their per-student records, the peer-relationship survey, the registers
(弱势学生, 欺凌倾向), the risk level of each student with its history, hazard points and
their 人防/物防/技防 measures, cameras, the monitoring duty roster and logs, and the school's
problems and rectification. Every table carries county and school keys and is read through
``objects.restrict(user, action)``.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager
from anxin.screening import risk_rules


class Level(models.TextChoices):
    """Risk level, one colour scale everywhere (GUIDE: always with the word)."""

    RED = risk_rules.RED, _("红")
    ORANGE = risk_rules.ORANGE, _("橙")
    YELLOW = risk_rules.YELLOW, _("黄")
    GREEN = risk_rules.GREEN, _("绿")


# Codes used in the public survey and in class codes: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_code(n: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))


def _class_code() -> str:
    return random_code(6)


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


# --- peer-relationship survey (同学关系状况) ---------------------------------------------------


class BehaviourType(models.TextChoices):
    """The five behaviour types (SPR 21; LAW.md definitions)."""

    PHYSICAL = "physical", _("肢体欺凌（殴打、脚踢、掌掴、推撞、恐吓威胁）")
    VERBAL = "verbal", _("言语欺凌（辱骂、讥讽、起侮辱性绰号）")
    PROPERTY = "property", _("财物欺凌（抢夺、强拿硬要、毁坏财物）")
    EXCLUSION = "exclusion", _("排斥孤立（恶意排斥、孤立）")
    CYBER = "cyber", _("网络欺凌（诽谤、散布谣言、恶意传播隐私）")


BEHAVIOUR_SHORT = {
    "physical": _("肢体"),
    "verbal": _("言语"),
    "property": _("财物"),
    "exclusion": _("排斥孤立"),
    "cyber": _("网络"),
}


class Frequency(models.IntegerChoices):
    NEVER = risk_rules.FREQ_NEVER, _("没有")
    ONCE = risk_rules.FREQ_ONCE, _("一两次")
    MONTHLY = risk_rules.FREQ_MONTHLY, _("每月几次")
    WEEKLY = risk_rules.FREQ_WEEKLY, _("每周都有")


class Place(models.TextChoices):
    CLASSROOM = "classroom", _("教室")
    CORRIDOR = "corridor", _("走廊、楼梯")
    TOILET = "toilet", _("厕所")
    PLAYGROUND = "playground", _("操场")
    CANTEEN = "canteen", _("食堂")
    DORM = "dorm", _("宿舍")
    GATE = "gate", _("校门口")
    ROUTE = "route", _("上下学路上")
    ONLINE = "online", _("网上（QQ、微信群等）")
    OTHER = "other", _("其他地方")


class TimeSlot(models.TextChoices):
    BEFORE_SCHOOL = "before", _("上学前")
    BREAK = "break", _("课间")
    LUNCH = "lunch", _("午饭、午休")
    AFTER_SCHOOL = "after", _("放学后")
    EVENING = "evening", _("晚自习、熄灯后")
    WEEKEND = "weekend", _("周末、节假日")


@audited()
class PeerSurvey(CountySchoolModel):
    """An optional class questionnaire on 同学关系状况. Students answer on a phone with the
    class code and a one-time personal code, without an account, once each. Results are
    for the class teacher, the counsellor and the safety leader only."""

    class Status(models.TextChoices):
        OPEN = "open", _("收集中")
        CLOSED = "closed", _("已结束")

    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    round = models.ForeignKey(
        ScreeningRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("排查轮次"),
    )
    title = models.CharField(_("名称"), max_length=80, default="同学关系状况问卷")
    class_code = models.CharField(_("班级码"), max_length=8, unique=True, default=_class_code)
    opens_on = models.DateField(_("开始日期"), default=timezone.localdate)
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )

    scope = Scope(klass="klass_id")

    class Meta:
        verbose_name = _("同学关系问卷")
        verbose_name_plural = _("同学关系问卷")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["klass", "-opens_on"], name="scr_survey_class_idx")]

    def __str__(self) -> str:
        return self.title


class SurveyToken(models.Model):
    """A one-time personal code (答题码) of one student for one survey, printed on a slip.
    Not audited: created in bulk with the survey; using it is recorded by the response."""

    survey = models.ForeignKey(PeerSurvey, on_delete=models.CASCADE, related_name="tokens")
    student = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("答题码")
        constraints = [
            models.UniqueConstraint(fields=["survey", "student"], name="survey_token_student_unique"),
            # the public page looks a code up within the survey named by the class code
            models.UniqueConstraint(fields=["survey", "code"], name="survey_token_code_unique"),
        ]


# Answers are confidential (class teacher, counsellor, safety leader): the audit trail records
# that an answer was saved, not what it says.
@audited(masked=("victim", "witnessed", "places", "times", "feels_safe", "wants_help", "note"))
class SurveyResponse(CountySchoolModel):
    """One student's answers. The database allows one answer per student per survey."""

    survey = models.ForeignKey(
        PeerSurvey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("问卷")
    )
    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    # {behaviour type: Frequency} — "本学期你遇到过下面的情况吗？"
    victim = models.JSONField(_("遭受情况"), default=dict)
    # behaviour types the student saw happen to classmates
    witnessed = models.JSONField(_("看到同学遭受"), default=list)
    places = models.JSONField(_("发生地点"), default=list)
    times = models.JSONField(_("发生时间"), default=list)
    feels_safe = models.BooleanField(_("在学校感到安全"), default=True)
    wants_help = models.BooleanField(_("希望老师帮助"), default=False)
    note = models.CharField(_("想对老师说的话"), max_length=300, blank=True)

    scope = Scope(klass="klass_id")

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "student"], name="survey_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.student_id}"

    @property
    def victim_max(self) -> int:
        return max((int(v) for v in (self.victim or {}).values()), default=0)


class Nomination(CountySchoolModel):
    """A peer nomination in an answer: "课间你常和谁在一起" (friend) or "谁经常被孤立" (isolated).
    Saved with its response (audited there)."""

    class Kind(models.TextChoices):
        FRIEND = "friend", _("课间常在一起")
        ISOLATED = "isolated", _("经常被孤立")

    survey = models.ForeignKey(PeerSurvey, on_delete=models.CASCADE, related_name="nominations")
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="nominations")
    nominator = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    nominee = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    klass = models.ForeignKey("org.SchoolClass", on_delete=models.PROTECT, related_name="+")

    scope = Scope(klass="klass_id")
    policy_resource = "screening.surveyresponse"

    class Meta:
        verbose_name = _("同伴提名")
        constraints = [
            models.UniqueConstraint(fields=["response", "nominee", "kind"], name="nomination_unique"),
        ]
        indexes = [
            # the engine counts incoming nominations per survey
            models.Index(fields=["survey", "nominee", "kind"], name="scr_nomination_idx"),
        ]


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


# --- risk (R-SCR-4) --------------------------------------------------------------------------------


class RiskSignal(CountySchoolModel):
    """An input to the risk engine from another app: involvement in a case, being named in a
    report or concern, a 苗头 seen on monitoring, an anomaly found in care. One row per
    (student, kind, source object); ``place`` feeds the hotspot view. Machine-written."""

    class Kind(models.TextChoices):
        CASE_VICTIM = "case_victim", _("事件中受欺凌学生")
        CASE_BULLY = "case_bully", _("事件中涉嫌欺凌学生")
        CASE_PARTY = "case_party", _("事件中其他当事人")
        CONFIRMED_VICTIM = "confirmed_victim", _("认定遭受欺凌")
        CONFIRMED_BULLY = "confirmed_bully", _("认定实施欺凌")
        NAMED_REPORT = "named_report", _("举报中被提及")
        NAMED_CONCERN = "named_concern", _("关注线索中被提及")
        MONITORING_SIGN = "monitoring_sign", _("监控发现苗头")
        CARE_ANOMALY = "care_anomaly", _("关爱中发现异常")

    student = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=40)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    place = models.CharField(_("地点"), max_length=100, blank=True)

    scope = Scope(klass="student__klass_id")
    policy_resource = "screening.riskstate"

    class Meta:
        verbose_name = _("风险信号")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "kind", "source_type", "source_id"], name="risk_signal_once"
            )
        ]
        indexes = [
            models.Index(fields=["student", "at"], name="scr_signal_student_idx"),
            models.Index(fields=["school", "at"], name="scr_signal_school_idx"),
        ]


class RiskState(CountySchoolModel):
    """A student's current risk level with every reason (R-SCR-4). Derived data, rewritten
    by the engine only when it changes; the history is :class:`RiskAssessment`."""

    student = models.OneToOneField(
        "roster.Student", on_delete=models.CASCADE, related_name="risk_state", verbose_name=_("学生")
    )
    level = models.CharField(_("风险等级"), max_length=6, choices=Level.choices, default=Level.GREEN)
    points = models.PositiveSmallIntegerField(_("分值"), default=0)
    reasons = models.JSONField(_("原因"), default=list)
    changed_at = models.DateTimeField(_("变化时间"), default=timezone.now)

    scope = Scope(klass="student__klass_id")

    class Meta:
        verbose_name = _("风险等级")
        verbose_name_plural = _("风险等级")
        ordering = ["school", "student"]
        indexes = [
            # school lists by level; county counts by school and level
            models.Index(fields=["school", "level"], name="scr_risk_school_level_idx"),
        ]


class RiskAssessment(CountySchoolModel):
    """One change of a student's level or reasons (history; written only on change)."""

    student = models.ForeignKey(
        "roster.Student", on_delete=models.CASCADE, related_name="+", verbose_name=_("学生")
    )
    level = models.CharField(_("风险等级"), max_length=6, choices=Level.choices)
    previous_level = models.CharField(_("原等级"), max_length=6, choices=Level.choices, blank=True)
    points = models.PositiveSmallIntegerField(_("分值"), default=0)
    reasons = models.JSONField(_("原因"), default=list)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    scope = Scope(klass="student__klass_id")
    policy_resource = "screening.riskstate"

    class Meta:
        verbose_name = _("风险评估记录")
        verbose_name_plural = _("风险评估记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["student", "-at"], name="scr_assess_student_idx"),
            # "who changed level this week" per school
            models.Index(fields=["school", "-at"], name="scr_assess_school_idx"),
        ]


# --- hazard points and monitoring (R-SCR-5, R-SCR-6) -----------------------------------------------


class HazardKind(models.TextChoices):
    TOILET = "toilet", _("厕所")
    STAIRS = "stairs", _("楼梯间、走廊拐角")
    DORM = "dorm", _("宿舍")
    PLAYGROUND = "playground", _("操场角落、器材室")
    CANTEEN = "canteen", _("食堂")
    BLIND_SPOT = "blind_spot", _("偏僻角落、监控盲区")
    GATE = "gate", _("校门周边")
    ROUTE = "route", _("上下学路段")
    SHOP = "shop", _("周边网吧、商店、出租屋")
    OTHER = "other", _("其他")


class RiskGrade(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class MeasureType(models.TextChoices):
    """人防、物防、技防 (seed 三 第三阶段 “立体体系”)."""

    PEOPLE = "people", _("人防")
    PHYSICAL = "physical", _("物防")
    TECH = "tech", _("技防")


@audited()
class HazardPoint(CountySchoolModel):
    """A place in or around a school where bullying may happen (隐患点 / 易发生欺凌地点), with
    time windows, risk, an owner and a due date (制定防范措施、及时消除, R-SCR-5)."""

    class Location(models.TextChoices):
        INSIDE = "inside", _("校内")
        AROUND = "around", _("校园周边")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        CONTROLLED = "controlled", _("已管控")
        ELIMINATED = "eliminated", _("已消除")

    name = models.CharField(_("地点"), max_length=80)
    location = models.CharField(_("位置"), max_length=8, choices=Location.choices, default=Location.INSIDE)
    kind = models.CharField(_("类型"), max_length=12, choices=HazardKind.choices)
    time_windows = models.CharField(
        _("易发时段"), max_length=100, blank=True, help_text=_("如：课间、午休、放学后")
    )
    risk = models.CharField(_("风险"), max_length=8, choices=RiskGrade.choices, default=RiskGrade.MEDIUM)
    description = models.TextField(_("隐患情况"), max_length=1000, blank=True)
    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_date = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # the public report form offers the school's places by name (never status, risk or owner);
    # a name that should stay internal is kept off it, and 监控盲区 are never listed
    listed_for_reporters = models.BooleanField(
        _("列在举报页"),
        default=True,
        help_text=_(
            "学生举报时可在“在哪里”中选这个地点（只显示名称）。名称含不宜公开的内容时请取消勾选；监控盲区一律不列出。"
        ),
    )

    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("隐患点")
        verbose_name_plural = _("隐患点台账")
        ordering = ["school", "status", "-risk", "name"]
        indexes = [models.Index(fields=["school", "status"], name="scr_hazard_school_idx")]

    def __str__(self) -> str:
        return self.name


@audited()
class HazardMeasure(CountySchoolModel):
    """A measure against a hazard, typed 人防 / 物防 / 技防, with its owner and due date."""

    hazard = models.ForeignKey(
        HazardPoint, on_delete=models.CASCADE, related_name="measures", verbose_name=_("隐患点")
    )
    type = models.CharField(_("类型"), max_length=10, choices=MeasureType.choices)
    description = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    done_on = models.DateField(_("落实日期"), null=True, blank=True)

    scope = Scope(class_sees_school=True)
    policy_resource = "screening.hazardpoint"

    class Meta:
        verbose_name = _("防范措施")
        verbose_name_plural = _("防范措施")
        ordering = ["hazard", "type", "id"]
        indexes = [models.Index(fields=["school", "type"], name="scr_measure_school_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}：{self.description}"


@audited()
class MonitoringZone(CountySchoolModel):
    """A monitored zone (监控区域), e.g. 教学楼东侧, 宿舍区."""

    name = models.CharField(_("区域"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    scope = Scope()
    policy_resource = "screening.camera"

    class Meta:
        verbose_name = _("监控区域")
        verbose_name_plural = _("监控区域")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="monitoring_zone_unique")]

    def __str__(self) -> str:
        return self.name


@audited()
class Camera(CountySchoolModel):
    """A camera, its zone and the hazard points it covers."""

    name = models.CharField(_("名称或编号"), max_length=60)
    zone = models.ForeignKey(
        MonitoringZone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cameras",
        verbose_name=_("区域"),
    )
    location = models.CharField(_("安装位置"), max_length=100, blank=True)
    working = models.BooleanField(_("正常运行"), default=True)
    covers = models.ManyToManyField(
        HazardPoint, blank=True, related_name="cameras", verbose_name=_("覆盖隐患点")
    )

    scope = Scope()

    class Meta:
        verbose_name = _("监控摄像头")
        verbose_name_plural = _("监控摄像头")
        ordering = ["school", "zone", "name"]

    def __str__(self) -> str:
        return self.name


class KeyPeriod(models.TextChoices):
    """Key periods for monitoring duty (重点时段)."""

    ARRIVAL = "arrival", _("早到校")
    BREAK = "break", _("课间")
    LUNCH = "lunch", _("午休")
    DISMISSAL = "dismissal", _("放学")
    EVENING = "evening", _("晚自习")
    NIGHT = "night", _("夜间（住宿）")
    WEEKEND = "weekend", _("周末、节假日")


@audited()
class DutyShift(CountySchoolModel):
    """A line of the monitoring duty roster: a key period, weekdays, a zone and the person
    assigned (重点时段指派专人进行监控, seed 二(一))."""

    period = models.CharField(_("重点时段"), max_length=10, choices=KeyPeriod.choices)
    weekdays = models.CharField(
        _("星期"), max_length=7, default="12345", help_text=_("1–7，如 12345 为周一至周五")
    )
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    zone = models.ForeignKey(
        MonitoringZone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区域"),
    )
    person = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("值守人")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    scope = Scope()

    class Meta:
        verbose_name = _("值守安排")
        verbose_name_plural = _("值守排班")
        ordering = ["school", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def weekday_labels(self) -> str:
        names = "一二三四五六日"
        return "、".join(f"周{names[int(d) - 1]}" for d in self.weekdays if d.isdigit() and 1 <= int(d) <= 7)


@audited()
class DutyLog(CountySchoolModel):
    """A monitoring duty log entry. An entry flagged 苗头 becomes a concern for triage
    (发现苗头性事件，及时报告, R-SCR-6)."""

    shift = models.ForeignKey(
        DutyShift,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logs",
        verbose_name=_("值守安排"),
    )
    zone = models.ForeignKey(
        MonitoringZone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区域"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    logged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("值守人")
    )
    summary = models.TextField(_("值守情况"), max_length=1000)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    is_sign = models.BooleanField(_("发现苗头"), default=False)
    concern_id = models.BigIntegerField(_("关注线索编号"), null=True, blank=True)

    scope = Scope()

    class Meta:
        verbose_name = _("值守记录")
        verbose_name_plural = _("值守记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at"], name="scr_dutylog_school_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


# --- problems and rectification (R-SCR-7) -----------------------------------------------------------


@audited()
class Rectification(CountySchoolModel):
    """A problem found in the school's anti-bullying work and its rectification
    (查找问题、明确整改措施, seed 三 第一阶段), tracked to done with evidence."""

    class Source(models.TextChoices):
        SCREENING = "screening", _("排查摸底")
        SELF = "self", _("学校自查")
        INSPECTION = "inspection", _("督导检查")
        REPORT = "report", _("举报、家长反映")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        DONE = "done", _("已完成")

    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.SELF)
    problem = models.TextField(_("存在问题"), max_length=1000)
    measure = models.TextField(_("整改措施"), max_length=1000)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成佐证"), max_length=2000, blank=True)
    hazard = models.ForeignKey(
        HazardPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("相关隐患点"),
    )

    scope = Scope()

    class Meta:
        verbose_name = _("问题整改")
        verbose_name_plural = _("问题整改台账")
        ordering = ["school", "status", "due_date", "id"]
        indexes = [models.Index(fields=["school", "status", "due_date"], name="scr_rectify_school_idx")]

    def __str__(self) -> str:
        return self.problem[:30]

    @property
    def overdue(self) -> bool:
        from anxin.core import clock

        return self.status != self.Status.DONE and self.due_date < clock.today()
