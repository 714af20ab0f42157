"""Survey disclosures (同学关系问卷 → 谈心; seed 二(一) “及时查找发生欺凌事件的苗头迹象”).

A student's own answer that says she is bullied every week, that someone hits or extorts her,
or that speaks of harming herself is a *disclosure*: the class teacher and the counsellor are
told at once (in the request that saved the answer) and it stays on their 工作台 — an open
survey flag — until someone records a talk (any contact) or a concern for that student after
the answer came in.

``DISCLOSURE_RULES`` is the table (data; each row tested on its own). The words lists are
deliberately short and concrete: they catch what a child writes, not every sad sentence.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from anxin.core import clock, sqlcache
from anxin.screening.risk_rules import FREQ_ONCE, FREQ_WEEKLY

# how long an answer's flag stays on 工作台 without anyone acting (a term and a bit)
HORIZON_DAYS = 150

BULLIED_WORDS = ("打我", "勒索", "要钱", "抢我", "欺负我", "威胁我", "踢我", "逼我")
SELF_HARM_WORDS = ("不想活", "想死", "自杀", "自残", "割腕", "跳楼", "轻生", "伤害自己", "活着没意思")


@dataclass
class Answer:
    """What a rule reads of one survey answer."""

    victim: dict = field(default_factory=dict)  # {behaviour type: frequency code}
    note: str = ""  # 想对老师说的话
    feels_safe: bool = True
    wants_help: bool = False

    def freq(self, kind: str) -> int:
        try:
            return int((self.victim or {}).get(kind) or 0)
        except (TypeError, ValueError):
            return 0

    def max_freq(self) -> int:
        return max((self.freq(k) for k in (self.victim or {})), default=0)

    def says(self, words) -> bool:
        text = (self.note or "").replace(" ", "")
        return any(w in text for w in words)


@dataclass(frozen=True)
class DisclosureRule:
    code: str
    when: Callable[[Answer], bool]
    label: str  # shown to the class teacher and counsellor
    source: str
    urgent: bool = False  # also by SMS


DISCLOSURE_RULES: tuple[DisclosureRule, ...] = (
    DisclosureRule("weekly", lambda a: a.max_freq() >= FREQ_WEEKLY,
                   "问卷自述：每周都遭受欺凌行为", "贺教发〔2024〕7号 二(一) 同学关系状况"),
    DisclosureRule("hit", lambda a: a.freq("physical") >= FREQ_ONCE,
                   "问卷自述：有人打我（肢体欺凌）", "贺教发〔2024〕7号 二(一) 苗头迹象"),
    DisclosureRule("extorted", lambda a: a.freq("property") >= FREQ_ONCE,
                   "问卷自述：有人勒索、强拿我的财物", "贺教发〔2024〕7号 二(一) 苗头迹象"),
    DisclosureRule("note_bullied", lambda a: a.says(BULLIED_WORDS),
                   "想对老师说的话：提到被打、被勒索或被欺负", "贺教发〔2024〕7号 二(一) 苗头迹象"),
    DisclosureRule("self_harm", lambda a: a.says(SELF_HARM_WORDS),
                   "想对老师说的话：提到伤害自己或不想活", "未成年人保护法 第39条；心理危机干预",
                   urgent=True),
)  # fmt: skip

NOTIFY_ROLES = ("class_teacher", "counsellor")


def answer_of(response) -> Answer:
    return Answer(
        victim=response.victim or {},
        note=response.note or "",
        feels_safe=response.feels_safe,
        wants_help=response.wants_help,
    )


def matches(answer: Answer) -> list[DisclosureRule]:
    return [r for r in DISCLOSURE_RULES if r.when(answer)]


@dataclass
class Flag:
    """One answer's disclosures, open until a talk or a concern follows."""

    response_id: int
    student: object
    at: dt.datetime
    rules: list[DisclosureRule]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.rules]

    @property
    def urgent(self) -> bool:
        return any(r.urgent for r in self.rules)


def _candidates(q: Q, since: dt.datetime):
    """Answers since ``since`` that may disclose and that no talk (care) or concern (intake)
    about the student has followed: read through the registry, so screening imports neither app
    (docs/architecture.md, layers)."""
    from django.apps import apps

    from anxin.screening.models import SurveyResponse

    ContactLog = apps.get_model("care", "ContactLog")  # noqa: N806
    Report = apps.get_model("intake", "Report")  # noqa: N806

    def after(model):
        return Exists(
            model.objects.filter(student_id=OuterRef("student_id"), created_at__gte=OuterRef("created_at"))
        )

    # answers that say nothing (no frequency, no words) cannot match: the database skips them
    return (
        SurveyResponse.objects.filter(q, created_at__gte=since, student__status="enrolled")
        .exclude(victim={}, note="")
        .exclude(after(ContactLog))
        .exclude(after(Report))
        .select_related("student__klass__grade")
        .order_by("created_at", "pk")
    )


def open_flags(q: Q, now: dt.datetime | None = None, *, key: tuple | None = None) -> list[Flag]:
    """Open flags among the answers matching ``q`` (one query whatever their number). With
    ``key`` (everything ``q`` is made of: the reader's posts, core.sqlcache.reader_key), the
    statement is built once per process: 工作台 asks on every visit."""
    since = (now or clock.now()) - dt.timedelta(days=HORIZON_DAYS)
    if key is None:
        rows = list(_candidates(q, since))
    else:
        rows = sqlcache.rows(("screening.disclosure", *key), lambda day: _candidates(q, day), since)
    flags = []
    for resp in rows:
        rules = matches(answer_of(resp))
        if rules:
            flags.append(Flag(resp.pk, resp.student, resp.created_at, rules))
    return flags


def open_flags_for_students(student_ids, now=None) -> dict[int, list[str]]:
    """{student id: labels} of the open flags of these students."""
    out: dict[int, list[str]] = defaultdict(list)
    for f in open_flags(Q(student_id__in=list(student_ids)), now):
        out[f.student.pk].extend(lbl for lbl in f.labels if lbl not in out[f.student.pk])
    return dict(out)


def notify_disclosure(response) -> int:
    """Tell the class teacher(s) and the counsellor(s) now. Returns notices created."""
    from django.urls import reverse

    from anxin.accounts.posts import holders, recipients_for
    from anxin.core.notify import notify
    from anxin.roster.models import Student

    rules = matches(answer_of(response))
    if not rules:
        return 0
    student = Student.objects.only("pk", "klass_id", "school_id", "county_id").get(pk=response.student_id)
    members = holders(NOTIFY_ROLES, school_ids={student.school_id}, klass_ids={student.klass_id})
    urgent = any(r.urgent for r in rules)
    return len(
        notify(
            recipients_for(student, NOTIFY_ROLES, members),
            kind="survey_disclosure",
            # the child is named only on the page, to those allowed
            title=(_("紧急：") if urgent else "") + _("有学生在同学关系问卷中反映遭受欺凌，请尽快谈心"),
            body=_("请打开学生页面查看问卷反映的情况，并记录谈心或提出关注。"),
            url=reverse("roster:student_detail", args=[student.pk]),
            dedupe_key=f"survey-disclosure:{response.pk}",
            school=student.school_id,
            county=student.county_id,
            channels=("inapp", "email", "sms") if urgent else ("inapp", "email"),
            # self-harm words are not held back by the quiet hours
            urgent=urgent,
        )
    )
