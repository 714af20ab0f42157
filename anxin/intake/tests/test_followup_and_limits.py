"""Two-way follow-up by private code (R-RPT-1) and the abuse limits (issue 4 item 7): per
device and per school, a clear Chinese message, no CAPTCHA; code guesses rate-limited and
compared in constant time."""

from __future__ import annotations

from unittest import mock

from django.test import Client, override_settings

from anxin.intake import codes, limits, services
from anxin.intake.models import Report, ReportAttachment, ReportMessage
from anxin.intake.tests.conftest import FORM, followup_url, report_url


def test_reporter_reads_the_school_reply_and_adds_a_message_with_evidence(world, client, submitted, photo):
    services.reply(submitted.report, by=world.user["safety_leader"], body="我们已经收到，会马上调查。")
    r = client.post(followup_url(world.school_a1), {"code": submitted.code.lower().replace("-", " ")})
    assert r.status_code == 200
    body = r.content.decode()
    assert "我们已经收到，会马上调查。" in body and "学校回复" in body
    assert world.user["safety_leader"].real_name not in body  # the reporter sees "学校", no staff name
    assert "学校已受理" in body
    r = client.post(
        followup_url(world.school_a1),
        {"code": submitted.code, "action": "message", "body": "今天又发生了", "files": [photo()]},
    )
    assert r.status_code == 200 and "补充已提交" in r.content.decode()
    msg = ReportMessage.objects.get(sender="reporter")
    assert msg.body == "今天又发生了"
    assert ReportAttachment.objects.get(message=msg).kind == "image"
    report = Report.objects.get()
    assert report.awaiting_reply is True
    assert report.events.filter(kind="reporter_message").exists()


def test_code_of_another_school_does_not_open_the_report(world, client, submitted):
    r = client.post(followup_url(world.school_a2), {"code": submitted.code})
    assert r.status_code == 400 and "跟进码不正确" in r.content.decode()


def test_guessed_followup_codes_are_rate_limited_even_before_the_right_one(world, client, submitted):
    client.get(followup_url(world.school_a1))  # the page is opened first: the device cookie is set
    for _ in range(5):
        r = client.post(followup_url(world.school_a1), {"code": codes.display(codes.new_code())})
        assert r.status_code == 400
    r = client.post(followup_url(world.school_a1), {"code": submitted.code})
    assert r.status_code == 429
    body = r.content.decode()
    assert "操作太频繁" in body and "110" in body
    assert int(r["Retry-After"]) > 0


def test_code_guesses_from_many_devices_never_lock_out_the_holder_of_the_right_code(world, client, submitted):
    for i in range(60):  # issue 9: 60 wrong codes used to lock the whole school out for an hour
        client.cookies.clear()  # a script keeping no cookie, sending a made-up device header
        r = client.post(
            followup_url(world.school_a1),
            {"code": codes.display(codes.new_code())},
            HTTP_X_ANXIN_DEVICE=f"device-number-{i:08d}",
        )
        assert r.status_code == 400
    holder = Client()
    holder.get(followup_url(world.school_a1))
    r = holder.post(followup_url(world.school_a1), {"code": submitted.code})
    assert r.status_code == 200 and "我的举报" in r.content.decode()


def test_followup_code_is_compared_in_constant_time_for_hits_and_misses(world, submitted):
    with mock.patch("anxin.intake.codes.hmac.compare_digest", wraps=__import__("hmac").compare_digest) as cmp:
        assert services.find_by_code(world.school_a1, submitted.code) == submitted.report
        assert cmp.call_count == 1
        assert services.find_by_code(world.school_a1, codes.display(codes.new_code())) is None
        assert cmp.call_count == 2  # a miss still compares (against a dummy hash)
        assert services.find_by_code(world.school_a1, "not a code") is None
        assert cmp.call_count == 3


def test_reports_are_rate_limited_per_device_with_a_chinese_message(world, submit, client):
    client.get(report_url(world.school_a1))  # the browser gets its device cookie
    with override_settings(ANXIN_INTAKE_RATE_REPORT_DEVICE="2/h", ANXIN_INTAKE_DEVICE_WARMUP_SECONDS=0):
        assert submit(world.school_a1).status_code == 201
        assert submit(world.school_a1).status_code == 201
        r = submit(world.school_a1)
    assert r.status_code == 429
    body = r.content.decode()
    assert "提交太频繁了" in body and world.school_a1.antibullying_phone in body
    assert FORM["text"] in body  # what the reporter typed stays on the page
    assert int(r["Retry-After"]) > 0
    assert Report.objects.count() == 2


