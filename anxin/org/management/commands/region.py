"""manage.py region: the cities and provinces above the counties, and the accounts of their
education departments (市教育局、省教育厅), who read the region overview (counts only).

    manage.py region add --code 640000 --name 宁夏回族自治区 --level province --department 宁夏回族自治区教育厅
    manage.py region add --code 640100 --name 银川市 --level city --department 银川市教育局 --parent 640000
    manage.py region assign --code 640100 --county 640122 --county 640121
    manage.py region post --code 640000 --username nx_jyt_jjc --real-name 张明
    manage.py region end --username nx_jyt_jjc
    manage.py region list

``post`` makes an account of no county (it must change the printed initial password and enrol
a TOTP device at its first sign-in); every write is audited as the models' writes are."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "管理市、省（地区）及其教育行政部门的账号：add / assign / post / end / list。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="新建或修改地区")
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--level", required=True, choices=["province", "city"])
        add.add_argument("--department", required=True)
        add.add_argument("--parent", help="上级省的行政区划代码（市）")
        assign = sub.add_parser("assign", help="把县区划入地区")
        assign.add_argument("--code", required=True)
        assign.add_argument("--county", action="append", required=True, help="县区行政区划代码，可重复")
        post = sub.add_parser("post", help="为地区教育行政部门开设账号与岗位")
        post.add_argument("--code", required=True)
        post.add_argument("--username", required=True)
        post.add_argument("--real-name", required=True)
        post.add_argument("--title", default="")
        end = sub.add_parser("end", help="结束账号的地区岗位（今日离任）")
        end.add_argument("--username", required=True)
        sub.add_parser("list", help="列出地区、所辖县区和岗位")

    def handle(self, *args, **opts):
        try:
            with transaction.atomic():
                getattr(self, f"do_{opts['action']}")(opts)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc

    def region(self, code):
        from anxin.org.models import Region

        found = Region.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"没有行政区划代码为 {code} 的地区：先用 region add 新建。")
        return found

    def do_add(self, o):
        from anxin.org.models import Region

        region = Region.objects.filter(code=o["code"]).first() or Region(code=o["code"])
        region.name, region.level, region.department_name = o["name"], o["level"], o["department"]
        region.parent = self.region(o["parent"]) if o["parent"] else None
        region.full_clean()
        region.save()
        self.stdout.write(f"地区 {region.code} {region.name}（{region.get_level_display()}）已保存。")

    def do_assign(self, o):
        from anxin.org.models import County

        region = self.region(o["code"])
        counties = list(County.objects.filter(code__in=o["county"]))
        missing = set(o["county"]) - {c.code for c in counties}
        if missing:
            raise CommandError(f"没有这些县区：{'、'.join(sorted(missing))}。")
        for county in counties:
            county.region = region
            county.save(update_fields=["region"])
        self.stdout.write(f"{'、'.join(c.name for c in counties)} 已划入 {region.name}。")

    def do_post(self, o):
        from anxin.accounts.models import RegionPost, User

        region = self.region(o["code"])
        if User.objects.filter(username=o["username"]).exists():
            raise CommandError(f"用户名 {o['username']} 已存在：地区岗位须用新的单独账号。")
        password = secrets.token_urlsafe(12)
        user = User(username=o["username"], real_name=o["real_name"], county=None, must_change_password=True)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        post = RegionPost(user=user, region=region, title=o["title"])
        post.full_clean()
        post.save()
        self.stdout.write(
            f"已为 {region.department_name} 开设账号 {user.username}（{user.real_name}）。\n"
            f"初始密码（只显示这一次）：{password}\n首次登录须修改密码并绑定动态口令。"
        )

    def do_end(self, o):
        from anxin.accounts.models import RegionPost

        today = timezone.localdate()
        posts = list(RegionPost.objects.active().filter(user__username=o["username"]))
        if not posts:
            raise CommandError(f"{o['username']} 没有在任的地区岗位。")
        for post in posts:
            post.ended_on = today
            post.save(update_fields=["ended_on"])
        self.stdout.write(f"{o['username']} 的地区岗位已于 {today} 结束。")

    def do_list(self, o):
        from anxin.accounts.models import RegionPost
        from anxin.org.models import County, Region

        for region in Region.objects.select_related("parent").order_by("code"):
            counties = County.objects.filter(region=region).order_by("code").values_list("name", flat=True)
            posts = RegionPost.objects.active().filter(region=region).values_list("user__username", flat=True)
            up = f" ⊂ {region.parent.name}" if region.parent_id else ""
            self.stdout.write(f"{region.code} {region.name}{up}（{region.department_name}）")
            self.stdout.write(f"  县区：{'、'.join(counties) or '—'}")
            self.stdout.write(f"  岗位：{'、'.join(posts) or '—'}")
