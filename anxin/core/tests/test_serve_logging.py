"""`manage.py serve` runs gunicorn with an access log that names no client (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

from anxin.core.management.commands import serve

ATOMS = ["%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "%(u)s"]  # address, request line, query, …
HEADERS = ["x-forwarded-for", "x-real-ip", "remote_addr"]


def test_gunicorn_access_log_format_has_no_client_address_or_query():
    for atom in ATOMS:
        assert atom not in serve.ACCESS_LOG_FORMAT, atom
    for header in HEADERS:
        assert header not in serve.ACCESS_LOG_FORMAT.lower(), header
    # every atom used is one of the harmless ones
    assert set(re.findall(r"%\((\w+)\)s", serve.ACCESS_LOG_FORMAT)) <= {
        "t",
        "m",
        "U",
        "s",
        "L",
        "D",
        "T",
        "B",
        "b",
    }


def test_serve_passes_that_format_to_gunicorn():
    source = Path(serve.__file__).read_text()
    assert '"--access-logformat",\n            ACCESS_LOG_FORMAT,' in source


def test_operations_doc_tells_nginx_not_to_log_addresses_on_public_urls():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "operations.md").read_text()
    assert "access_log off" in doc and "log_format" in doc
    assert "/s/" in doc and "/api/v1/public/" in doc
