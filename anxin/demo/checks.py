"""`manage.py check --deploy` fails when demo accounts exist on a production server: they
share a public password and public TOTP keys (LAW 23: no shared or default accounts)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def no_demo_accounts_in_production(app_configs, **kwargs):
    if settings.ANXIN_DEMO:
        return []
    from django.db import DatabaseError

    from anxin.accounts.models import User
    from anxin.demo import data

    try:
        found = User.objects.filter(username__in=data.DEMO_USERNAMES).exists()
    except DatabaseError:  # no tables yet
        return []
    if found:
        return [
            Error(
                "演示账号存在于生产环境（共用公开密码）。",
                hint="删除演示数据，或仅在试用服务器上设置 ANXIN_DEMO=true。",
                id="anxin.E001",
            )
        ]
    return []
