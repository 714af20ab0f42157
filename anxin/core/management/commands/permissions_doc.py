"""manage.py permissions_doc: write docs/permissions.md from the access policy."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from anxin.core import policy
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel


def render() -> str:
    # The document is written in the project's language whatever the caller activated last
    # (a request with the English cookie leaves English active in its thread).
    with translation.override(settings.LANGUAGE_CODE):
        return _render()


def _render() -> str:
    roles = list(Role)
    lines = [
        "# Permissions matrix",
        "",
        "Generated from `anxin/core/policy.py` by `manage.py permissions_doc`; do not edit by hand",
        "(a test fails when this file and the policy disagree). ✓ = granted within the role's scope;",
        "blank = denied (deny by default). Scope per role: "
        + "; ".join(f"{r.label} `{r.value}` — {ScopeLevel(ROLE_SCOPE[r]).label}" for r in roles)
        + ".",
        "",
        "Approved cross-scope access grants (LAW 18) extend only the read actions "
        f"({', '.join(sorted(policy.GRANTABLE_ACTIONS))}) of the grantee's own roles to one more school, until they expire,",
        "and only for these rights: " + ", ".join(f"`{p}`" for p in sorted(policy.GRANTABLE_PERMS)) + ".",
        "",
        "A post at a city's or province's education department (`accounts.RegionPost`, on an account of",
        "no county) holds none of these rights: it reads only its region's overview (`dashboards:region`,",
        "counts only, from the rollups), and every page and API below refuses it.",
        "",
        "| permission | meaning | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|---|" + "|".join(":-:" for _ in roles) + "|",
    ]
    for perm, meaning, granted in policy.describe():
        marks = " | ".join("✓" if r.value in granted else "" for r in roles)
        lines.append(f"| `{perm}` | {meaning} | {marks} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Generate docs/permissions.md from the access policy."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")

    def handle(self, *args, check=False, **opts):
        path = Path(settings.BASE_DIR) / "docs" / "permissions.md"
        text = render()
        if check:
            if not path.exists() or path.read_text() != text:
                raise SystemExit("docs/permissions.md is out of date: run manage.py permissions_doc")
            return
        path.write_text(text)
        self.stdout.write(f"wrote {path}")
