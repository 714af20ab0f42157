"""Reaching people outside the platform: an HTTP SMS gateway and 企业微信/钉钉 group robots,
each tested against a local fake server; retries with back-off, quiet hours, the delivery log."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail

from anxin.core import clock, delivery
from anxin.core.models import Delivery
from anxin.core.notify import ConsoleSmsBackend, notify
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


class FakeGateway:
    """A local HTTP server that records each POST and answers with the next scripted reply."""

    def __init__(self, replies=None):
        self.requests: list[dict] = []
        self.replies = list(replies or [])
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                status, answer = (
                    gateway.replies.pop(0) if gateway.replies else (200, {"code": 0, "errcode": 0})
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = FakeGateway()
    yield g
    g.close()


@pytest.fixture
def sms_gateway(settings, gateway):
    settings.ANXIN_SMS_BACKEND = "anxin.core.delivery.HttpSmsBackend"
    settings.ANXIN_SMS_URL = gateway.url + "/sms/send"
    settings.ANXIN_SMS_USER = "hlx-bureau"
    settings.ANXIN_SMS_KEY = "s3cret-key"
    settings.ANXIN_SMS_SIGN = "贺兰县教体局"
    settings.ANXIN_QUIET_HOURS = "22:00-07:00"
    return gateway


def _leader(world, phone="13900001111"):
    leader = world.user[Role.SAFETY_LEADER]
    leader.phone = phone
    leader.save(update_fields=["phone"])
    return leader


# Beijing time 10:00 and 23:30 on a school day
DAYTIME = dt.datetime(2026, 11, 10, 10, 0, tzinfo=clock.SHANGHAI)
NIGHT = dt.datetime(2026, 11, 10, 23, 30, tzinfo=clock.SHANGHAI)


def test_sms_goes_through_the_http_gateway_and_is_logged_without_the_number(world, sms_gateway, settings):
    settings.SITE_URL = "https://anxin.hlx.edu.cn"
    leader = _leader(world)
    with time_machine.travel(DAYTIME, tick=False):
        notify([leader], kind="reminder", title="调查即将到期", url="/cases/7/", channels=("inapp", "sms"))
    (req,) = sms_gateway.requests
    assert req["path"] == "/sms/send"
    assert req["headers"]["Authorization"] == "Bearer s3cret-key"
    assert req["json"] == {
        "account": "hlx-bureau",
        "phone": "13900001111",
        "sign": "贺兰县教体局",
        "content": "【安心校园】调查即将到期 https://anxin.hlx.edu.cn/cases/7/",
    }
    d = Delivery.objects.get()
    assert (d.channel, d.status, d.attempts, d.target) == ("sms", "sent", 1, "139****1111")
    assert d.address == ""  # the number is erased once the row is final


def test_a_failing_gateway_is_retried_with_back_off_then_given_up(world, sms_gateway):
    sms_gateway.replies = [(500, {})] * 2 + [(200, {"code": "E42"})]
    leader = _leader(world)
    with time_machine.travel(DAYTIME, tick=False) as traveller:
        notify([leader], kind="reminder", title="回访到期", channels=("sms",))
        d = Delivery.objects.get()
        assert (d.status, d.attempts) == ("pending", 1) and "HTTPError 500" in d.last_error
        assert d.next_try == clock.now() + dt.timedelta(minutes=1)
        assert delivery.send_due() == 0  # not yet due
        traveller.shift(dt.timedelta(minutes=1))
        assert delivery.send_due() == 0  # second failure (500)
        traveller.shift(dt.timedelta(minutes=5))
        assert delivery.send_due() == 0  # the gateway answers with an error code
        d.refresh_from_db()
        assert (d.attempts, d.last_error) == (3, "DeliveryError: gateway code E42")
        traveller.shift(dt.timedelta(minutes=15))
        assert delivery.send_due() == 1  # the gateway is back
        d.refresh_from_db()
        assert (d.status, d.attempts) == ("sent", 4)
    assert len(sms_gateway.requests) == 4

    sms_gateway.replies = [(503, {})] * delivery.MAX_ATTEMPTS
    with time_machine.travel(DAYTIME + dt.timedelta(days=1), tick=False) as traveller:
        notify([leader], kind="reminder", title="回访到期（二）", channels=("sms",))
        for _ in range(delivery.MAX_ATTEMPTS):
            traveller.shift(dt.timedelta(hours=2))
            delivery.send_due()
        last = Delivery.objects.get(title="回访到期（二）")
        assert (last.status, last.attempts, last.next_try, last.address) == ("failed", 5, None, "")


def test_quiet_hours_hold_non_urgent_messages_but_never_an_emergency(world, sms_gateway):
    leader = _leader(world)
    with time_machine.travel(NIGHT, tick=False):
        notify([leader], kind="reminder", title="排查即将到期", channels=("inapp", "sms"))
        notify([leader], kind="emergency", title="紧急求救：贺兰一中", channels=("inapp", "sms"))
    assert [r["json"]["content"].split(" ")[0] for r in sms_gateway.requests] == [
        "【安心校园】紧急求救：贺兰一中"
    ]
    held = Delivery.objects.get(title="排查即将到期")
    assert held.status == "pending" and held.attempts == 0
    assert held.next_try == dt.datetime(2026, 11, 11, 7, 0, tzinfo=clock.SHANGHAI)
    with time_machine.travel(dt.datetime(2026, 11, 11, 6, 59, tzinfo=clock.SHANGHAI), tick=False):
        assert delivery.send_due() == 0
    with time_machine.travel(dt.datetime(2026, 11, 11, 7, 0, tzinfo=clock.SHANGHAI), tick=False):
        assert delivery.send_due() == 1
    assert len(sms_gateway.requests) == 2


@pytest.mark.parametrize(
    ("local", "held_until"),
    [
        ("21:59", None),
        ("22:00", "2026-11-11 07:00"),
        ("03:15", "2026-11-10 07:00"),
        ("07:00", None),
    ],
)
def test_quiet_hours_window_across_midnight(settings, local, held_until):
    settings.ANXIN_QUIET_HOURS = "22:00-07:00"
    h, m = map(int, local.split(":"))
    now = dt.datetime(2026, 11, 10, h, m, tzinfo=clock.SHANGHAI)
    got = delivery.quiet_until(now, urgent=False)
    assert (got.strftime("%Y-%m-%d %H:%M") if got else None) == held_until
    assert delivery.quiet_until(now, urgent=True) is None


def test_emergencies_reach_the_wecom_and_dingtalk_group_robots(world, settings, gateway):
    settings.ANXIN_WECOM_WEBHOOK = gateway.url + "/cgi-bin/webhook/send?key=abc"
    settings.ANXIN_DINGTALK_WEBHOOK = gateway.url + "/robot/send?access_token=xyz"
    settings.ANXIN_DINGTALK_SECRET = "SECdingtalk"
    leader = _leader(world)
    principal = world.user[Role.PRINCIPAL]
    with time_machine.travel(NIGHT, tick=False):
        notify(
            [leader, principal],
            kind="emergency",
            title="紧急求救：贺兰一中",
            url="/intake/emergencies/3/",
            dedupe_key="intake:emergency:3:level:0",
            channels=("inapp",),
        )
        # a second sweep of the same alert posts nothing again
        notify(
            [leader], kind="emergency", title="紧急求救：贺兰一中", dedupe_key="intake:emergency:3:level:0"
        )
        notify([leader], kind="reminder", title="不进群的普通提醒", channels=("inapp",))
    by_path = {urllib.parse.urlsplit(r["path"]).path: r for r in gateway.requests}
    assert len(gateway.requests) == 2  # one message per group, not one per recipient
    wecom = by_path["/cgi-bin/webhook/send"]
    assert wecom["json"]["msgtype"] == "text"
    assert wecom["json"]["text"]["content"].startswith("【安心校园】紧急求救：贺兰一中 ")
    assert wecom["json"]["text"]["content"].endswith("/intake/emergencies/3/")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(by_path["/robot/send"]["path"]).query))
    expected = base64.b64encode(
        hmac.new(b"SECdingtalk", f"{query['timestamp']}\nSECdingtalk".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["access_token"] == "xyz" and query["sign"] == expected
    assert set(Delivery.objects.values_list("channel", "status")) == {("wecom", "sent"), ("dingtalk", "sent")}


def test_a_robot_error_code_is_retried(world, settings, gateway):
    settings.ANXIN_WECOM_WEBHOOK = gateway.url + "/cgi-bin/webhook/send?key=abc"
    gateway.replies = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    with time_machine.travel(DAYTIME, tick=False) as traveller:
        notify([_leader(world)], kind="emergency", title="紧急求救：贺兰一中", dedupe_key="e:1")
        d = Delivery.objects.get(channel="wecom")
        assert (d.status, d.last_error) == ("pending", "DeliveryError: errcode 45009")
        traveller.shift(dt.timedelta(minutes=1))
        assert delivery.send_due() == 1
    assert len(gateway.requests) == 2


def test_e_mail_goes_through_the_log_too_and_the_console_sms_backend_says_it_sends_nothing(
    world, settings, caplog
):
    settings.ANXIN_SMS_BACKEND = "anxin.core.delivery.ConsoleSmsBackend"
    leader = _leader(world)
    leader.email = "leader@example.cn"
    leader.save(update_fields=["email"])
    ConsoleSmsBackend.sent.clear()
    with caplog.at_level("INFO", logger="anxin.core.delivery"):
        notify([leader], kind="emergency", title="紧急求救：贺兰一中", channels=("email", "sms"))
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "【安心校园】紧急求救：贺兰一中"
    assert ConsoleSmsBackend.sent == [("13900001111", ConsoleSmsBackend.sent[0][1])]
    assert "nothing sent" in caplog.text and "13900001111" not in caplog.text
    targets = dict(Delivery.objects.values_list("channel", "target"))
    assert targets == {"email": "l***@example.cn", "sms": "139****1111"}
    assert not delivery.sms_is_real()


def test_the_delivery_log_page_and_api_are_for_the_administrator_and_the_auditor(world, as_user):
    leader = _leader(world)
    with time_machine.travel(DAYTIME, tick=False):
        notify([leader], kind="emergency", title="紧急求救：贺兰一中", channels=("sms",))
    admin = as_user(world.user[Role.BUREAU_ADMIN])
    page = admin.get("/notifications/deliveries/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "139****1111" in body and "13900001111" not in body
    assert "控制台演示方式" in body  # says the SMS were not really sent
    assert admin.get("/notifications/deliveries/?status=failed").content.decode().count("139****1111") == 0
    api = admin.get("/api/v1/deliveries/").json()
    assert [r["target"] for r in api["results"]] == ["139****1111"] and "address" not in api["results"][0]
    for role in (Role.CLASS_TEACHER, Role.SAFETY_LEADER, Role.BUREAU_SAFETY):
        c = as_user(world.user[role])
        assert c.get("/notifications/deliveries/").status_code == 403
        assert c.get("/api/v1/deliveries/").status_code == 403
