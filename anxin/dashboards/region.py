"""市、省概览: the counties of a city or a province side by side, for the education department
above them (issue 13 item 6, GUIDE principle 7).

Who: the holder of an active ``accounts.RegionPost``. Such an account has no county and no
Membership, so every county and school page refuses it by default; this overview is all it
reads. What: counts only, no names and no links into a county's registers — the case figures of
the county dashboard's counts-only reading (sealed cases included), per county, per city, for
the whole region. How: from the case rollups (``dashboards.rollups``) over whole months, never a
count over the region's cases: the dirty buckets and the unrecorded 迟报 are counted live, so a
figure equals a count over the cases at any moment (tested against SQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.cases.law.definitions import BEHAVIOUR_TYPES, RESULTS
from anxin.cases.models import BullyingCase
from anxin.core import clock, policy
from anxin.dashboards import rollups
from anxin.dashboards.case_counts import RegionCounts
from anxin.dashboards.figures import Cell, Figure, Row, pct

# --- who -----------------------------------------------------------------------------------------


def region_for(user, pk: int | None = None):
    """The region whose overview the user may read: their post's, or (``pk``) one of its cities.
    Anything else is 404, so the page does not tell which regions exist."""
    post = policy.region_post(user)
    if post is None:
        raise Http404
    if pk is None or pk == post.region_id:
        return post.region
    Region = apps.get_model("org", "Region")
    child = Region.objects.filter(pk=pk, parent_id=post.region_id).first()
    if child is None:
        raise Http404
    child.parent = post.region
    return child


# --- the period ----------------------------------------------------------------------------------


class MonthForm(forms.Form):
    """Whole months only: the rollups are kept by month, so any range reads them."""

    _month = {"invalid": gettext_lazy("请填写年月，如 2026-09。")}
    date_from = forms.DateField(
        label=gettext_lazy("起始月份"), required=False, input_formats=["%Y-%m"], error_messages=_month
    )
    date_to = forms.DateField(
        label=gettext_lazy("截止月份"), required=False, input_formats=["%Y-%m"], error_messages=_month
    )

    def __init__(self, data):
        super().__init__({"date_from": data.get("from", ""), "date_to": data.get("to", "")})

    def clean(self):
        d = super().clean()
        this_year = clock.today().year
        for name in ("date_from", "date_to"):
            if d.get(name) and not 2000 <= d[name].year <= this_year + 1:
                self.add_error(name, _("月份须在 2000 年至 %(y)s 年之间。") % {"y": this_year + 1})
                d.pop(name, None)
        if d.get("date_from") and d.get("date_to") and d["date_from"] > d["date_to"]:
            raise forms.ValidationError(_("起始月份不能晚于截止月份。"))
        return d

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """(first day of the first month, last day of the last month); (None, None) if invalid."""
        if not self.is_valid():
            return None, None
        lo, hi = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if hi is not None:
            hi = rollups.next_month(hi) - dt.timedelta(days=1)
        return lo, hi


# --- the units -----------------------------------------------------------------------------------


@dataclass
class Unit:
    key: str  # "city:<pk>" or "county:<pk>"
    label: str
    drill: str | None = None
    counties: list[int] = field(default_factory=list)


@dataclass
class Overview:
    region: object
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    today: dt.date = field(default_factory=clock.today)

    def query(self) -> dict:
        q = {}
        if self.date_from:
            q["from"] = f"{self.date_from:%Y-%m}"
        if self.date_to:
            q["to"] = f"{self.date_to:%Y-%m}"
        return q

    @property
    def suffix(self) -> str:
        """The period as a query string ("" or "?from=…&to=…") for the links the page makes."""
        q = self.query()
        return "?" + urlencode(q) if q else ""

    @property
    def total_label(self) -> str:
        Region = apps.get_model("org", "Region")
        return _("全省合计") if self.region.level == Region.Level.PROVINCE else _("全市合计")

    def units(self) -> list[Unit]:
        """The region's cities (each over its counties, with a link one level down) and its own
        counties (省直管县 under a province), by code. Two queries."""
        County = apps.get_model("org", "County")
        Region = apps.get_model("org", "Region")
        cities = {r.pk: r for r in Region.objects.filter(parent_id=self.region.pk)}
        found: dict[str, tuple[str, Unit]] = {}
        rows = County.objects.filter(Q(region_id=self.region.pk) | Q(region__parent_id=self.region.pk))
        for pk, name, code, region_id in rows.values_list("pk", "name", "code", "region_id").order_by("code"):
            if region_id == self.region.pk:
                found[f"county:{pk}"] = (code, Unit(f"county:{pk}", name, counties=[pk]))
                continue
            city = cities[region_id]
            key = f"city:{city.pk}"
            if key not in found:
                drill = reverse("dashboards:region_child", args=[city.pk]) + self.suffix
                found[key] = (city.code, Unit(key, city.name, drill))
            found[key][1].counties.append(pk)
        return [u for _c, u in sorted(found.values(), key=lambda cu: cu[0])]


def figures(ov: Overview) -> list[Figure]:
    """The overview's figures, a fixed number of queries whatever the region's size."""
    from anxin.dashboards.panels_cases import months

    units = ov.units()
    county_ids = frozenset(c for u in units for c in u.counties)
    qs = BullyingCase.objects.filter(county_id__in=county_ids)
    if ov.date_from:
        qs = qs.filter(discovered_at__date__gte=ov.date_from)
    if ov.date_to:
        qs = qs.filter(discovered_at__date__lte=ov.date_to)
    counts = RegionCounts(qs, rollups.region_reader(county_ids, ov.date_from, ov.date_to))
    School = apps.get_model("org", "School")
    active = dict(
        School.objects.filter(county_id__in=county_ids, active=True)
        .values("county_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("county_id", "n")
    )
    per_county = counts.by_county()

    rows, totals = [], [0, 0, 0, 0]
    for u in units:
        vals = [0, 0, 0, 0]
        for c in u.counties:
            for i, n in enumerate(per_county.get(c, (0, 0, 0))):
                vals[i] += n
            vals[3] += active.get(c, 0)
        totals = [a + b for a, b in zip(totals, vals, strict=True)]
        rows.append(Row(u.label, [Cell(v) for v in vals], key=u.key, drill=u.drill))
    Region = apps.get_model("org", "Region")
    province = ov.region.level == Region.Level.PROVINCE
    title = _("欺凌事件：各市、县区") if province else _("欺凌事件：各县区")
    figs = [
        Figure(
            "region_units",
            title,
            [_("事件数"), _("办理中"), _("迟报"), _("学校数")],
            rows,
            Row(ov.total_label, [Cell(v) for v in totals]),
            chart="hbar",
            counts_only=True,
            unit_label=_("地区"),
        )
    ]

    month_list = months(ov)
    got = counts.months(month_list[0])
    figs.append(
        Figure(
            "region_month",
            _("欺凌事件：按月"),
            [_("事件数")],
            [Row(f"{m:%Y-%m}", [Cell(got.get(m, 0))], key=f"{m:%Y-%m}") for m in month_list],
            # the months shown (the last twelve without a range), not the whole period
            Row(_("合计"), [Cell(sum(got.get(m, 0) for m in month_list))]),
            chart="line",
            counts_only=True,
        )
    )
    types = counts.types()
    figs.append(
        Figure(
            "region_type",
            _("欺凌事件：按行为类型"),
            [_("事件数")],
            [Row(str(label), [Cell(types.get(code, 0))], key=code) for code, label, *_r in BEHAVIOUR_TYPES],
            Row(ov.total_label, [Cell(totals[0])]),
            chart="hbar",
            counts_only=True,
            note=_("一件事件可有多种行为类型，各类之和可大于合计。"),
        )
    )
    results = counts.results()
    result_rows = [Row(str(label), [Cell(results.get(code, 0))], key=code) for code, label, *_r in RESULTS]
    result_rows.append(Row(_("尚未认定"), [Cell(results.get("", 0))], key="none"))
    figs.append(
        Figure(
            "region_result",
            _("欺凌事件：按认定结果"),
            [_("事件数")],
            result_rows,
            Row(ov.total_label, [Cell(sum(results.values()))]),
            chart="pie",
            counts_only=True,
        )
    )
    rep = counts.report()
    figs.append(
        Figure(
            "region_report",
            _("向县教体局报告"),
            [_("数值")],
            [
                Row(_("须向教体局报告"), [Cell(rep["n"])], key="required"),
                Row(_("已首报"), [Cell(rep["done"])], key="reported"),
                Row(_("迟报"), [Cell(rep["late"])], key="late"),
                Row(_("迟报率"), [Cell(None, text=pct(rep["late"], rep["n"]))], key="late_pct"),
            ],
            None,
            chart=None,
            counts_only=True,
        )
    )
    return figs
