"""The year's anti-bullying record of each member of staff (考评, R-CMP-3) and the 评优评先 gate.

Nothing is typed again: the record is read from what the platform already holds — trainings and
activities attended or presented (this app), lessons studied (governance), intervention tasks
done on time or late (care), investigations led and their time limit, cases handled and the
bureau reports owed on them (cases), contacts with students and families made (care).

A person is *not eligible* for 评优评先 in the year while any of these stands against them:

- ``late_report``: a case they handle (承办人; the person who opened it when none is named)
  whose required first report to the bureau went late, or is past due and still unsent (LAW 7);
- ``overdue_task``: an intervention task they own done more than the county's ``overdue_days``
  late, or still open that long after its deadline;
- ``overdue_investigation``: an investigation they lead finished, or still running, more than
  ``overdue_days`` past its legal time limit.

The principal may find a person eligible all the same, with a reason (an audited override).
Each school's records cost a fixed number of queries whatever the number of staff.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.core.roles import Role
from anxin.education import periods
from anxin.education.coverage import POST_ORDER, school_staff
from anxin.education.models import Activity, EligibilityOverride, Kind, StaffAttendance


@dataclass(frozen=True)
class Lapse:
    code: str  # late_report | overdue_task | overdue_investigation
    text: str
    url: str = ""

    @property
    def key(self) -> str:
        """Which record it is about (stable while its text counts the days)."""
        return f"{self.code}:{self.url}"


REASONS = {
    "late_report": "承办事件须向教体局首报而迟报或逾期未报",
    "overdue_task": "承办的干预任务逾期超过规定天数",
    "overdue_investigation": "负责的调查超过法定时限超过规定天数",
}


@dataclass
class StaffRecord:
    user: object
    posts: list[str] = field(default_factory=list)
    trainings: int = 0
    activities: int = 0
    presented: int = 0
    lessons_assigned: int = 0
    lessons_studied: int = 0
    tasks_on_time: int = 0
    tasks_late: int = 0
    tasks_open: int = 0
    investigations_on_time: int = 0
    investigations_late: int = 0
    cases_handled: int = 0
    contacts: int = 0
    lapses: list[Lapse] = field(default_factory=list)
    override: EligibilityOverride | None = None

    @property
    def name(self) -> str:
        return self.user.real_name or self.user.username

    @property
    def new_lapses(self) -> list[Lapse]:
        """Lapses the principal's override did not weigh (arisen since): it does not cover them."""
        if self.override is None:
            return self.lapses
        known = {d.get("key") for d in self.override.lapses if isinstance(d, dict)}
        return [lp for lp in self.lapses if lp.key not in known]

    @property
    def overridden(self) -> bool:
        return bool(self.lapses) and self.override is not None and not self.new_lapses

    @property
    def eligible(self) -> bool:
        return not self.lapses or self.overridden

    @property
    def eligibility_label(self) -> str:
        if not self.lapses:
            return _("具备资格")
        if self.overridden:
            return _("经校长认定具备资格")
        if self.override is not None:
            return _("认定后又有新问题，暂不具备资格")
        return _("暂不具备资格")

    @property
    def post_labels(self) -> str:
        labels = dict(Role.choices)
        return "、".join(str(labels[r]) for r in self.posts)


def _days_late(done: dt.date | None, due: dt.date, today: dt.date) -> int:
    return ((done or today) - due).days


def overdue_days(county_id: int) -> int:
    from anxin.education.services import setting_for

    return setting_for(county_id).overdue_days


