"""manage.py region: regions above the counties, and the accounts of their departments."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("region", *args, stdout=out)
    return out.getvalue()


def test_a_province_its_city_a_county_and_a_post():
    from anxin.accounts.models import RegionPost, User
    from anxin.core.models import AuditEvent
    from anxin.org.models import County, Region

    county = County.objects.create(name="贺兰县", code="640122", bureau_name="贺兰县教育体育局")
    run(
        "add",
        "--code",
        "640000",
        "--name",
        "宁夏回族自治区",
        "--level",
        "province",
        "--department",
        "宁夏教育厅",
    )
    run(
        "add", "--code", "640100", "--name", "银川市", "--level", "city", "--department", "银川市教育局",
        "--parent", "640000",
    )  # fmt: skip
    assert "贺兰县 已划入 银川市" in run("assign", "--code", "640100", "--county", "640122")
    out = run(
        "post", "--code", "640000", "--username", "nx_jjc", "--real-name", "张明", "--title", "基础教育处"
    )
    password = re.search(r"初始密码（只显示这一次）：(\S+)", out).group(1)
    user = User.objects.get(username="nx_jjc")
    assert user.county_id is None and user.must_change_password and user.check_password(password)
    post = RegionPost.objects.get(user=user)
    assert post.region.code == "640000" and post.title == "基础教育处"
    county.refresh_from_db()
    assert county.region == Region.objects.get(code="640100")
    assert Region.objects.get(code="640100").parent.code == "640000"
    assert AuditEvent.objects.filter(object_type="accounts.regionpost").exists()
    listing = run("list")
    assert (
        "640100 银川市 ⊂ 宁夏回族自治区" in listing
        and "县区：贺兰县" in listing
        and "岗位：nx_jjc" in listing
    )
    run("end", "--username", "nx_jjc")
    assert not RegionPost.objects.active().filter(user=user).exists()


def test_clear_refusals():
    from anxin.accounts.models import User
    from anxin.org.models import County

    County.objects.create(name="贺兰县", code="640122", bureau_name="贺兰县教育体育局")
    with pytest.raises(CommandError, match="没有行政区划代码为 640100"):
        run("assign", "--code", "640100", "--county", "640122")
    run("add", "--code", "640000", "--name", "宁夏", "--level", "province", "--department", "宁夏教育厅")
    with pytest.raises(CommandError, match="上级须为省"):
        run(
            "add",
            "--code",
            "640001",
            "--name",
            "x",
            "--level",
            "province",
            "--department",
            "y",
            "--parent",
            "640000",
        )
    with pytest.raises(CommandError, match="没有这些县区：649999"):
        run("assign", "--code", "640000", "--county", "640122", "--county", "649999")
    User.objects.create(username="taken", real_name="甲")
    with pytest.raises(CommandError, match="已存在"):
        run("post", "--code", "640000", "--username", "taken", "--real-name", "乙")
    with pytest.raises(CommandError, match="没有在任的地区岗位"):
        run("end", "--username", "taken")
