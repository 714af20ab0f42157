"""Coverage (R-EDU-2): which staff had anti-bullying training in a span (per school and per post
type), and which classes held enough 主题班会 in a term. Many schools at once, in a fixed number
of queries: the pages, the duties, the evaluators and the export share these functions."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from anxin.core import sqlcache
from anxin.core.roles import Role
from anxin.education.models import Activity, ClassAttendance, EducationSetting, Kind, StaffAttendance
from anxin.education.permissions import STAFF

# the order posts are shown in
POST_ORDER = [r for r in Role.values if r in STAFF]


@dataclass
class Post:
    role: str
    label: str
    total: int = 0
    trained: int = 0

    @property
    def share(self) -> float:
        return self.trained / self.total if self.total else 0.0

    @property
    def missing(self) -> int:
        return self.total - self.trained


@dataclass
class StaffCoverage:
    school_id: int
    total: int = 0
    trained: int = 0
    posts: list[Post] = field(default_factory=list)
    untrained: list = field(default_factory=list)  # User rows, by name

    @property
    def share(self) -> float:
        return self.trained / self.total if self.total else 0.0

    @property
    def missing(self) -> int:
        return self.total - self.trained


@dataclass
class ClassRow:
    klass: object
    held: int


@dataclass
class ClassCoverage:
    school_id: int
    needed: int
    rows: list[ClassRow] = field(default_factory=list)

    @property
    def short(self) -> list[ClassRow]:
        return [r for r in self.rows if r.held < self.needed]

    @property
    def ok(self) -> int:
        return len(self.rows) - len(self.short)


def _ids(schools: Iterable) -> list[int]:
    return [getattr(s, "pk", s) for s in schools]


def school_staff(school_ids: Sequence[int], on: dt.date | None = None) -> dict[int, dict[int, set[str]]]:
    """{school: {user id: posts held}} — the staff who should be trained (teachers, leaders,
    counsellors, security staff; not supervisors or 法治副校长)."""
    from django.db.models import Q

    from anxin.accounts.models import Membership

    ids = list(school_ids)

    def build(day):
        return (
            Membership.objects.filter(school_id__in=ids, role__in=list(STAFF), user__is_active=True)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), started_on__lte=day)
            .values_list("school_id", "user_id", "role")
        )

    # (kept statement per set of schools: 工作台 asks for a school's staff on every visit)
    rows = sqlcache.rows(("education.school_staff", tuple(ids)), build, on or timezone.localdate())
    out: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for school_id, user_id, role in rows:
        out[school_id][user_id].add(role)
    return out


def trained_ids(school_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, set[int]]:
    """{school: ids of staff who attended a 教职工专题培训 held between start and end}."""
    ids = list(school_ids)
    rows = sqlcache.rows(
        ("education.trained_ids", tuple(ids)),
        lambda start, end: StaffAttendance.objects.filter(
            school_id__in=ids,
            activity__kind=Kind.STAFF_TRAINING,
            activity__held_on__gte=start,
            activity__held_on__lte=end,
        ).values_list("school_id", "user_id"),
        start,
        end,
    )
    out: dict[int, set[int]] = defaultdict(set)
    for school_id, user_id in rows:
        out[school_id].add(user_id)
    return out


def staff_coverage(
    schools: Iterable, start: dt.date, end: dt.date, *, names: bool = True
) -> dict[int, StaffCoverage]:
    """Per school: staff in post, trained between start and end, by post type."""
    from anxin.accounts.models import User

    ids = _ids(schools)
    staff = school_staff(ids)
    trained = trained_ids(ids, start, end)
    untrained_ids = {uid for sid in ids for uid in staff.get(sid, {}) if uid not in trained.get(sid, set())}
    people = (
        {u.pk: u for u in User.objects.filter(pk__in=untrained_ids).only("id", "username", "real_name")}
        if names and untrained_ids
        else {}
    )
    labels = dict(Role.choices)
    out = {}
    for sid in ids:
        members = staff.get(sid, {})
        done = trained.get(sid, set())
        cov = StaffCoverage(sid, total=len(members), trained=sum(1 for u in members if u in done))
        for role in POST_ORDER:
            holders = [u for u, roles in members.items() if role in roles]
            if holders:
                cov.posts.append(
                    Post(role, str(labels[role]), len(holders), sum(1 for u in holders if u in done))
                )
        cov.untrained = sorted(
            (people[u] for u in members if u not in done and u in people),
            key=lambda u: u.real_name or u.username,
        )
        out[sid] = cov
    return out


def meetings_held(school_ids: Sequence[int], start: dt.date, end: dt.date) -> Counter:
    """{class id: 主题班会 held between start and end}."""
    ids = list(school_ids)
    rows = sqlcache.rows(
        ("education.meetings_held", tuple(ids)),
        lambda start, end: (
            ClassAttendance.objects.filter(
                school_id__in=ids,
                activity__kind=Kind.CLASS_MEETING,
                activity__held_on__gte=start,
                activity__held_on__lte=end,
            )
            .values("klass_id")
            .annotate(n=Count("activity_id", distinct=True))
        ),
        start,
        end,
    )
    return Counter({r["klass_id"]: r["n"] for r in rows})


def class_coverage(
    schools: Iterable, start: dt.date, end: dt.date, needed: int | dict[int, int]
) -> dict[int, ClassCoverage]:
    """Per school: each active class and the 主题班会 it held; ``needed`` a number, or one per
    county ({county id: N})."""
    from anxin.org.models import SchoolClass

    schools = list(schools)
    ids = _ids(schools)
    held = meetings_held(ids, start, end)
    classes = defaultdict(list)
    for c in sqlcache.rows(
        ("education.classes", tuple(ids)),
        lambda: (
            SchoolClass.objects.filter(school_id__in=ids, active=True)
            .select_related("grade")
            .order_by("grade__year", "grade__name", "name")
        ),
    ):
        classes[c.school_id].append(c)
    out = {}
    for s in schools:
        sid = getattr(s, "pk", s)
        n = needed if isinstance(needed, int) else needed.get(getattr(s, "county_id", None), 2)
        out[sid] = ClassCoverage(sid, n, [ClassRow(c, held.get(c.pk, 0)) for c in classes[sid]])
    return out


def class_counts(
    schools: Iterable, start: dt.date, end: dt.date, needed: dict[int, int]
) -> dict[int, tuple[int, int]]:
    """Per school: (classes that held the county's N 主题班会, active classes) — the figures of
    :func:`class_coverage` without loading the classes (the dashboards, over a county)."""
    from anxin.org.models import SchoolClass

    schools = list(schools)
    held = meetings_held(_ids(schools), start, end)
    want = {s.pk: needed.get(s.county_id, 2) for s in schools}
    out = {pk: [0, 0] for pk in want}
    for pk, sid in SchoolClass.objects.filter(school_id__in=list(want), active=True).values_list(
        "pk", "school_id"
    ):
        out[sid][1] += 1
        out[sid][0] += held.get(pk, 0) >= want[sid]
    return {sid: (ok, n) for sid, (ok, n) in out.items()}


def needed_by_county(county_ids: Iterable[int]) -> dict[int, int]:
    default = EducationSetting._meta.get_field("class_meetings_per_term").default
    county_ids = sorted(set(county_ids))
    got = dict(
        sqlcache.rows(
            ("education.needed_by_county", tuple(county_ids)),
            lambda: EducationSetting.objects.filter(county_id__in=county_ids).values_list(
                "county_id", "class_meetings_per_term"
            ),
        )
    )
    return {c: got.get(c, default) for c in county_ids}


def law_events(school_ids: Sequence[int], start: dt.date, end: dt.date) -> Counter:
    """{school: 法治教育 and 法治副校长/公检法司进校 activities held between start and end}."""
    rows = (
        Activity.objects.filter(
            school_id__in=list(school_ids), kind__in=[k.value for k in (Kind.LAW, Kind.LEGAL_VISIT)]
        )
        .filter(held_on__gte=start, held_on__lte=end)
        .values("school_id")
        .annotate(n=Count("id"))
    )
    return Counter({r["school_id"]: r["n"] for r in rows})
