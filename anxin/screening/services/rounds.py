"""Screening rounds (R-SCR-1): open a school or county round, save a student's record, coverage,
complete a round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.screening.models import CountyRound, ScreeningRecord, ScreeningRound
from anxin.screening.services._common import _enrolled, _require

# --- screening rounds (R-SCR-1) ------------------------------------------------------------------


def _check_deadline(deadline: dt.date, opened_on: dt.date | None = None) -> None:
    if deadline < (opened_on or clock.today()):
        raise ValidationError({"deadline": _("截止日期不能早于开始日期。")})


@transaction.atomic
def open_round(
    *,
    by,
    school,
    title: str,
    deadline: dt.date,
    opened_on: dt.date | None = None,
    county_round: CountyRound | None = None,
) -> ScreeningRound:
    """A school opens a screening round (全面梳理排查) with a deadline."""
    probe = ScreeningRound(county_id=school.county_id, school_id=school.pk)
    if county_round is None:
        _require(by, probe, "change")
    opened_on = opened_on or clock.today()
    _check_deadline(deadline, opened_on)
    if not title.strip():
        raise ValidationError({"title": _("请填写排查名称。")})
    return ScreeningRound.objects.create(
        county_id=school.county_id,
        school=school,
        title=title.strip(),
        deadline=deadline,
        opened_on=opened_on,
        opened_by=by,
        county_round=county_round,
    )


@transaction.atomic
def open_county_round(*, by, county, title: str, deadline: dt.date) -> CountyRound:
    """The bureau opens a round for every active school of the county at once."""
    from anxin.org.models import School

    _require(by, CountyRound(county_id=county.pk), "change")
    _check_deadline(deadline)
    if not title.strip():
        raise ValidationError({"title": _("请填写排查名称。")})
    cr = CountyRound.objects.create(county=county, title=title.strip(), deadline=deadline, opened_by=by)
    for school in School.objects.filter(county=county, active=True).order_by("pk"):
        open_round(by=by, school=school, title=cr.title, deadline=deadline, county_round=cr)
    return cr


def _round_student(round_: ScreeningRound, student):
    if student.school_id != round_.school_id or student.status != "enrolled":
        raise ValidationError(_("该学生不在本轮排查范围内。"))


@transaction.atomic
def save_record(*, by, round: ScreeningRound, student, data: Mapping[str, Any]) -> ScreeningRecord:  # noqa: A002
    """Record (or correct) one student's screening in an open round. ``data`` holds psych, mood,
    peers, family_contacted, signs_seen, note and missing_reason. A record either has the
    three assessments or a reason why the student could not be screened."""
    _round_student(round, student)
    probe = ScreeningRecord(county_id=round.county_id, school_id=round.school_id, klass_id=student.klass_id)
    _require(by, probe, "change")
    # read the status afresh: the caller's copy may predate the round's completion
    if not ScreeningRound.objects.filter(pk=round.pk, status=ScreeningRound.Status.OPEN).exists():
        raise ValidationError(_("本轮排查已完成，不能再修改。"))
    missing = (data.get("missing_reason") or "").strip()
    values = {
        "psych": data.get("psych") or "",
        "mood": data.get("mood") or "",
        "peers": data.get("peers") or "",
        "family_contacted": bool(data.get("family_contacted")),
        "signs_seen": bool(data.get("signs_seen")),
        "note": (data.get("note") or "").strip(),
        "missing_reason": missing,
    }
    if not missing:
        errors = {}
        for field, label in (("psych", _("心理状况")), ("mood", _("情绪")), ("peers", _("同学关系"))):
            if not values[field]:
                errors[field] = _("请选择%(f)s。") % {"f": label}
        if errors:
            raise ValidationError(errors)
        if values["signs_seen"] and not values["note"]:
            raise ValidationError({"note": _("发现苗头迹象时，请简要说明情况。")})
    record = ScreeningRecord.objects.filter(round=round, student=student).first()
    if record is None:
        record = ScreeningRecord(
            round=round, student=student, county_id=round.county_id, school_id=round.school_id
        )
    record.klass_id = student.klass_id
    record.recorded_by = by
    for k, v in values.items():
        setattr(record, k, v)
    record.save()
    return record


def class_students(round_: ScreeningRound, klass):
    # only what the page shows: no encrypted fields decrypted for nothing
    return (
        _enrolled()
        .filter(school_id=round_.school_id, klass=klass)
        .only("pk", "name", "klass_id", "school_id", "county_id", "status")
        .order_by("name", "pk")
    )


def coverage(round_: ScreeningRound) -> dict:
    """Coverage per class of a round: enrolled students, screened, excused (a reason is
    recorded), missing. Two GROUP BY queries and one for the classes."""
    from anxin.org.models import SchoolClass

    totals = dict(
        _enrolled()
        .filter(school_id=round_.school_id)
        .values("klass_id")
        .annotate(n=Count("id"))
        .values_list("klass_id", "n")
    )
    done = {
        row["student__klass_id"]: row
        for row in ScreeningRecord.objects.filter(
            round=round_, student__status="enrolled", student__school_id=round_.school_id
        )
        .values("student__klass_id")
        .annotate(
            screened=Count("id", filter=Q(missing_reason="")),
            excused=Count("id", filter=~Q(missing_reason="")),
        )
    }
    rows = []
    for klass in (
        SchoolClass.objects.filter(pk__in=list(totals))
        .select_related("grade")
        .order_by("grade__year", "name")
    ):
        d = done.get(klass.pk, {})
        rows.append(
            _coverage_row({"klass": klass}, totals[klass.pk], d.get("screened", 0), d.get("excused", 0))
        )
    total = sum(r["total"] for r in rows)
    summary = _coverage_row({}, total, sum(r["screened"] for r in rows), sum(r["excused"] for r in rows))
    return {"classes": rows, "summary": summary}


def _coverage_row(base: dict, total: int, screened: int, excused: int) -> dict:
    covered = screened + excused
    return {
        **base,
        "total": total,
        "screened": screened,
        "excused": excused,
        "missing": max(0, total - covered),
        "pct": round(100 * covered / total) if total else 100,
        "complete": covered >= total,
    }


def county_coverage(county_round: CountyRound, school_ids: Iterable[int] | None = None) -> list[dict]:
    """Coverage per school of a county round (counts only)."""
    rounds = {
        r.school_id: r
        for r in county_round.rounds.select_related("school").order_by("school__town", "school__name")
    }
    if school_ids is not None:
        allowed = set(school_ids)
        rounds = {k: v for k, v in rounds.items() if k in allowed}
    totals = dict(
        _enrolled()
        .filter(school_id__in=list(rounds))
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    done = {
        row["round__school_id"]: row
        for row in ScreeningRecord.objects.filter(
            round__county_round=county_round, student__status="enrolled"
        )
        .values("round__school_id")
        .annotate(
            screened=Count("id", filter=Q(missing_reason="")),
            excused=Count("id", filter=~Q(missing_reason="")),
        )
    }
    out = []
    for sid, r in rounds.items():
        d = done.get(sid, {})
        out.append(
            _coverage_row(
                {"school": r.school, "round": r},
                totals.get(sid, 0),
                d.get("screened", 0),
                d.get("excused", 0),
            )
        )
    return out


@transaction.atomic
def complete_round(*, by, round: ScreeningRound) -> ScreeningRound:  # noqa: A002
    """Close a round: only at 100% coverage, counting students with a recorded reason."""
    _require(by, round, "change")
    round = ScreeningRound.objects.select_for_update().get(pk=round.pk)  # noqa: A001
    if not round.is_open:
        raise ValidationError(_("本轮排查已经完成。"))
    cov = coverage(round)
    gaps = [r for r in cov["classes"] if r["missing"]]
    if gaps:
        detail = "、".join(f"{r['klass']}{r['missing']}人" for r in gaps[:10])
        raise ValidationError(
            _("还有 %(n)d 名学生既未排查、也未填写未能排查原因（%(d)s），不能确认完成。")
            % {"n": cov["summary"]["missing"], "d": detail}
        )
    round.status = ScreeningRound.Status.COMPLETED
    round.completed_at = clock.now()
    round.completed_by = by
    round.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    return round
