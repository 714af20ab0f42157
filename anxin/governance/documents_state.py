"""Where each school stands with its documents (R-ORG-7, R-ORG-8): the current version of each
rules document, whether it is missing or older than the county's revision period, and the work
plan. One query for the versions and one for the settings, whatever the number of schools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from anxin.core import clock
from anxin.governance.models import RULE_KINDS, Answer, DocKind, DocumentVersion, GovernanceSetting

DEFAULT_MAX_AGE_MONTHS = 12


def months_between(earlier: dt.date, later: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def max_age_by_county(county_ids: Iterable[int]) -> dict[int, int]:
    county_ids = set(county_ids)
    got = dict(
        GovernanceSetting.objects.filter(county_id__in=set(county_ids)).values_list(
            "county_id", "rules_max_age_months"
        )
    )
    return {c: got.get(c, DEFAULT_MAX_AGE_MONTHS) for c in set(county_ids)}


def setting_for(county_id: int) -> GovernanceSetting:
    return GovernanceSetting.objects.filter(county_id=county_id).first() or GovernanceSetting(
        county_id=county_id, rules_max_age_months=DEFAULT_MAX_AGE_MONTHS
    )


@dataclass
class DocState:
    """A school's documents: the latest version of each kind, and what is missing or old."""

    latest: dict[str, DocumentVersion] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # rule kinds with no version
    old: list[str] = field(default_factory=list)  # rule kinds whose version is too old
    max_age: int = DEFAULT_MAX_AGE_MONTHS

    @property
    def rules_current(self) -> bool:
        return not self.missing and not self.old

    @property
    def answer(self) -> str:
        if self.rules_current:
            return Answer.YES
        if len(self.missing) == len(RULE_KINDS):
            return Answer.NO
        return Answer.PARTIAL

    @property
    def reason(self) -> str:
        labels = dict(DocKind.choices)
        parts = []
        if self.missing:
            parts.append("尚未上传：" + "、".join(str(labels[k]) for k in self.missing))
        if self.old:
            parts.append(f"超过{self.max_age}个月未修订：" + "、".join(str(labels[k]) for k in self.old))
        return "；".join(parts) or "本校欺凌防治工作制度、校规校纪均已上传且在修订周期内"

    @property
    def workplan(self) -> DocumentVersion | None:
        return self.latest.get(DocKind.WORKPLAN)


def version_date(v: DocumentVersion) -> dt.date:
    return v.effective_on or v.approved_on or clock.local_date(v.created_at)


def rules_states(schools: Iterable, today: dt.date | None = None) -> dict[int, DocState]:
    schools = list(schools)
    today = today or clock.today()
    ages = max_age_by_county(s.county_id for s in schools)
    out = {s.pk: DocState(max_age=ages[s.county_id]) for s in schools}
    rows = (
        DocumentVersion.objects.filter(school__in=schools)
        .select_related("approved_by", "uploaded_by")
        .order_by("school_id", "kind", "-number")
    )
    for v in rows:
        out[v.school_id].latest.setdefault(v.kind, v)
    for s in schools:
        st = out[s.pk]
        for kind in RULE_KINDS:
            v = st.latest.get(kind)
            if v is None:
                st.missing.append(kind)
            elif months_between(version_date(v), today) >= st.max_age:
                st.old.append(kind)
    return out
