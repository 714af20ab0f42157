"""The pages stay on the closed network (R-Q-6; GUIDE principle 8): every response carries the
strict Content Security Policy, and nothing the app serves or renders points a browser off-site.

Two checks. (1) Every route — pages, the API, public pages — answers with a CSP that allows only
'self' (and data: images), for an anonymous caller and a logged-in school leader, whatever the
status code. (2) No template and no static file of ours holds an off-site URL (``http://``,
``https://`` or protocol-relative ``//host``), and the package files our pages load hold only
the references listed below, each one a non-loading text (an XML namespace, a link in a
comment or an error message). A new reference fails the test until it is reviewed and listed.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from anxin.core.roles import Role

ROOT = Path(settings.BASE_DIR)
OFFSITE = re.compile(r"""(?<![A-Za-z0-9_:])(?:https?:)?//[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}""")

# Off-site texts allowed in what we serve, per file, each a reference that loads nothing.
ALLOWED: dict[str, set[str]] = {
    # the SVG namespace: an identifier, never fetched
    "anxin/favicon.svg": {"http://www.w3.org"},
    # ECharts (fetched by scripts/fetch_echarts.sh): the SVG/XLink/XMLNS namespaces it sets on
    # the elements it draws, and the Apache and ZRender licence links in its header comments
    "dashboards/vendor/echarts.min.js": {"http://www.w3.org", "http://www.apache.org", "https://github.com"},
}

# What the browser may load from: the app itself (and inline data: images). No host, no CDN.
ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


def _dummy(converter) -> object:
    name = type(converter).__name__
    if name == "IntConverter":
        return 1
    if name == "UUIDConverter":
        return uuid.UUID(int=1)
    return "x"


def every_url() -> list[tuple[str, str]]:
    """One concrete URL per named route (placeholders for its arguments)."""
    out: dict[str, str] = {}

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{ns}{p.name}"
                if name in out:
                    continue
                converters = getattr(p.pattern, "converters", {})
                kwargs = {k: _dummy(c) for k, c in converters.items()}
                try:
                    out[name] = reverse(name, kwargs=kwargs or None)
                except Exception:  # a regex route with unnamed groups: try the bare name
                    try:
                        out[name] = reverse(name)
                    except Exception:
                        continue

    walk(get_resolver().url_patterns, "")
    return sorted(out.items())


def _check_csp(response, where: str) -> None:
    header = response.get("Content-Security-Policy", "")
    assert header, f"{where}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    for name in ("default-src", "script-src", "style-src", "font-src", "connect-src", "img-src"):
        assert name in directives, f"{where}: CSP lacks {name}"
        assert set(directives[name]) <= ALLOWED_SOURCES, f"{where}: {name} allows {directives[name]}"
    assert directives.get("object-src") == ["'none'"], where
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, where


def test_the_walk_covers_the_routes():
    urls = dict(every_url())
    # the walk must reach the pages that matter, or the test below proves nothing
    for name in ("core:home", "intake:inbox", "cases:case_list", "accounts:login", "intake_public:report"):
        assert name in urls, name
    assert len(urls) > 100


@pytest.mark.parametrize("who", ["anonymous", "safety_leader"])
def test_every_response_carries_the_strict_csp(client, world, who):
    from anxin.core.testing import login

    if who != "anonymous":
        login(client, world.user[Role.SAFETY_LEADER])
    seen = 0
    for name, url in every_url():
        if "logout" in name:
            continue  # would end the session of the walk
        response = client.get(url)
        _check_csp(response, f"{who} GET {url} ({name}) -> {response.status_code}")
        seen += 1
    assert seen > 100


def _own_files() -> list[Path]:
    files = list((ROOT / "templates").rglob("*.html"))
    for app in sorted((ROOT / "anxin").iterdir()):
        for sub in ("templates", "static"):
            base = app / sub
            if base.is_dir():
                files += [
                    p
                    for p in base.rglob("*")
                    if p.is_file() and p.suffix in {".html", ".txt", ".css", ".js", ".svg"}
                ]
    return files


def _offsite(text: str) -> set[str]:
    return set(OFFSITE.findall(text))


def test_no_template_or_static_file_of_ours_points_off_site():
    files = _own_files()
    assert any(p.name == "base.html" for p in files) and any(p.suffix == ".css" for p in files)
    found = {}
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        static_name = rel.split("/static/", 1)[1] if "/static/" in rel else None
        hosts = _offsite(path.read_text(encoding="utf-8", errors="replace"))
        hosts -= ALLOWED.get(static_name or "", set())
        if hosts:
            found[rel] = sorted(hosts)
    assert not found, f"off-site references (a closed network cannot load them): {found}"


def _static_refs() -> set[str]:
    refs: set[str] = set()
    pattern = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")
    for path in _own_files():
        if path.suffix == ".html":
            refs |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return refs


def test_package_files_our_pages_load_hold_only_listed_non_loading_references():
    refs = _static_refs()
    assert "django_htmx/htmx-2.min.js" in refs and "anxin/anxin.css" in refs
    for ref in sorted(refs):
        path = finders.find(ref)
        assert path, f"{ref} is not served by the app (collectstatic would miss it)"
        hosts = _offsite(Path(path).read_text(encoding="utf-8", errors="replace"))
        unexpected = hosts - ALLOWED.get(ref, set())
        assert not unexpected, f"{ref}: off-site references not reviewed: {sorted(unexpected)}"
        if ref.endswith(".css"):
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            assert not re.search(r"@import\s+url\(\s*['\"]?(?:https?:)?//", text), ref
            assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), ref


def test_the_allow_list_is_exact():
    """An allowed reference that no longer appears is removed from the list (kept explicit)."""
    for ref, hosts in ALLOWED.items():
        path = finders.find(ref)
        assert path, ref
        assert hosts <= _offsite(Path(path).read_text(encoding="utf-8", errors="replace")), ref
