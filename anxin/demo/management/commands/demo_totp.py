"""manage.py demo_totp <username>: the current TOTP code of a demo account (demo accounts only)."""

import base64

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from anxin.demo import data


class Command(BaseCommand):
    help = "显示演示账号当前的 6 位动态口令（TOTP）及其 base32 密钥；只用于 demo_logins 所列演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        username = opts["username"]
        if username not in data.DEMO_USERNAMES:
            raise CommandError(f"{username} 不是演示账号；只能查看 demo_logins 所列演示账号的动态口令。")
        device = (
            TOTPDevice.objects.filter(
                user__username=username, confirmed=True, key=data.demo_totp_key(username)
            )
            .order_by("id")
            .first()
        )
        if device is None:
            raise CommandError(
                f"{username} 没有预置的演示动态口令设备（该角色无需第二因素，或尚未运行 load_demo）。"
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        code = f"{totp.token():0{device.digits}d}"
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        self.stdout.write(f"当前动态口令：{code}（{device.step} 秒内有效）")
        self.stdout.write(f"base32 密钥：{secret}")
        self.stdout.write(f"otpauth 地址：{device.config_url}")
