"""manage.py demo_logins: one demo login per role, with the password and what each sees."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from anxin.core.roles import Role
from anxin.demo import data


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, n: int) -> str:
    return text + " " * max(0, n - width(text))


class Command(BaseCommand):
    help = "列出演示账号：每个角色一个登录名、密码及可见范围。"

    def handle(self, *args, **opts):
        need_otp = set(settings.ANXIN_2FA_ROLES)
        rows = [
            (
                str(Role(d.role).label),
                d.username,
                data.DEMO_PASSWORD,
                "是" if d.role in need_otp else "",
                d.sees,
            )
            for d in data.DEMO_LOGINS
        ]
        r = data.REGION_LOGIN
        rows.append(
            (data.REGION_LABEL, r.username, data.DEMO_PASSWORD, "是", r.sees)  # always TOTP
        )
        header = ("角色", "用户名", "密码", "动态口令", "能看到什么")
        widths = [max(width(r[i]) for r in [header, *rows]) for i in range(4)]
        line = lambda r: "  ".join(pad(c, widths[i]) for i, c in enumerate(r[:4])) + "  " + r[4]  # noqa: E731
        self.stdout.write(f"演示县区：{data.COUNTY_NAME}（{data.BUREAU_NAME}），示范学校：贺兰县第一中学")
        self.stdout.write(line(header))
        self.stdout.write("-" * (sum(widths) + 8 + 30))
        for r in rows:
            self.stdout.write(line(r))
        self.stdout.write("")
        from django.urls import reverse

        from anxin.org.models import School

        site = settings.SITE_URL.rstrip("/")
        flagship = School.objects.filter(name=data.SCHOOLS[0].name).first()
        self.stdout.write(f"网址：{site}/ （改 HOST/PORT 或 ANXIN_SITE_URL，海报二维码随之改变）")
        if flagship is not None:
            self.stdout.write(
                f"公开页面（学生、家长无需登录）：{site}{reverse('public:school', args=[flagship.public_code])}"
                f"  匿名举报：{site}{reverse('intake_public:report', args=[flagship.public_code])}"
            )
        self.stdout.write(
            "说明：\n"
            f"- 所有演示账号（含其他学校自动生成的教职工账号）密码均为 {data.DEMO_PASSWORD}。\n"
            "- 演示账号不要求首次登录改密；密码修改时间记为导入时刻，因此导入后 "
            f"{settings.ANXIN_PASSWORD_MAX_AGE_DAYS} 天内不会被强制改密。\n"
            "- 标“是”的角色（系统管理员、教体局、责任督学、审计员）登录须第二因素（TOTP 动态口令）。"
            "load_demo 已为上表中这些账号预置了固定演示密钥的动态口令设备：\n"
            "  运行 `manage.py demo_totp <用户名>` 查看当前 6 位动态口令及 base32 密钥（可添加到身份验证器 App）。\n"
            "  其他同类角色的生成账号（如 hljy_dudao2）首次登录时自行绑定。\n"
            "- 其他学校的账号按 <学校缩写>_<岗位> 命名，如 hl2z_principal、xg1x_ct_3_2（三年级2班班主任）。"
        )
