"""The class screening sheet without rubber stamps (issue 11 item 5): rows start empty, a row's
"全部正常" chip, "本班其余全部正常" refusing (server side, by name) the students to look at one
by one, the progress counter and the "只看未排查" filter."""

import datetime as dt
import re

from django.urls import reverse

from anxin.core import clock
from anxin.core.testing import make_student
from anxin.screening import class_sheet, risk
from anxin.screening.models import RiskSignal, ScreeningRecord, SurveyToken
from anxin.screening.tests.helpers import open_round, record


def url(rnd, klass):
    return reverse("screening:round_class", args=[rnd.pk, klass.pk])


def bulk(rnd, klass):
    return reverse("screening:round_class_normal", args=[rnd.pk, klass.pk])


def _row_html(page, sid):
    m = re.search(rf'<form id="row-{sid}".*?</form>', page, re.S)
    return m.group(0)


def test_rows_start_empty(world, as_user):
    rnd = open_round(world)
    page = as_user(world.user["class_teacher"]).get(url(rnd, world.class_a1_1)).content.decode()
    row = _row_html(page, world.student_own.pk)
    assert " selected" not in row
    assert "全部正常" in row and "已预填" not in page


def test_the_row_chip_fills_that_row_only(world, as_user):
    other = make_student(world.class_a1_1, "陈小华", 11)
    rnd = open_round(world)
    c = as_user(world.user["class_teacher"])
    r = c.post(url(rnd, world.class_a1_1), {"student": world.student_own.pk, "all_normal": "1"})
    assert r.status_code == 302
    rec = ScreeningRecord.objects.get(round=rnd, student=world.student_own)
    assert (rec.psych, rec.mood, rec.peers) == ("good", "stable", "harmonious")
    assert not ScreeningRecord.objects.filter(student=other).exists()


def test_an_empty_row_is_not_saved(world, as_user):
    rnd = open_round(world)
    r = as_user(world.user["class_teacher"]).post(
        url(rnd, world.class_a1_1), {"student": world.student_own.pk, "family_contacted": "1"}
    )
    assert r.status_code == 200 and "请选择心理状况" in r.content.decode()
    assert not ScreeningRecord.objects.exists()


def _disclose(world, st):
    from anxin.screening import services

    survey = services.create_survey(
        by=world.user["class_teacher"], klass=st.klass, closes_on=clock.today() + dt.timedelta(days=7)
    )
    token = SurveyToken.objects.get(survey=survey, student=st)
    services.submit_response(survey=survey, token=token, data={"victim": {"verbal": 3}})


def _orange(st):
    for i in range(2):
        RiskSignal.objects.create(
            student=st, county_id=st.county_id, school_id=st.school_id,
            kind="named_concern", source_type="t", source_id=str(i),
        )  # fmt: skip
    risk.recompute([st.pk])


def test_bulk_refuses_flagged_orange_and_open_case_students_by_name(world, as_user):
    from anxin.cases import scenarios

    k = world.class_a1_1
    flagged = world.student_own
    orange = make_student(k, "橙同学", 21)
    in_case = make_student(k, "事件同学", 22)
    fine = [make_student(k, f"正常{i}", 30 + i) for i in range(3)]
    done = make_student(k, "已排查", 40)
    _disclose(world, flagged)
    _orange(orange)
    scenarios.constitute(world.school_a1, world.user["principal"])
    scenarios.open_simple(world.school_a1, world.user["middle_manager"], victim=in_case,
                          bully=world.student_other_class)  # fmt: skip
    rnd = open_round(world)
    record(world, rnd, done, psych="concern")
    c = as_user(world.user["class_teacher"])
    r = c.post(bulk(rnd, k), follow=True)
    assert r.redirect_chain[-1][0].endswith("?todo=1")
    text = [str(m) for m in r.context["messages"]]
    assert "已将 3 名学生记为全部正常。" in text
    refusal = next(m for m in text if m.startswith("以下 3 名学生不能一键记为正常"))
    assert "张小明（问卷自述：每周都遭受欺凌行为" in refusal
    assert "橙同学（风险等级橙）" in refusal
    assert "事件同学（" in refusal and "有未结案的欺凌事件" in refusal
    recs = {rec.student_id: rec for rec in ScreeningRecord.objects.filter(round=rnd)}
    assert set(recs) == {s.pk for s in fine} | {done.pk}
    assert recs[done.pk].psych == "concern"  # a row already screened is never overwritten
    assert all(recs[s.pk].psych == "good" for s in fine)
    # only the three remain in "只看未排查", each marked
    page = r.content.decode()
    assert page.count('class="scr-row"') == 3 and page.count("scr-look") == 3
    assert "本班其余全部正常</button>" not in page  # nothing left it could fill
    # one by one they can be screened (the chip on their own row is a decision about that row)
    c.post(url(rnd, k), {"student": orange.pk, "psych": "concern", "mood": "low", "peers": "tense"})
    assert ScreeningRecord.objects.filter(round=rnd, student=orange).exists()


def test_bulk_with_nobody_to_refuse(world, as_user):
    rnd = open_round(world)
    make_student(world.class_a1_1, "陈小华", 11)
    r = as_user(world.user["class_teacher"]).post(bulk(rnd, world.class_a1_1))
    assert r.status_code == 302 and r.url == url(rnd, world.class_a1_1)
    assert ScreeningRecord.objects.filter(round=rnd).count() == 2


def test_bulk_is_refused_outside_scope_or_on_a_closed_round(world, as_user):
    rnd = open_round(world)
    assert as_user(world.user["class_teacher"]).post(bulk(rnd, world.class_a1_2)).status_code == 404
    assert as_user(world.user["subject_teacher"]).post(bulk(rnd, world.class_a1_1)).status_code in (403, 404)
    assert as_user(world.user["counsellor"]).get(bulk(rnd, world.class_a1_1)).status_code == 405
    assert not ScreeningRecord.objects.exists()


def test_counter_and_filter(world, as_user):
    other = make_student(world.class_a1_1, "陈小华", 11)
    rnd = open_round(world)
    record(world, rnd, world.student_own)
    c = as_user(world.user["class_teacher"])
    page = c.get(url(rnd, world.class_a1_1)).content.decode()
    assert 'class="scr-sticky"' in page and "<strong>1</strong> / 2" in page
    assert "只看未排查（1）" in page and page.count('class="scr-row"') == 2
    assert "本班其余全部正常</button>" in page
    page = c.get(url(rnd, world.class_a1_1), {"todo": "1"}).content.decode()
    assert page.count('class="scr-row"') == 1 and f'id="row-{other.pk}"' in page and "显示全部" in page


def test_the_sheet_script_is_served_locally(world, as_user):
    rnd = open_round(world)
    page = as_user(world.user["class_teacher"]).get(url(rnd, world.class_a1_1)).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert any(s.endswith("screening/class_sheet.js") for s in scripts)
    assert all(s.startswith("/") for s in scripts)  # no CDN


def test_expand_post_only_with_the_chip():
    from django.http import QueryDict

    assert class_sheet.expand_post(QueryDict("student=1&psych=good")).get("mood") is None
    post = class_sheet.expand_post(QueryDict("student=1&all_normal=1&psych=abnormal"))
    assert (post["psych"], post["mood"], post["peers"]) == ("good", "stable", "harmonious")