def test_reports_are_rate_limited_per_school_across_devices(world, client):
    with override_settings(ANXIN_INTAKE_RATE_REPORT_SCHOOL="3/h", ANXIN_INTAKE_DEVICE_WARMUP_SECONDS=0):
        codes_seen = []
        for i in range(4):
            r = client.post(
                "/api/v1/public/reports/",
                {"school": world.school_a1.public_code, "reporter_kind": "parent", "text": f"第{i}次"},
                content_type="application/json",
                HTTP_X_ANXIN_DEVICE=limits.issue_token(),
            )
            codes_seen.append(r.status_code)
        # another school is not affected
        other = client.post(
            "/api/v1/public/reports/",
            {"school": world.school_a2.public_code, "reporter_kind": "parent", "text": "另一所学校"},
            content_type="application/json",
            HTTP_X_ANXIN_DEVICE=limits.issue_token(),
        )
    assert codes_seen == [201, 201, 201, 429]
    assert other.status_code == 201
    assert Report.objects.count() == 4


def test_clients_without_cookie_or_device_share_one_strict_bucket(world, client):
    with override_settings(ANXIN_INTAKE_RATE_REPORT_NEW="1/h"):
        first = client.post(
            "/api/v1/public/reports/",
            {"school": world.school_a1.public_code, "reporter_kind": "other", "text": "一"},
            content_type="application/json",
        )
        second = client.post(
            "/api/v1/public/reports/",
            {"school": world.school_a1.public_code, "reporter_kind": "other", "text": "二"},
            content_type="application/json",
        )
    assert first.status_code == 201 and second.status_code == 429
    assert second.json()["retry_after"] > 0


def test_public_api_report_and_followup_round_trip(world, client):
    r = client.post(
        "/api/v1/public/reports/",
        {
            "school": world.school_a1.public_code,
            "reporter_kind": "parent",
            "behaviours": ["cyber"],
            "text": "有人把我孩子的照片发到网上",
            "client_token": "retry-token-1",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    data = r.json()
    again = client.post(
        "/api/v1/public/reports/",
        {
            "school": world.school_a1.public_code,
            "reporter_kind": "parent",
            "text": "有人把我孩子的照片发到网上",
            "client_token": "retry-token-1",
        },
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["duplicate"] and again.json()["followup_code"] is None
    report = Report.objects.get(pk=data["reference"])
    assert report.channel == "miniapp" and report.hint_words == ["发到网上"]
    services.reply(report, by=world.user["middle_manager"], body="已转交德育处。")
    r = client.post(
        "/api/v1/public/followup/",
        {"school": world.school_a1.public_code, "code": data["followup_code"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["messages"][0]["body"] == "已转交德育处。"
    r = client.post(
        "/api/v1/public/followup/messages/",
        {"school": world.school_a1.public_code, "code": data["followup_code"], "body": "补充"},
        content_type="application/json",
    )
    assert r.status_code == 201 and len(r.json()["messages"]) == 2
    r = client.post(
        "/api/v1/public/followup/",
        {"school": world.school_a1.public_code, "code": "WRONG"},
        content_type="application/json",
    )
    assert r.status_code == 404 and r.json()["message"] == "跟进码不正确。"


def test_public_pages_work_without_javascript_and_carry_no_inline_script_or_style(world, client, submitted):
    for url in (
        report_url(world.school_a1),
        followup_url(world.school_a1),
        f"/s/{world.school_a1.public_code}/help/",
    ):
        r = client.get(url)
        assert r.status_code == 200
        body = r.content.decode()
        assert "<form" in body and 'method="post"' in body
        assert "<script>" not in body and " style=" not in body and "onclick" not in body
        assert r["Cache-Control"] == "no-store"
        assert "tel:0951-8012345" in body  # the school's phone stays on every page


def test_public_pages_for_an_unknown_or_closed_school_are_404(world, client):
    assert client.get("/s/nope/report/").status_code == 404
    world.school_a2.active = False
    world.school_a2.save()
    assert client.get(report_url(world.school_a2)).status_code == 404
