"""Counts for the bureau: de-identified figures by school and by class (LAW 19)."""

from __future__ import annotations

from django.db.models import Count, Q

from anxin.screening import risk_rules
from anxin.screening.models import HazardPoint, Rectification, TendencyEntry, VulnerabilityEntry
from anxin.screening.services._common import _enrolled

# --- counts for the bureau (de-identified, LAW 19) -----------------------------------------------------


def counts_by_school(school_ids: list[int]) -> dict[int, dict]:
    """Figures per school, no names: enrolled students, students in the vulnerability
    register (and per category), tendency register, risk levels, open hazard points and
    rectifications. One GROUP BY query each."""
    out: dict[int, dict] = {
        sid: {
            "students": 0,
            "vulnerable": 0,
            "by_category": {},
            "tendency": 0,
            "levels": dict.fromkeys(risk_rules.LEVELS, 0),
            "hazards_open": 0,
            "rectifications_open": 0,
        }
        for sid in school_ids
    }
    enrolled = Q(student__status="enrolled")
    for sid, n in (
        _enrolled()
        .filter(school_id__in=school_ids)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["students"] = n
    active_vuln = VulnerabilityEntry.objects.filter(enrolled, school_id__in=school_ids, ended_on__isnull=True)
    for sid, n in (
        active_vuln.values("school_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("school_id", "n")
    ):
        out[sid]["vulnerable"] = n
    for sid, cat, n in (
        active_vuln.values("school_id", "category_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "category_id", "n")
    ):
        out[sid]["by_category"][cat] = n
    for sid, n in (
        TendencyEntry.objects.filter(enrolled, school_id__in=school_ids, status=TendencyEntry.Status.ACTIVE)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["tendency"] = n
    from anxin.screening.models import RiskState

    for sid, level, n in (
        RiskState.objects.filter(enrolled, school_id__in=school_ids)
        .values("school_id", "level")
        .annotate(n=Count("id"))
        .values_list("school_id", "level", "n")
    ):
        out[sid]["levels"][level] = n
    for sid, n in (
        HazardPoint.objects.filter(school_id__in=school_ids)
        .exclude(status=HazardPoint.Status.ELIMINATED)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["hazards_open"] = n
    for sid, n in (
        Rectification.objects.filter(school_id__in=school_ids)
        .exclude(status=Rectification.Status.DONE)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    ):
        out[sid]["rectifications_open"] = n
    for row in out.values():
        # risk states are written when the engine first runs; the rest are 绿
        row["levels"][risk_rules.GREEN] += max(0, row["students"] - sum(row["levels"].values()))
    return out


def counts_by_class(school_id: int) -> list[dict]:
    """Drill-down for one school: the same figures per class (still no names)."""
    from anxin.org.models import SchoolClass
    from anxin.screening.models import RiskState

    enrolled = Q(student__status="enrolled", student__school_id=school_id)
    classes = list(
        SchoolClass.objects.filter(school_id=school_id)
        .select_related("grade")
        .order_by("grade__year", "name")
    )
    rows = {
        c.pk: {
            "klass": c,
            "students": 0,
            "vulnerable": 0,
            "by_category": {},
            "tendency": 0,
            "levels": dict.fromkeys(risk_rules.LEVELS, 0),
        }
        for c in classes
    }
    for kid, n in (
        _enrolled()
        .filter(school_id=school_id)
        .values("klass_id")
        .annotate(n=Count("id"))
        .values_list("klass_id", "n")
    ):
        if kid in rows:
            rows[kid]["students"] = n
    vuln = VulnerabilityEntry.objects.filter(enrolled, ended_on__isnull=True)
    for kid, n in (
        vuln.values("student__klass_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("student__klass_id", "n")
    ):
        if kid in rows:
            rows[kid]["vulnerable"] = n
    for kid, cat, n in (
        vuln.values("student__klass_id", "category_id")
        .annotate(n=Count("id"))
        .values_list("student__klass_id", "category_id", "n")
    ):
        if kid in rows:
            rows[kid]["by_category"][cat] = n
    for kid, n in (
        TendencyEntry.objects.filter(enrolled, status=TendencyEntry.Status.ACTIVE)
        .values("student__klass_id")
        .annotate(n=Count("id"))
        .values_list("student__klass_id", "n")
    ):
        if kid in rows:
            rows[kid]["tendency"] = n
    for kid, level, n in (
        RiskState.objects.filter(enrolled)
        .values("student__klass_id", "level")
        .annotate(n=Count("id"))
        .values_list("student__klass_id", "level", "n")
    ):
        if kid in rows:
            rows[kid]["levels"][level] = n
    for row in rows.values():
        row["levels"][risk_rules.GREEN] += max(0, row["students"] - sum(row["levels"].values()))
    return [r for r in rows.values() if r["students"]]
