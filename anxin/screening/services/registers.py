"""Registers (R-SCR-2, R-SCR-3): vulnerability categories and entries (by hand and from the
roster's flags), the bullying-tendency register and its reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core import audit, clock
from anxin.screening.models import (
    EntrySource,
    RosterFlag,
    TendencyEntry,
    TendencyReview,
    VulnerabilityCategory,
    VulnerabilityEntry,
)
from anxin.screening.services._common import _require
from anxin.screening.tasks import schedule_recompute

# How long until a tendency-register entry is reviewed (定期复核), unless a date is given.
TENDENCY_REVIEW_DAYS = 90


# --- registers (R-SCR-2, R-SCR-3) ------------------------------------------------------------------

# The seed's three (三 第一阶段) and configurable others; ``roster_flag`` fills a category from
# the national roster's fields.
DEFAULT_CATEGORIES = (
    ("left_behind", "留守儿童", True, RosterFlag.LEFT_BEHIND, 10),
    ("introvert", "性格内向", True, RosterFlag.NONE, 20),
    ("poverty", "家境困难", True, RosterFlag.NEEDS_AID, 30),
    ("single_parent", "单亲家庭", False, RosterFlag.NONE, 40),
    ("disability", "残疾", False, RosterFlag.NONE, 50),
    ("migrant", "流动儿童", False, RosterFlag.MIGRANT, 60),
    ("past_victim", "曾受欺凌", False, RosterFlag.NONE, 70),
    ("orphan", "孤儿", False, RosterFlag.ORPHAN, 80),
)


def ensure_categories(county_id: int) -> dict[str, VulnerabilityCategory]:
    """The county's categories by code, creating the default ones once."""
    cats = {c.code: c for c in VulnerabilityCategory.objects.filter(county_id=county_id)}
    missing = [d for d in DEFAULT_CATEGORIES if d[0] not in cats]
    for code, name, builtin, flag, position in missing:
        cat, _created = VulnerabilityCategory.objects.get_or_create(
            county_id=county_id,
            code=code,
            defaults={"name": name, "builtin": builtin, "roster_flag": flag, "position": position},
        )
        cats[code] = cat
    return cats


@transaction.atomic
def save_category(
    *,
    by,
    county,
    code: str,
    name: str,
    active: bool = True,
    position: int = 100,
    category: VulnerabilityCategory | None = None,
) -> VulnerabilityCategory:
    """Add or rename a configurable category. The seed's three cannot be switched off."""
    probe = category or VulnerabilityCategory(county_id=county.pk)
    _require(by, probe, "change")
    if not name.strip():
        raise ValidationError({"name": _("请填写类别名称。")})
    if category is None:
        if VulnerabilityCategory.objects.filter(county=county, code=code).exists():
            raise ValidationError({"code": _("代码已存在。")})
        return VulnerabilityCategory.objects.create(
            county=county, code=code, name=name.strip(), active=active, position=position
        )
    if category.builtin and not active:
        raise ValidationError({"active": _("方案规定的类别不能停用。")})
    category.name, category.active, category.position = name.strip(), active, position
    category.save()
    return category


def _roster_flags(row: dict) -> set[str]:
    flags = set()
    if row.get("left_behind") not in (None, "", "0"):
        flags.add(RosterFlag.LEFT_BEHIND)
    for f in (RosterFlag.MIGRANT, RosterFlag.ORPHAN, RosterFlag.NEEDS_AID):
        if row.get(f):
            flags.add(f)
    return flags


def sync_roster_flags(
    *, student_ids: Iterable[int] | None = None, county_id: int | None = None, recompute: bool = True
) -> dict:
    """Seed the register from the roster's flags (留守儿童, 随迁子女, 孤儿, 需要资助): add an entry
    (source 名册) where a flag is set and none is active; end a 名册 entry whose flag was
    cleared. Works in bulk (demo load, county command) and for one student (roster save)."""
    from anxin.roster.models import Student

    qs = Student.objects.filter(status="enrolled")
    if student_ids is not None:
        qs = qs.filter(pk__in=list(student_ids))
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    rows = list(qs.values("id", "county_id", "school_id", "left_behind", "migrant", "orphan", "needs_aid"))
    if not rows:
        return {"added": 0, "ended": 0}
    by_county: dict[int, dict[str, VulnerabilityCategory]] = {}
    for cid in {r["county_id"] for r in rows}:
        by_county[cid] = {
            c.roster_flag: c for c in ensure_categories(cid).values() if c.roster_flag and c.active
        }
    cat_ids = {c.pk for cats in by_county.values() for c in cats.values()}
    active: dict[tuple[int, int], VulnerabilityEntry] = {}
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), 2000):
        for e in VulnerabilityEntry.objects.filter(
            student_id__in=ids[i : i + 2000], category_id__in=cat_ids, ended_on__isnull=True
        ).only("id", "student_id", "category_id", "source"):
            active[(e.student_id, e.category_id)] = e
    today = clock.today()
    new, end_ids, touched = [], [], set()
    for r in rows:
        flags = _roster_flags(r)
        for flag, cat in by_county[r["county_id"]].items():
            entry = active.get((r["id"], cat.pk))
            if flag in flags and entry is None:
                new.append(
                    VulnerabilityEntry(
                        county_id=r["county_id"],
                        school_id=r["school_id"],
                        student_id=r["id"],
                        category=cat,
                        source=EntrySource.ROSTER,
                        note=_("学生名册标记"),
                        started_on=today,
                    )
                )
                touched.add(r["id"])
            elif flag not in flags and entry is not None and entry.source == EntrySource.ROSTER:
                end_ids.append(entry.pk)
                touched.add(r["id"])
    with transaction.atomic():
        VulnerabilityEntry.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        if end_ids:
            VulnerabilityEntry.objects.filter(pk__in=end_ids).update(
                ended_on=today, end_reason=_("学生名册已取消该标记")
            )
        if new or end_ids:
            audit.append(
                "screening.roster_sync",
                object_type="screening.vulnerabilityentry",
                county_id=rows[0]["county_id"] if len(by_county) == 1 else None,
                school_id=rows[0]["school_id"] if len(rows) == 1 else None,
                data={"added": len(new), "ended": len(end_ids)},
            )
        if recompute:
            schedule_recompute(touched)
    return {"added": len(new), "ended": len(end_ids)}


