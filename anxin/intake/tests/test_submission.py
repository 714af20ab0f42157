"""Anonymous reports (R-RPT-1, R-RPT-4): stored whole or refused, bad input refused with a
reason, nothing identifying kept, identities encrypted at rest (LAW 20)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import override_settings
from PIL import Image

from anxin.core import filecrypt
from anxin.core.models import AuditEvent
from anxin.intake import codes, services
from anxin.intake.models import FollowUpCode, Report, ReportAttachment, ReportMessage, TriageEvent
from anxin.intake.tests.conftest import FORM, report_url


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_report_with_photo_is_stored_whole_and_the_code_shown_once(world, submit, photo, settings):
    r = submit(world.school_a1, files=[photo()])
    assert r.status_code == 201
    body = r.content.decode()
    report = Report.objects.get()
    assert report.channel == "form" and report.school == world.school_a1
    assert report.text == FORM["text"] and report.behaviours == ["physical", "verbal"]
    code = r.context["result"].code
    assert code in body and "只显示这一次" in body
    assert FollowUpCode.objects.get(report=report).code_hash == codes.code_hash(codes.normalise(code))
    att = ReportAttachment.objects.get(report=report)
    assert att.kind == "image" and att.mime == "image/jpeg"
    assert len(_media_files(settings)) == 1
    # the reporter's file name is not kept: a random name under the school's folder
    assert "photo" not in att.file.name and att.file.name.startswith(f"intake/{world.school_a1.pk}/")


def test_photo_metadata_is_removed_before_storage(world, submit, photo):
    submit(world.school_a1, files=[photo()])
    att = ReportAttachment.objects.get()
    data = filecrypt.read_plain(att.file)  # stored encrypted
    assert b"PhoneModel-XYZ" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_db_failure_mid_submit_leaves_no_partial_report_and_asks_to_retry(world, submit, photo, settings):
    """Nothing lost: the report row is inserted, then saving the evidence fails."""
    with mock.patch.object(ReportAttachment, "save", side_effect=OperationalError("database is unavailable")):
        r = submit(world.school_a1, files=[photo()])
    assert r.status_code == 503
    body = r.content.decode()
    assert "提交没有成功" in body and "没有被保存" in body and "再点一次" in body
    assert Report.objects.count() == 0
    assert FollowUpCode.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="intake.report").exists()
    assert _media_files(settings) == []  # the written file was removed again
    # what the reporter typed is still in the form, ready to send again
    assert FORM["text"] in body
    r = submit(world.school_a1, files=[photo()])
    assert r.status_code == 201 and Report.objects.count() == 1


def test_db_failure_on_the_public_api_is_an_explicit_503(world, client):
    with mock.patch.object(FollowUpCode, "save", side_effect=OperationalError("gone")):
        r = client.post(
            "/api/v1/public/reports/",
            {"school": world.school_a1.public_code, **FORM},
            content_type="application/json",
        )
    assert r.status_code == 503
    assert "没有被保存" in r.json()["message"]
    assert Report.objects.count() == 0


def test_each_submission_enters_the_audit_chain_once_just_after_commit(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            services.submit_report(school=world.school_a1, data={**FORM, "text": f"第{i}条"})
    events = AuditEvent.objects.filter(object_type="intake.report", action="create")
    assert events.count() == 3
    assert set(events.values_list("object_id", flat=True)) == {
        str(pk) for pk in Report.objects.values_list("pk", flat=True)
    }
    assert not Report.objects.filter(creation_audited=False).exists()
    assert services.audit_new_reports() == 0  # the sweep finds nothing left: nothing twice
    # a submission whose after-commit step was lost is caught by the sweep
    services.submit_report(school=world.school_a1, data=dict(FORM))
    assert services.audit_new_reports() == 1
    assert events.count() == 4


def test_one_audit_run_takes_every_pending_submission_in_bounded_transactions(
    world, django_assert_max_num_queries
):
    for i in range(5):
        services.submit_report(school=world.school_a1, data={**FORM, "text": f"第{i}条"})
    assert Report.objects.filter(creation_audited=False).count() == 5  # after-commit step not run
    assert services.audit_new_reports(limit=2) == 5  # 2 + 2 + 1, each batch its own transaction
    assert not Report.objects.filter(creation_audited=False).exists()
    assert AuditEvent.objects.filter(object_type="intake.report", action="create").count() == 5
    assert services.audit_new_reports(limit=2, max_batches=1) == 0


def test_a_flood_of_submissions_queues_one_audit_batch_per_school(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    """While a batch is queued, later submissions do not queue another; the batch clears
    its mark before it reads, so a submission committed meanwhile is in it or queues the next."""
    from django.core.cache import cache
    from huey.contrib.djhuey import HUEY

    from anxin.intake import tasks

    scheduled = []
    monkeypatch.setattr(HUEY, "_immediate", False)  # as under `manage.py serve`
    monkeypatch.setattr(
        tasks.audit_new_reports, "schedule", lambda args, delay: scheduled.append((args, delay))
    )
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            services.submit_report(school=world.school_a1, data={**FORM, "text": f"第{i}条"})
        services.submit_report(school=world.school_a2, data=dict(FORM))
    assert scheduled == [((world.school_a1.pk,), 1), ((world.school_a2.pk,), 1)]
    assert Report.objects.filter(creation_audited=False).count() == 6
    # the consumer runs the first batch: it takes all five of that school's reports
    assert tasks.audit_new_reports.call_local(world.school_a1.pk) == 5
    assert cache.get(services.audit_queued_key(world.school_a1.pk)) is None
    # the next submission to that school queues a new batch
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_report(school=world.school_a1, data=dict(FORM))
    assert scheduled[-1] == ((world.school_a1.pk,), 1)
    assert AuditEvent.objects.filter(object_type="intake.report", action="create").count() == 5


def test_a_batch_that_could_not_be_queued_leaves_no_mark_behind(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.cache import cache
    from huey.contrib.djhuey import HUEY

    from anxin.intake import tasks

    monkeypatch.setattr(HUEY, "_immediate", False)

    def queue_down(args, delay):
        raise ConnectionError("task queue unreachable")

    monkeypatch.setattr(tasks.audit_new_reports, "schedule", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.submit_report(school=world.school_a1, data=dict(FORM))
    assert Report.objects.filter(pk=result.report.pk).exists()  # the report is kept all the same
    assert cache.get(services.audit_queued_key(world.school_a1.pk)) is None


def test_one_form_sent_twice_stores_one_report(world, submit):
    token = codes.new_token()
    first = submit(world.school_a1, token=token)
    second = submit(world.school_a1, token=token)
    assert first.status_code == 201 and second.status_code == 200
    assert Report.objects.count() == 1
    assert "已经提交过了" in second.content.decode()


@override_settings(ANXIN_INTAKE_MAX_IMAGE_MB=1)
def test_oversize_photo_is_refused_with_a_reason(world, submit):
    big = Image.effect_noise((1200, 1200), 120).convert("RGB")
    buf = io.BytesIO()
    big.save(buf, format="PNG")
    assert len(buf.getvalue()) > 1024 * 1024
    r = submit(world.school_a1, files=[SimpleUploadedFile("big.png", buf.getvalue(), "image/png")])
    assert r.status_code == 400
    assert "图片不能超过 1 MB" in r.content.decode()
    assert Report.objects.count() == 0


def test_whole_request_over_the_limit_is_refused_before_parsing(world, client):
    r = client.post(
        report_url(world.school_a1),
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(10**9),
    )
    assert r.status_code == 413
    assert "太大" in r.content.decode()


def test_wrong_type_file_is_refused_even_when_named_like_a_photo(world, submit, settings):
    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho not a picture\n" * 20, "image/jpeg")
    r = submit(world.school_a1, files=[fake])
    assert r.status_code == 400
    assert "格式不支持" in r.content.decode()
    assert Report.objects.count() == 0 and _media_files(settings) == []


def test_truncated_image_is_refused_as_damaged(world, submit):
    data = FORM and jpeg_head_only()
    r = submit(world.school_a1, files=[SimpleUploadedFile("a.jpg", data, "image/jpeg")])
    assert r.status_code == 400
    assert "已损坏" in r.content.decode()


def jpeg_head_only() -> bytes:
    from anxin.intake.tests.conftest import jpeg_with_exif

    return jpeg_with_exif()[:200]


def test_more_than_five_files_are_refused(world, submit, photo):
    r = submit(world.school_a1, files=[photo(f"{i}.jpg") for i in range(6)])
    assert r.status_code == 400
    assert "最多上传 5 个文件" in r.content.decode()


def test_script_and_html_are_stored_as_typed_and_shown_escaped(world, submit, as_user):
    text = '<script>alert("x")</script><b onclick="y">粗体</b>'
    submit(world.school_a1, text=text)
    report = Report.objects.get()
    assert report.text == text
    body = as_user(world.user["safety_leader"]).get(f"/intake/reports/{report.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert '<script>alert("x")' not in body


def test_invalid_utf8_is_refused_with_a_reason(world, client):
    page = client.get(report_url(world.school_a1))
    token = page.context["csrf_token"]
    raw = (
        b"csrfmiddlewaretoken="
        + token.encode()
        + b"&reporter_kind=student&text=%E5%8F%91%FF%FE%E7%94%9F&token=abc"
    )
    r = client.post(report_url(world.school_a1), data=raw, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert "无法识别的字符" in r.content.decode()
    assert Report.objects.count() == 0


def test_invalid_utf8_json_and_lone_surrogates_are_refused_on_the_api(world, client):
    code = world.school_a1.public_code
    r = client.post(
        "/api/v1/public/reports/",
        data=b'{"school":"' + code.encode() + b'","text":"\xff\xfe"}',
        content_type="application/json",
    )
    assert r.status_code == 400 and "UTF-8" in r.json()["message"]
    r = client.post(
        "/api/v1/public/reports/",
        data='{"school":"' + code + '","reporter_kind":"student","text":"\\ud800 x"}',
        content_type="application/json",
    )
    assert r.status_code == 400 and "text" in r.json()["errors"]  # DRF: 不允许使用代理字符
    with pytest.raises(Exception, match="无法识别的字符"):
        services.submit_report(school=world.school_a1, data={**FORM, "text": "\ud800 x"})
    assert Report.objects.count() == 0


def test_100_kb_of_text_is_refused_and_nothing_stored(world, submit):
    r = submit(world.school_a1, text="欺" * 100_000)
    assert r.status_code == 400
    assert "最多 5000 个字" in r.content.decode()
    assert Report.objects.count() == 0
    with pytest.raises(Exception, match="最多 5000 个字"):
        services.submit_report(school=world.school_a1, data={**FORM, "text": "x" * 100_000})


def test_no_ip_address_user_agent_or_device_id_is_stored(world, client, photo):
    marks = {
        "REMOTE_ADDR": "203.0.113.77",
        "HTTP_USER_AGENT": "UA-MARK-Android-WeChat",
        "HTTP_X_FORWARDED_FOR": "198.51.100.23",
        "HTTP_X_ANXIN_DEVICE": "DEVICEMARK0123456789",
    }
    client.get(report_url(world.school_a1), **marks)
    device_cookie = client.cookies["anxin_dev"].value
    r = client.post(
        report_url(world.school_a1), {**FORM, "token": codes.new_token(), "files": [photo()]}, **marks
    )
    assert r.status_code == 201
    code = r.context["result"].code
    r = client.post(
        f"/s/{world.school_a1.public_code}/followup/",
        {"code": code, "action": "message", "body": "补充一下"},
        **marks,
    )
    assert ReportMessage.objects.count() == 1
    needles = ["203.0.113.77", "UA-MARK", "198.51.100.23", "DEVICEMARK", device_cookie.split(":")[0]]
    for model in (Report, FollowUpCode, ReportAttachment, ReportMessage, TriageEvent, AuditEvent):
        for row in model.objects.all():
            for f in row._meta.concrete_fields:
                value = str(f.value_from_object(row))
                for needle in needles:
                    assert needle not in value, (model.__name__, f.name)
    # the raw stored columns too (encrypted fields are checked as stored)
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM intake_report")
        for row in cur.fetchall():
            assert not any(n in str(v) for v in row for n in needles)


def test_identities_and_narrative_are_encrypted_at_rest(world, submitted):
    report = submitted.report
    with connection.cursor() as cur:
        cur.execute("SELECT text, people, contact, place FROM intake_report WHERE id = %s", [report.pk])
        text, people, contact, place = cur.fetchone()
    assert FORM["people"] not in people and "13812345678" not in contact and "厕所" not in text
    assert people.startswith("gAAAA")  # Fernet tokens
    report.refresh_from_db()
    assert report.people == FORM["people"] and report.contact == "13812345678"
    assert "厕所" not in place and report.place == FORM["place"]


def test_followup_code_itself_is_stored_nowhere(world, submitted):
    code = submitted.code
    plain = codes.normalise(code)
    with connection.cursor() as cur:
        for table in ("intake_followupcode", "intake_report", "core_auditevent"):
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608
            for row in cur.fetchall():
                assert not any(plain in str(v) or code in str(v) for v in row), table
    assert len(plain) == 16 and all(ch in codes.ALPHABET for ch in plain)  # 80 bits


def test_audit_of_a_report_never_shows_its_content(world, submitted):
    services.audit_new_reports()
    ev = AuditEvent.objects.get(object_type="intake.report", action="create")
    assert ev.data["after"]["text"].startswith("hmac:") and ev.data["after"]["contact"].startswith("hmac:")
    assert FORM["text"] not in str(ev.data)


@pytest.mark.parametrize("env_value", ["2"])
def test_text_limit_is_a_setting(world, env_value, monkeypatch):
    monkeypatch.setenv("ANXIN_INTAKE_MAX_TEXT_CHARS", env_value)
    with pytest.raises(Exception, match="最多 2 个字"):
        services.submit_report(school=world.school_a1, data=dict(FORM))
    assert os.environ["ANXIN_INTAKE_MAX_TEXT_CHARS"] == env_value


def test_the_public_school_lookup_is_cached_briefly_and_forgotten_when_a_school_changes(
    world, django_assert_num_queries, monkeypatch
):
    from django.http import Http404

    from anxin.intake import public_views

    school = world.school_a1
    code = school.public_code
    assert public_views.get_public_school(code).pk == school.pk
    with django_assert_num_queries(0):
        assert public_views.get_public_school(code).pk == school.pk
    # a closed school stops accepting reports in this process at once
    school.active = False
    school.save()
    with pytest.raises(Http404):
        public_views.get_public_school(code)
    # and in every other process once the entry is older than PUBLIC_SCHOOL_TTL
    type(school).objects.filter(pk=school.pk).update(active=True)
    public_views.get_public_school(code)
    type(school).objects.filter(pk=school.pk).update(active=False)  # no signal: another process's change
    clock = public_views.time.monotonic() + public_views.PUBLIC_SCHOOL_TTL + 1
    monkeypatch.setattr(public_views.time, "monotonic", lambda: clock)
    with pytest.raises(Http404):
        public_views.get_public_school(code)
