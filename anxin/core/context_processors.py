"""The page shell: navigation, the user's roles and scope, the school switcher."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

from anxin.core import policy
from anxin.core.nav import NAV
from anxin.core.roles import COUNTY_ROLES, Role


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    ms = policy.memberships(user)
    current = request.resolver_match.view_name if request.resolver_match else ""
    roles = frozenset(m.role for m in ms)
    region_post = None if ms else policy.region_post(user)
    nav = _nav_for(user, roles, region=region_post is not None)
    here = _here(current, request.path, nav)
    sections = {
        section: [
            {
                "label": label,
                "url": url,
                "active": "page" if name == current else "true" if url == here else "",
            }
            for label, url, name in items
        ]
        for section, items in nav
    }
    role_labels = sorted({Role(m.role).label for m in ms})
    if region_post is not None:
        role_labels = [region_post.region.department_name]
    county_level = any(m.role in COUNTY_ROLES for m in ms)
    scope_names = sorted(
        {str(m.klass) if m.klass_id else (m.school.name if m.school_id else "") for m in ms} - {""}
    )
    ctx = {
        "unread_notifications": _unread(user.pk),
        "nav_sections": sections,
        "nav_html": _nav_html(sections),
        "role_labels": role_labels,
        "scope_names": [region_post.region.name] if region_post is not None else scope_names[:3],
        "scope_more": max(0, len(scope_names) - 3),
        "county_level": county_level,
        "county_name": user.county.name if user.county_id else "",
    }
    if county_level:
        School = apps.get_model("org", "School")

        ctx["switch_schools"] = list(
            School.objects.restrict(user).values("id", "name").order_by("town", "name")
        )
        ctx["current_school"] = request.session.get("school_filter")
        ctx["switch_options"] = _options_html(ctx["switch_schools"], ctx["current_school"])
    return ctx


def _unread(user_id: int) -> int:
    """The bell's count: on every page, so its statement is compiled once per process."""
    from django.db.models import Count

    from anxin.core import sqlcache
    from anxin.core.models import Notification

    def unread(pk):
        return (
            Notification.objects.filter(recipient_id=pk, read_at__isnull=True)
            .values("recipient_id")
            .annotate(n=Count("pk"))
            .values_list("n", flat=True)
        )

    found = sqlcache.rows(("shell.unread",), unread, user_id)
    return found[0] if found else 0


# The menu and the school switcher are on every page: built here in one pass rather than
# through the template language item by item (about a sixth of a page's work). Every value is
# escaped.
def _nav_html(sections: dict) -> SafeString:
    out = []
    for section, items in sections.items():
        links = "".join(
            f'<li><a href="{escape(it["url"])}"'
            + (f' aria-current="{it["active"]}"' if it["active"] else "")
            + f">{escape(it['label'])}</a></li>"
            for it in items
        )
        out.append(
            f'<div class="navsection"><div class="navhead">{escape(section)}</div>\n    <ul>{links}</ul>\n  </div>'
        )
    return mark_safe("\n  ".join(out))  # noqa: S308 — every value above is escaped


def _options_html(schools: list[dict], current) -> SafeString:
    current = str(current) if current is not None else ""
    return mark_safe(  # noqa: S308 — every value is escaped
        "".join(
            f'<option value="{s["id"]}"{" selected" if str(s["id"]) == current else ""}>{escape(s["name"])}</option>'
            for s in schools
        )
    )


def _here(current: str, path: str, nav) -> str:
    """The URL of the menu entry a page lies under (a case under 事件台账, a city under
    地区概览): the longest entry URL that starts the path, or "" when the page is itself in the
    menu (that entry is marked as the page) or lies under none."""
    entries = [(url, name) for _s, items in nav for _l, url, name in items]
    if any(name == current for _u, name in entries):
        return ""
    return max((url for url, _n in entries if url != "/" and path.startswith(url)), key=len, default="")


# The menu depends only on the roles held (NavItem.perms and hide_for read roles) and the
# language: built once per process for each combination, not walked item by item per page.
_NAV_CACHE: dict = {}


def _nav_for(user, roles: frozenset, region: bool = False) -> list[tuple[str, list[tuple[str, str, str]]]]:
    from django.urls import get_script_prefix
    from django.utils.translation import get_language, gettext

    from anxin.core.nav import SECTION_ORDER

    key = (roles, region, get_language(), get_script_prefix(), len(NAV))
    cached = _NAV_CACHE.get(key)
    if cached is not None:
        return cached
    sections: dict[str, list] = {}
    for item in NAV:
        if (item.audience == "region") != region:
            continue
        if item.hide_for and roles and roles <= item.hide_for:
            continue
        if item.perms and not any(policy.can(user, p) for p in item.perms):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # a module not installed in this deployment
            continue
        sections.setdefault(str(item.section), []).append((str(item.label), url, item.url_name))
    order = {gettext(name): i for i, name in enumerate(SECTION_ORDER)}
    cached = sorted(sections.items(), key=lambda kv: order.get(kv[0], len(order)))
    if len(_NAV_CACHE) < 512:  # a handful of role combinations in practice
        _NAV_CACHE[key] = cached
    return cached


def site(request):
    """For every page, signed in or not: whether this is a trial server with demo accounts."""
    from django.conf import settings

    return {"demo_mode": settings.ANXIN_DEMO}
