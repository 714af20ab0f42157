"""REST API of the dashboards (R-Q-3): the same figures, rights and scopes as the pages.

- ``GET dashboards/county/?from=&to=&type=`` — the county dashboard (or a supervisor's schools)
- ``GET dashboards/school/{id}/?from=&to=``  — one school's dashboard, by grade
- ``GET dashboards/region/[{id}/]?from=YYYY-MM&to=YYYY-MM`` — a city's or province's overview
  (holders of a region post only; ``{id}``: one of the province's cities)

A number the caller may not follow to its register carries no link; suppressed small cells
are ``null`` with ``suppressed: true``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from anxin.core import audit, policy
from anxin.core.access import require
from anxin.dashboards import panels
from anxin.dashboards.figures import Figure, Row
from anxin.dashboards.views import COUNTY, _school_for, build_scope

PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="起始日期"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="截止日期"),
    OpenApiParameter("type", OpenApiTypes.STR, description="学校类型（全县看板）"),
]


def _row(r: Row) -> dict:
    return {
        "label": r.label,
        "values": [c.chart_value if c.text is None else c.text for c in r.cells],
        "suppressed": [c.suppressed for c in r.cells],
        "links": [c.url for c in r.cells],
    }


def serialize(fig: Figure) -> dict:
    return {
        "key": fig.key,
        "title": fig.title,
        "unit": fig.head,
        "columns": fig.columns,
        "rows": [_row(r) for r in fig.rows],
        "total": _row(fig.total) if fig.total else None,
        "counts_only": fig.counts_only,
        "note": fig.note,
    }


def _payload(scope) -> dict:
    return {
        "level": scope.level,
        "from": scope.date_from,
        "to": scope.date_to,
        "school_type": scope.school_type,
        "sections": [
            {"key": key, "title": label, "figures": [serialize(f) for f in figs]}
            for key, label, figs in panels.sections(scope)
        ],
    }


class CountyDashboardAPI(APIView):
    policy_perm = COUNTY  # core.api_auth.PolicyPermission: deny by default

    @extend_schema(parameters=PARAMS, responses=OpenApiTypes.OBJECT, summary="全县统计看板")
    def get(self, request):
        require(request, COUNTY)
        scope, _form = build_scope(request, perm=COUNTY)
        return Response(_payload(scope))


class SchoolDashboardAPI(APIView):
    policy_perm = "dashboards.school.view"

    @extend_schema(parameters=PARAMS[:2], responses=OpenApiTypes.OBJECT, summary="学校统计看板")
    def get(self, request, pk: int):
        school = _school_for(request, pk)
        scope, _form = build_scope(request, school=school)
        return Response(_payload(scope))


class RegionPostPermission(permissions.BasePermission):
    """Only the holder of an active city or province post (deny by default; refusals audited)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if policy.region_post(request.user) is None:
            audit.append("denied", result="denied", data={"perm": "region", "path": request.path[:200]})
            return False
        return True


MONTHS = [
    OpenApiParameter("from", OpenApiTypes.STR, description="起始月份（YYYY-MM）"),
    OpenApiParameter("to", OpenApiTypes.STR, description="截止月份（YYYY-MM）"),
]


class RegionOverviewAPI(APIView):
    permission_classes = [RegionPostPermission]

    @extend_schema(parameters=MONTHS, responses=OpenApiTypes.OBJECT, summary="市、省概览（各市、县区计数）")
    def get(self, request, pk: int | None = None):
        from anxin.dashboards import region

        area = region.region_for(request.user, pk)
        form = region.MonthForm(request.GET)
        if not form.is_valid():
            return Response({"errors": form.errors}, status=400)
        date_from, date_to = form.period()
        ov = region.Overview(area, date_from, date_to)
        return Response(
            {
                "region": {"id": area.pk, "code": area.code, "name": area.name, "level": area.level},
                "from": date_from,
                "to": date_to,
                "figures": [serialize(f) for f in region.figures(ov)],
            }
        )


class CityOverviewAPI(RegionOverviewAPI):
    """One of the province's cities (its own operation in the schema)."""

    @extend_schema(
        parameters=MONTHS,
        responses=OpenApiTypes.OBJECT,
        summary="省下辖某市的概览",
        operation_id="dashboards_region_city_retrieve",
    )
    def get(self, request, pk: int):
        return super().get(request, pk)
