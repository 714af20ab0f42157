"""The public contacts page (R-ORG-5, 二(六) 畅通学生诉求通道): no login, phones first."""

from django.urls import reverse

from anxin.org import services


def public_url(school):
    return reverse("public:school", args=[school.public_code])


def test_public_page_shows_published_phones_without_login(world, client):
    world.county_a.bureau_phone = "0951-8061234"
    world.county_a.save()
    world.school_a1.legal_vp_phone = "13900000009"
    world.school_a1.save()
    r = client.get(public_url(world.school_a1))
    assert r.status_code == 200
    body = r.content.decode()
    assert world.school_a1.name in body
    assert 'href="tel:0951-8012345"' in body  # 欺凌防治电话
    assert 'href="tel:13900000001"' in body  # 分管安全校领导电话
    assert 'href="tel:13900000009"' in body  # 法治副校长电话
    assert 'href="tel:0951-8061234"' in body  # 教体局
    assert 'href="mailto:fqb@example.cn"' in body
    assert "发现欺凌，请立即告诉老师或拨打以上电话" in body
    assert body.index("tel:0951-8012345") < body.index("mailto:")  # phone first


def test_public_page_unknown_code_is_404(world, client):
    assert client.get("/s/no-such-code/").status_code == 404
    world.school_a2.active = False
    world.school_a2.save()
    assert client.get(public_url(world.school_a2)).status_code == 404


def test_public_page_shows_no_student_or_staff_names(world, client):
    services.appoint_safety_officer(world.user["principal"], world.class_a1_1, world.student_own)
    leader = world.user["safety_leader"]
    leader.real_name = "王副校长"
    leader.save()
    body = client.get(public_url(world.school_a1)).content.decode()
    assert world.student_own.name not in body
    assert "王副校长" not in body
    assert "<script>" not in body  # works without JavaScript; CSP allows no inline script


def test_public_page_omits_bureau_phone_when_unset(world, client):
    body = client.get(public_url(world.school_a1)).content.decode()
    assert "贺兰县教育体育局电话" not in body


def test_school_detail_links_its_public_page(world, as_user):
    body = (
        as_user(world.user["principal"])
        .get(reverse("org:school_detail", args=[world.school_a1.pk]))
        .content.decode()
    )
    assert public_url(world.school_a1) in body