@transaction.atomic
def add_vulnerability(
    *, by, student, category: VulnerabilityCategory, note: str = "", source: str = EntrySource.MANUAL
) -> VulnerabilityEntry:
    probe = VulnerabilityEntry(county_id=student.county_id, school_id=student.school_id, student=student)
    _require(by, probe, "change")
    if category.county_id != student.county_id or not category.active:
        raise ValidationError({"category": _("类别无效。")})
    if VulnerabilityEntry.objects.filter(student=student, category=category, ended_on__isnull=True).exists():
        raise ValidationError({"category": _("该学生已在此类别的台账中。")})
    return VulnerabilityEntry.objects.create(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        category=category,
        note=note.strip(),
        source=source,
        added_by=by,
    )


@transaction.atomic
def end_vulnerability(*, by, entry: VulnerabilityEntry, reason: str) -> VulnerabilityEntry:
    _require(by, entry, "change")
    if entry.ended_on:
        raise ValidationError(_("该登记已移出台账。"))
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写移出原因。")})
    entry.ended_on = clock.today()
    entry.end_reason = reason.strip()
    entry.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return entry


@transaction.atomic
def add_tendency(
    *,
    by,
    student,
    grounds: str,
    review_due: dt.date | None = None,
    source: str = EntrySource.MANUAL,
    case_id: int | None = None,
) -> TendencyEntry:
    """Put a student on the bullying-tendency register, or add grounds to their active entry.
    A case adds itself once (idempotent per case)."""
    probe = TendencyEntry(county_id=student.county_id, school_id=student.school_id, student=student)
    _require(by, probe, "change")
    grounds = grounds.strip()
    if not grounds:
        raise ValidationError({"grounds": _("请填写列入依据。")})
    today = clock.today()
    if review_due is not None and review_due <= today:
        raise ValidationError({"review_due": _("复核日期应晚于今天。")})
    entry = (
        TendencyEntry.objects.select_for_update()
        .filter(student=student, status=TendencyEntry.Status.ACTIVE)
        .first()
    )
    if entry is not None:
        if case_id is not None and case_id in entry.case_ids:
            return entry
        entry.grounds = f"{entry.grounds}\n{today:%Y-%m-%d}：{grounds}"
        if case_id is not None:
            entry.case_ids = [*entry.case_ids, case_id]
        if review_due:
            entry.review_due = review_due
        entry.save(update_fields=["grounds", "case_ids", "review_due", "updated_at"])
        return entry
    return TendencyEntry.objects.create(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        grounds=f"{today:%Y-%m-%d}：{grounds}",
        source=source,
        case_ids=[case_id] if case_id else [],
        added_by=by,
        added_on=today,
        review_due=review_due or today + dt.timedelta(days=TENDENCY_REVIEW_DAYS),
    )


@transaction.atomic
def review_tendency(
    *, by, entry: TendencyEntry, outcome: str, note: str, next_review: dt.date | None = None
) -> TendencyReview:
    """Review an entry (定期复核): keep watching until a next review date, or take it off."""
    _require(by, entry, "change")
    entry = TendencyEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != TendencyEntry.Status.ACTIVE:
        raise ValidationError(_("该学生已移出台账。"))
    if not note.strip():
        raise ValidationError({"note": _("请填写复核情况。")})
    today = clock.today()
    if outcome == TendencyReview.Outcome.KEEP:
        if next_review is None or next_review <= today:
            raise ValidationError({"next_review": _("继续盯防须确定晚于今天的下次复核日期。")})
        entry.review_due = next_review
    elif outcome == TendencyReview.Outcome.CLOSE:
        entry.status = TendencyEntry.Status.CLOSED
        entry.closed_on = today
        entry.closed_reason = note.strip()[:300]
        next_review = None
    else:
        raise ValidationError({"outcome": _("请选择复核结论。")})
    entry.last_reviewed_on = today
    entry.save()
    return TendencyReview.objects.create(
        entry=entry,
        county_id=entry.county_id,
        school_id=entry.school_id,
        reviewed_by=by,
        outcome=outcome,
        note=note.strip(),
        next_review=next_review,
        reviewed_on=today,
    )