def records(school, year: int, *, only: list[int] | None = None) -> dict[int, StaffRecord]:
    """{user id: StaffRecord} for the school's staff in post (``only``: just these people)."""
    from anxin.accounts.models import User
    from anxin.care.models import ContactLog, InterventionTask
    from anxin.cases.models import BullyingCase, Investigation
    from anxin.governance.models import LessonAssignment

    start, end = periods.year_span(year)
    today = clock.today()
    now = clock.now()
    limit = overdue_days(school.county_id)
    staff = school_staff([school.pk]).get(school.pk, {})
    ids = [u for u in staff if only is None or u in only]
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "username", "real_name")}
    out: dict[int, StaffRecord] = {}
    for uid in sorted(ids, key=lambda i: (users[i].real_name or users[i].username, i)):
        out[uid] = StaffRecord(users[uid], posts=[r for r in POST_ORDER if r in staff[uid]])
    if not out:
        return out
    in_year = {"activity__held_on__gte": start, "activity__held_on__lte": end}

    for uid, kind, n in (
        StaffAttendance.objects.filter(school_id=school.pk, user_id__in=ids, **in_year)
        .values("user_id", "activity__kind")
        .annotate(n=Count("id"))
        .values_list("user_id", "activity__kind", "n")
    ):
        out[uid].activities += n
        if kind == Kind.STAFF_TRAINING:
            out[uid].trainings += n

    for uid, n in (
        Activity.objects.filter(
            school_id=school.pk, presenter_id__in=ids, held_on__gte=start, held_on__lte=end
        )
        .values("presenter_id")
        .annotate(n=Count("id"))
        .values_list("presenter_id", "n")
    ):
        out[uid].presented = n

    for row in (
        LessonAssignment.objects.filter(
            school_id=school.pk, staff_id__in=ids, created_at__date__gte=start, created_at__date__lte=end
        )
        .values("staff_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(studied_at__isnull=False)))
    ):
        out[row["staff_id"]].lessons_assigned = row["total"]
        out[row["staff_id"]].lessons_studied = row["done"]

    for task_id, owner, due_on, done_at in InterventionTask.objects.filter(
        school_id=school.pk, owner_id__in=ids, due_on__gte=start, due_on__lte=end
    ).values_list("id", "owner_id", "due_on", "done_at"):
        rec = out[owner]
        late = _days_late(clock.local_date(done_at) if done_at else None, due_on, today)
        if done_at is None:
            rec.tasks_open += 1
        elif late <= 0:
            rec.tasks_on_time += 1
        else:
            rec.tasks_late += 1
        if late > limit:
            text = (
                _("干预任务（期限%(due)s）逾期%(days)s天仍未完成")
                if done_at is None
                else _("干预任务（期限%(due)s）逾期%(days)s天才完成")
            ) % {"due": f"{due_on:%m-%d}", "days": late}
            rec.lapses.append(Lapse("overdue_task", text, reverse("care:task_detail", args=[task_id])))

    handled: dict[int, set[int]] = defaultdict(set)
    for case_id, number, who, due_at, finished_at in (
        Investigation.objects.filter(
            school_id=school.pk, investigator_id__in=ids, due_at__date__gte=start, due_at__date__lte=end
        )
        # unfinished counts only while the case is still under investigation (a case closed as
        # 查无实据, settled directly or sent on leaves it unfinished but owed by no one)
        .exclude(Q(finished_at__isnull=True) & ~Q(case__state="investigating"))
        .values_list("case_id", "case__number", "investigator_id", "due_at", "finished_at")
    ):
        rec = out[who]
        handled[who].add(case_id)
        late = ((finished_at or now) - due_at).days
        if finished_at is not None and finished_at <= due_at:
            rec.investigations_on_time += 1
        elif finished_at is not None:
            rec.investigations_late += 1
        if late > limit:
            text = (
                _("事件%(number)s的调查超过时限%(days)s天仍未完成")
                if finished_at is None
                else _("事件%(number)s的调查超过时限%(days)s天才完成")
            ) % {"number": number, "days": late}
            rec.lapses.append(
                Lapse("overdue_investigation", text, reverse("cases:case_detail", args=[case_id]))
            )

    cases = BullyingCase.objects.filter(
        school_id=school.pk, discovered_at__date__gte=start, discovered_at__date__lte=end
    ).filter(Q(owner_id__in=ids) | Q(owner__isnull=True, opened_by_id__in=ids))
    for c in cases.only(
        "id",
        "number",
        "owner_id",
        "opened_by_id",
        "report_required",
        "report_due_at",
        "first_reported_at",
        "report_late",
    ):
        who = c.owner_id or c.opened_by_id
        handled[who].add(c.pk)
        if c.report_required and c.report_due_at is not None:
            if c.first_reported_at is None and now > c.report_due_at:
                text = _("事件%(number)s须向教体局首报，逾期未报") % {"number": c.number}
            elif c.report_late or (c.first_reported_at is not None and c.first_reported_at > c.report_due_at):
                text = _("事件%(number)s向教体局首报迟报") % {"number": c.number}
            else:
                continue
            out[who].lapses.append(Lapse("late_report", text, reverse("cases:case_detail", args=[c.pk])))
    for who, got in handled.items():
        out[who].cases_handled = len(got)

    contacts = Counter(
        dict(
            ContactLog.objects.filter(
                school_id=school.pk,
                staff_id__in=ids,
                occurred_at__date__gte=start,
                occurred_at__date__lte=end,
            )
            .values("staff_id")
            .annotate(n=Count("id"))
            .values_list("staff_id", "n")
        )
    )
    for uid, n in contacts.items():
        out[uid].contacts = n

    for o in EligibilityOverride.objects.filter(
        school_id=school.pk, year=year, staff_id__in=ids
    ).select_related("decided_by"):
        out[o.staff_id].override = o
    return out


EXPORT_HEADERS = [
    "姓名",
    "岗位",
    "参加专题培训（次）",
    "参加教育活动（次）",
    "主讲（次）",
    "案例警示已学/布置",
    "干预任务按时/逾期完成/未完成",
    "调查按时/超时",
    "承办事件（件）",
    "关爱联系（次）",
    "评优评先",
    "原因",
    "校长认定理由",
]


def export_rows(recs):
    for r in recs:
        yield [
            r.name,
            r.post_labels,
            r.trainings,
            r.activities,
            r.presented,
            f"{r.lessons_studied}/{r.lessons_assigned}",
            f"{r.tasks_on_time}/{r.tasks_late}/{r.tasks_open}",
            f"{r.investigations_on_time}/{r.investigations_late}",
            r.cases_handled,
            r.contacts,
            str(r.eligibility_label),
            "；".join(lp.text for lp in r.lapses),
            r.override.reason if r.override else "",
        ]
