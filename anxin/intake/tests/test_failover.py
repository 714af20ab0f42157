"""Issue 9 / R-Q-5: a report or an emergency is stored whenever the database is up. A private
``redis-server`` serves the cache (rate-limit counters) and the task queue, and is killed in
the middle of the test; the form, the report API and the emergency API still answer 2xx and
store. An unexpected error on a public page shows the school's phones, never a bare 500."""

from __future__ import annotations

import shutil
import socket
import subprocess
from unittest import mock

import pytest
from django.test import Client, RequestFactory

from anxin.intake import codes
from anxin.intake.models import EmergencyRequest, Report
from anxin.intake.tests.conftest import FORM, report_url

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"  # .ci/run installs it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server():
    port = _free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in proc.stdout:  # wait for the server to say so (no sleeping)
        if "Ready to accept connections" in line:
            break
    else:
        pytest.fail("redis-server did not start")
    yield proc, port
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    proc.stdout.close()


def test_reports_and_emergencies_are_stored_when_redis_stops_mid_run(
    world, redis_server, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    import redis
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    proc, port = redis_server
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # the task queue on the same Redis, as in production
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisStorage("anxin-failover", host="127.0.0.1", port=port))
    school = world.school_a1
    phone = Client()
    phone.get(report_url(school))
    with django_capture_on_commit_callbacks(execute=True):
        r = phone.post(report_url(school), {**FORM, "token": codes.new_token()})
    assert r.status_code == 201
    assert redis.Redis(host="127.0.0.1", port=port).dbsize() > 0  # counters and the queued audit

    proc.kill()
    proc.wait()
    caplog.clear()
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        answers.append(phone.post(report_url(school), {**FORM, "token": codes.new_token()}).status_code)
        answers.append(
            Client()
            .post(
                "/api/v1/public/reports/",
                {
                    "school": school.public_code,
                    "reporter_kind": "parent",
                    "text": "孩子被人堵在厕所里打，有人发到网上",
                },
                content_type="application/json",
            )
            .status_code
        )
        answers.append(
            Client()
            .post(
                "/api/v1/public/emergencies/", {"school": school.public_code}, content_type="application/json"
            )
            .status_code
        )
        help_page = phone.post(f"/s/{school.public_code}/help/", {"place": "三楼东边厕所"})
        answers.append(help_page.status_code)
    assert answers == [201, 201, 201, 201]
    assert Report.objects.count() == 3
    assert EmergencyRequest.objects.count() == 2
    assert "tel:110" in help_page.content.decode()
    # warned, by kind only: no text, place or phone of the reporter in the log
    assert "rate-limit store unavailable" in caplog.text
    assert "task queue unavailable" in caplog.text
    for secret in (FORM["text"], FORM["contact"], FORM["people"], "三楼东边厕所", "堵在厕所"):
        assert secret not in caplog.text
    # the urgent report's alert, which could not be queued, was sent from the request itself
    from anxin.core.models import Notification

    urgent = Report.objects.get(channel="miniapp")
    assert urgent.hint_words
    assert Notification.objects.filter(url__contains=f"/{urgent.pk}/").exists()


def test_the_stricter_in_process_limit_applies_while_the_store_is_down(world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.ANXIN_INTAKE_RATE_REPORT_NEW = "4/h"  # half of it per worker while the store is down
    c = Client()
    statuses = [
        c.post(
            "/api/v1/public/reports/",
            {"school": world.school_a1.public_code, "reporter_kind": "other", "text": f"第{i}次"},
            content_type="application/json",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [201, 201, 429, 429]


def test_an_unexpected_error_on_a_public_page_shows_the_schools_phones(world, client):
    school = world.school_a1
    with mock.patch("anxin.intake.services.school_places", side_effect=RuntimeError("boom")):
        r = client.get(report_url(school))
    assert r.status_code == 503
    body = r.content.decode()
    assert "系统暂时出了问题" in body and f"tel:{school.antibullying_phone}" in body and "tel:110" in body
    assert "返回工作台" not in body


def test_an_unexpected_error_in_the_public_api_is_a_chinese_503(world, client):
    with mock.patch("anxin.intake.services.raise_emergency", side_effect=RuntimeError("boom")):
        r = client.post(
            "/api/v1/public/emergencies/",
            {"school": world.school_a1.public_code},
            content_type="application/json",
        )
    assert r.status_code == 503 and "110" in r.json()["message"]


def test_the_server_error_page_of_a_public_address_carries_help_numbers(world):
    from anxin.core.views import error_500

    request = RequestFactory().get(f"/s/{world.school_a1.public_code}/report/")
    body = error_500(request).content.decode()
    assert f"tel:{world.school_a1.antibullying_phone}" in body and "返回工作台" not in body
    request = RequestFactory().get("/s/no-such-school/report/")
    r = error_500(request)
    body = r.content.decode()
    assert r.status_code == 500 and "tel:110" in body and "tel:12355" in body
