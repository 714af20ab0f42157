from anxin.core.models import AuditEvent


def test_login_page_renders_in_chinese(client, db):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    assert "用户名或手机号" in r.content.decode()


def test_home_for_class_teacher(world, as_user):
    c = as_user(world.user["class_teacher"])
    r = c.get("/home/")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(action="create").exists()


def test_openapi_schema_generates_without_warnings(db):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")
