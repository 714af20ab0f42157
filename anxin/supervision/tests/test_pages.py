import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.supervision import services
from anxin.supervision.models import PartnerUnit, RectificationItem, Visit
from anxin.supervision.tests.conftest import in_days, pdf_upload, score_all


def test_supervisor_sees_only_assigned_schools(world, as_user, sup, sup_a2, visit):
    other = services.plan_visit(sup_a2, world.school_a2, planned_on=clock.today())
    c = as_user(sup)
    body = c.get(reverse("supervision:visit_list")).content.decode()
    assert world.school_a1.name in body and world.school_a2.name not in body
    assert c.get(reverse("supervision:visit_detail", args=[other.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", object_type="supervision.visit").exists()
    # the planning page offers only the assigned school (the only one: no picker)
    page = c.get(reverse("supervision:visit_create"))
    assert page.status_code == 200 and world.school_a1.name in page.content.decode()
    assert c.get(reverse("supervision:visit_create") + f"?school={world.school_a2.pk}").status_code == 404
    # the bureau sees both
    body = as_user(world.user[Role.BUREAU_SAFETY]).get(reverse("supervision:visit_list")).content.decode()
    assert world.school_a1.name in body and world.school_a2.name in body


def test_plan_then_score_keeps_typed_scores_on_error(world, as_user, sup):
    c = as_user(sup)
    r = c.post(
        reverse("supervision:visit_create"), {"planned_on": clock.today().isoformat(), "purpose": "挂牌督导"}
    )
    visit = Visit.objects.get()
    assert r.status_code == 302 and r.url == reverse("supervision:visit_detail", args=[visit.pk])
    scores = list(visit.scores.all())
    post = {f"score_{s.pk}": "4" for s in scores}
    post[f"score_{scores[1].pk}"] = "99"
    post[f"note_{scores[0].pk}"] = "培训记录不全"
    post["findings"] = "夜间巡查记录缺失"
    r = c.post(reverse("supervision:visit_detail", args=[visit.pk]), post)
    assert r.status_code == 200
    html = r.content.decode()
    assert "得分须在 0 至" in html
    assert 'value="99"' in html and "培训记录不全" in html and "夜间巡查记录缺失" in html
    assert not visit.scores.filter(score__isnull=False).exists()
    post[f"score_{scores[1].pk}"] = "4.5"
    r = c.post(reverse("supervision:visit_detail", args=[visit.pk]), {**post, "complete": "1"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE


def test_rectification_pages_school_answers_supervisor_verifies(world, as_user, sup, leader, visit):
    c = as_user(sup)
    r = c.post(
        reverse("supervision:rectification_create", args=[visit.pk]),
        {"problem": "监控盲区", "requirement": "补装摄像头", "due_date": in_days(10).isoformat()},
    )
    assert r.status_code == 302
    item = RectificationItem.objects.get()
    c = as_user(leader)
    url = reverse("supervision:rectification_detail", args=[item.pk])
    r = c.post(url, {"respond": "submit", "action_taken": "已补装"})
    assert "请至少上传一份整改佐证" in r.content.decode()
    assert (
        c.post(reverse("supervision:evidence_upload", args=[item.pk]), {"file": pdf_upload()}).status_code
        == 302
    )
    assert c.post(url, {"respond": "submit", "action_taken": "已补装"}).status_code == 302
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.SUBMITTED
    ev = item.evidence.get()
    assert as_user(sup).get(reverse("supervision:evidence_download", args=[ev.pk])).status_code == 200
    # the school may not verify itself
    assert as_user(leader).post(url, {"review": "accept"}).status_code == 403
    assert as_user(sup).post(url, {"review": "accept", "review_note": ""}).status_code == 302
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.VERIFIED


def test_class_teacher_cannot_see_supervision(world, as_user, visit):
    c = as_user(world.user[Role.CLASS_TEACHER])
    assert c.get(reverse("supervision:visit_list")).status_code == 403
    assert c.get(reverse("supervision:visit_detail", args=[visit.pk])).status_code == 404


def test_opinion_docx(world, as_user, sup, visit):
    score_all(sup, visit, value=5)
    services.raise_rectification(
        sup, visit, problem="制度未修订", requirement="一个月内修订", due_date=in_days(30)
    )
    services.complete_visit(sup, visit)
    r = as_user(world.user[Role.PRINCIPAL]).get(reverse("supervision:visit_docx", args=[visit.pk]))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督导意见书" in text and world.school_a1.name in text and "制度未修订" in text
    assert "贺兰县教育督导室" in text
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.5)
    assert len(doc.tables[0].rows) == visit.scores.count() + 2


def _inspection(world):
    bureau = world.user[Role.BUREAU_SAFETY]
    police = PartnerUnit.objects.create(county=world.county_a, kind="police", name="习岗派出所")
    insp = services.create_inspection(
        bureau,
        world.county_a,
        title="春季联合检查",
        starts_on=clock.today(),
        ends_on=in_days(3),
        schools=[world.school_a1, world.school_a2],
        units=[police],
    )
    return bureau, insp


def test_joint_inspection_pages_team_member_and_summary(world, as_user):
    bureau, insp = _inspection(world)
    liaison = world.user[Role.PARTNER_LIAISON]
    c = as_user(liaison)
    assert c.get(reverse("supervision:inspection_detail", args=[insp.pk])).status_code == 404
    c = as_user(bureau)
    r = c.post(reverse("supervision:member_add", args=[insp.pk]), {"user": liaison.pk, "duty": "周边治安"})
    assert r.status_code == 302 and insp.team.filter(user=liaison).exists()
    c = as_user(liaison)
    assert c.get(reverse("supervision:inspection_list")).status_code == 200
    page = c.get(reverse("supervision:inspection_detail", args=[insp.pk])).content.decode()
    assert world.school_a2.name in page
    v1 = insp.visits.get(school=world.school_a1)
    score_all(liaison, v1, value=6)
    services.complete_visit(liaison, v1)
    services.raise_rectification(liaison, v1, problem="周边网吧", requirement="联合整治", due_date=in_days(5))
    r = as_user(bureau).get(reverse("supervision:inspection_xlsx", args=[insp.pk]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A2:A3" in merged  # 序号 merged down
    assert any(m.startswith("D2:") for m in merged)  # 各方面得分 merged across
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert {r[1] for r in rows[:2]} == {world.school_a1.name, world.school_a2.name}
    assert rows[-1][0] == "合计" and rows[-1][-3] == 1
    # the liaison is not the bureau: no summary, no team changes
    assert as_user(liaison).get(reverse("supervision:inspection_xlsx", args=[insp.pk])).status_code == 403


def test_referrals_seen_only_by_their_recipient(world, as_user, leader):
    bureau = world.user[Role.BUREAU_SAFETY]
    liaison, legal = world.user[Role.PARTNER_LIAISON], world.user[Role.LEGAL_VP]
    police = services.save_unit(bureau, world.county_a.pk, {"kind": "police", "name": "习岗派出所"})
    contact = services.save_contact(bureau, police, {"name": "王警官", "user": liaison})
    r = services.refer(
        leader,
        world.school_a1,
        {
            "unit": police,
            "contact": contact,
            "reason": "left_behind",
            "child": "初一1班 张同学",
            "details": "监护人长期外出",
            "request": "协助联系监护人",
            "respond_by": in_days(5),
        },
    )
    url = reverse("supervision:referral_detail", args=[r.pk])
    assert as_user(legal).get(url).status_code == 404
    assert "张同学" not in as_user(legal).get(reverse("supervision:referral_list")).content.decode()
    c = as_user(liaison)
    assert "留守儿童" in c.get(reverse("supervision:referral_list")).content.decode()
    assert c.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="read", object_type="supervision.referral").exists()
    assert c.post(url, {"receive": "1"}).status_code == 302
    assert c.post(url, {"outcome": "已联系祖母临时监护"}).status_code == 302
    r.refresh_from_db()
    assert r.status == "closed"


def test_referral_form_and_partner_directory(world, as_user, leader):
    bureau = world.user[Role.BUREAU_SAFETY]
    c = as_user(bureau)
    r = c.post(reverse("supervision:partner_create"), {"kind": "women", "name": "贺兰县妇联", "active": "on"})
    unit = PartnerUnit.objects.get(name="贺兰县妇联")
    assert r.status_code == 302
    c.post(
        reverse("supervision:partner_edit", args=[unit.pk]),
        {"contact": "1", "name": "马主任", "phone": "0951-1"},
    )
    assert unit.contacts.count() == 1
    assert as_user(leader).get(reverse("supervision:partner_list")).status_code == 200
    assert (
        as_user(leader)
        .post(reverse("supervision:partner_create"), {"kind": "women", "name": "x"})
        .status_code
        == 403
    )
    c = as_user(leader)
    r = c.post(
        reverse("supervision:referral_create"),
        {"unit": unit.pk, "reason": "hardship", "details": "", "request": "", "respond_by": ""},
    )
    assert r.status_code == 200 and "请填写" in r.content.decode() or "必填" in r.content.decode()


def test_checklist_page_bureau_edits(world, as_user, sup):
    c = as_user(world.user[Role.BUREAU_SAFETY])
    assert c.get(reverse("supervision:checklist")).status_code == 200
    r = c.post(
        reverse("supervision:checklist"),
        {"category": "专项", "text": "新项目", "weight": "5", "position": "200", "active": "on"},
    )
    assert r.status_code == 302
    assert as_user(sup).post(reverse("supervision:checklist"), {"category": "x"}).status_code == 403


def test_visit_list_query_count(world, sup, as_user, django_assert_max_num_queries):
    for _ in range(3):
        services.plan_visit(sup, world.school_a1, planned_on=clock.today())
    c = as_user(sup)
    c.get(reverse("supervision:visit_list"))
    with django_assert_max_num_queries(20):
        assert c.get(reverse("supervision:visit_list")).status_code == 200


def test_the_bureau_edits_a_checklist_item_others_are_refused(world, as_user, bureau, sup):
    from anxin.supervision.checklist import ensure_checklist
    from anxin.supervision.models import ChecklistItem

    ensure_checklist(world.county_a.pk)
    item = ChecklistItem.objects.filter(county=world.county_a).order_by("position").first()
    url = reverse("supervision:checklist_item_edit", args=[item.pk])
    data = {
        "category": item.category,
        "text": "值班巡查记录完整",
        "weight": item.weight,
        "position": item.position,
    }
    assert as_user(sup).post(url, {**data, "active": "on"}).status_code == 403
    c = as_user(bureau)
    assert "编辑检查项目" in c.get(url).content.decode()
    r = c.post(url, {**data, "active": "on"})
    assert r.status_code == 302 and r["Location"] == reverse("supervision:checklist")
    item.refresh_from_db()
    assert item.text == "值班巡查记录完整"
    # another county's item: not found
    assert as_user(world.user_b[Role.BUREAU_SAFETY]).get(url).status_code == 404


def test_the_joint_inspection_list_pages_newest_first(world, as_user, settings):
    """联合检查 lists a page at a time (the shared pager), the newest first."""
    settings.ANXIN_LIST_PAGE_SIZE = 2
    bureau = world.user[Role.BUREAU_SAFETY]
    for n in range(3):
        services.create_inspection(
            bureau,
            world.county_a,
            title=f"第{n + 1}次联合检查",
            starts_on=clock.today() - dt.timedelta(days=30 * (3 - n)),
            ends_on=clock.today() - dt.timedelta(days=30 * (3 - n) - 2),
            schools=[world.school_a1],
        )
    c = as_user(bureau)
    first = c.get(reverse("supervision:inspection_list")).content.decode()
    assert "第3次联合检查" in first and "第2次联合检查" in first and "第1次联合检查" not in first
    assert "共 3 条" in first and "第 1 / 2 页" in first
    second = c.get(reverse("supervision:inspection_list") + "?page=2").content.decode()
    assert "第1次联合检查" in second and "第3次联合检查" not in second
