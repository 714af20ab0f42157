"""The case pages: they render in Chinese for each role, offer the actions of the state,
refuse with the missing items, and run a bounded number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from anxin.cases import scenarios, services, views
from anxin.cases.models import BullyingCase, CaseState, PartyRole
from anxin.core import clock

S = CaseState


def test_every_step_page_renders_for_a_manager(new_case, drive, mm, as_user):
    case = new_case()
    drive(case, S.HANDLING, result="serious")
    c = as_user(mm)
    for slug in views.STEPS:
        resp = c.get(reverse("cases:case_step", args=[case.pk, slug]))
        assert resp.status_code in (200, 403), slug
    body = c.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    for text in ("当前阶段", "处置", "结案清单", "时间线", "记录处置措施", "张小明"):
        assert text in body


# queries of a repeat view of the case page, by state: the lists a case has no rows in are found
# in one query (core.relations.nonempty) and cost nothing more; 28–30 in every state before
CASE_PAGE_QUERIES = {S.REGISTERED: 13, S.INVESTIGATING: 16, S.HANDLING: 23, S.FOLLOW_UP: 25, S.CLOSED: 25}


@pytest.mark.parametrize("state", [S.REGISTERED, S.INVESTIGATING, S.HANDLING, S.FOLLOW_UP, S.CLOSED])
def test_case_page_in_each_state_runs_bounded_queries(
    new_case, drive, mm, as_user, state, django_assert_max_num_queries
):
    case = new_case()
    drive(case, state, result="severe")
    c = as_user(mm)
    url = reverse("cases:case_detail", args=[case.pk])
    # each relation is read once for the page and the guards (rules._rows), and only if it has
    # rows; the first request after login also stamps the session
    with django_assert_max_num_queries(CASE_PAGE_QUERIES[state] + 3):
        resp = c.get(url)
    assert resp.status_code == 200 and case.number in resp.content.decode()
    with django_assert_max_num_queries(CASE_PAGE_QUERIES[state]):
        again = c.get(url)
    assert again.content.decode().count("<section") == resp.content.decode().count("<section")


def test_register_runs_the_same_queries_for_5_or_40_cases(cw, mm, as_user, django_assert_max_num_queries):
    for _i in range(5):
        scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    c = as_user(cw.user["bureau_safety"])
    url = reverse("cases:case_list")
    with django_assert_max_num_queries(30) as small:
        c.get(url)
    for _i in range(35):
        scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    with django_assert_max_num_queries(len(small.captured_queries)):
        resp = c.get(url)
    assert resp.status_code == 200


def test_refused_close_shows_what_is_missing_in_chinese(new_case, drive, mm, as_user):
    case = new_case()
    drive(case, S.FOLLOW_UP, result="minor")
    c = as_user(mm)
    resp = c.post(
        reverse("cases:case_advance", args=[case.pk, "close"]), {"version": case.version}, follow=True
    )
    body = resp.content.decode()
    assert "不能结案" in body and "受欺凌学生张小明尚未接受心理辅导，不能结案" in body
    case.refresh_from_db()
    assert case.state == S.FOLLOW_UP


def test_stale_form_is_refused_on_the_page(new_case, mm, as_user):
    case = new_case()
    c = as_user(mm)
    old = case.version
    services.add_note(case, by=mm, text="先记一笔")
    resp = c.post(reverse("cases:case_advance", args=[case.pk, "begin"]), {"version": old}, follow=True)
    assert "刚被其他人更新" in resp.content.decode()


def test_manager_runs_a_case_through_the_pages(cw, mm, as_user):
    c = as_user(mm)
    now = clock.local_now().strftime("%Y-%m-%dT%H:%M")
    resp = c.post(
        reverse("cases:case_new"),
        {
            "school": cw.school_a1.pk,
            "source": "staff",
            "discovered_at": now,
            "place": "操场",
            "behaviour_types": ["physical"],
            "summary": "体育课后在操场推搡",
        },
    )
    case = BullyingCase.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("cases:case_detail", args=[case.pk])
    step = lambda slug: reverse("cases:case_step", args=[case.pk, slug])  # noqa: E731
    search = c.get(step("party") + "?q=张小").content.decode()
    assert "张小明" in search
    assert "王小刚" not in c.get(step("party") + "?q=王小").content.decode()  # other schools: exact name only
    assert "王小刚" in c.get(step("party") + "?q=王小刚").content.decode()
    for student, role in ((cw.student_own, "victim"), (cw.student_other_class, "alleged_bully")):
        case.refresh_from_db()
        r = c.post(step("party"), {"role": role, "student": student.pk, "version": case.version})
        assert r.status_code == 302, r.content.decode()
    case.refresh_from_db()
    c.post(reverse("cases:case_advance", args=[case.pk, "begin"]), {"version": case.version})
    case.refresh_from_db()
    r = c.post(step("immediate"), {"kind": "stop", "taken_at": now, "version": case.version})
    assert r.status_code == 302
    case.refresh_from_db()
    c.post(reverse("cases:case_advance", args=[case.pk, "to_notifying"]), {"version": case.version})
    for p in case.parties.all():
        case.refresh_from_db()
        r = c.post(
            step("notice"),
            {
                "party": p.pk,
                "purpose": "initial",
                "method": "phone",
                "notified_at": now,
                "participated": "on",
                "participation": "到校面谈",
                "version": case.version,
            },
        )
        assert r.status_code == 302, r.content.decode()
    case.refresh_from_db()
    c.post(reverse("cases:case_advance", args=[case.pk, "start_investigation"]), {"version": case.version})
    case.refresh_from_db()
    assert case.state == S.INVESTIGATING
    r = c.post(
        step("investigation"),
        {
            "fact_time": "课后",
            "fact_place": "操场",
            "fact_cause": "争球",
            "fact_process": "推搡",
            "fact_people": "2人",
            "version": case.version,
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    victim = case.parties.get(role=PartyRole.VICTIM)
    r = c.post(
        step("statement"),
        {
            "speaker_kind": "party",
            "party": victim.pk,
            "taken_at": now,
            "content": "他推我",
            "version": case.version,
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    c.post(reverse("cases:case_advance", args=[case.pk, "finish_investigation"]), {"version": case.version})
    case.refresh_from_db()
    assert case.state == S.DETERMINING
    members = services.committee_for(cw.school_a1).members.all()
    r = c.post(
        step("determination"),
        {
            "meeting_at": now,
            "members_present": [m.pk for m in members],
            "votes_for": len(members),
            "votes_against": 0,
            "votes_abstain": 0,
            "result": "minor",
            "between_students": "on",
            "deliberate": "on",
            "means": "推搡",
            "harm_types": ["bodily"],
            "advantage_bases": ["size"],
            "record": "委员会会议记录",
            "version": case.version,
        },
    )
    assert r.status_code == 302, r.content.decode()
    case.refresh_from_db()
    assert case.state == S.HANDLING and case.result == "minor"
    measure_page = c.get(step("measure")).content.decode()
    assert 'value="criticism"' in measure_page and 'value="warning_talk"' in measure_page
    assert 'value="expulsion"' not in measure_page and 'value="suspension"' not in measure_page


def test_committee_page_constitutes_the_committee_and_shows_what_is_missing(world, as_user):
    from anxin.cases.models import Committee

    c = as_user(world.user["principal"])
    page = c.get(reverse("cases:committee")).content.decode()
    assert "学校尚未组建学生欺凌治理委员会" in page
    c.post(reverse("cases:committee"), {"action": "constitute", "established_on": "2026-09-01"})
    committee = Committee.objects.get(school=world.school_a1)
    c.post(
        reverse("cases:committee"), {"action": "add", "kind": "principal", "name": "王校长", "is_chair": "on"}
    )
    page = c.get(reverse("cases:committee")).content.decode()
    assert "缺少家长代表" in page and "王校长" in page
    for kind in ("staff", "parent", "outside"):
        c.post(reverse("cases:committee"), {"action": "add", "kind": kind, "name": f"委员{kind}"})
    assert "已依法组成" in c.get(reverse("cases:committee")).content.decode()
    assert committee.members.count() == 4
    # a middle manager sees it but cannot change it
    mm = as_user(world.user["middle_manager"])
    assert mm.get(reverse("cases:committee")).status_code == 200
    assert (
        mm.post(reverse("cases:committee"), {"action": "add", "kind": "staff", "name": "x"}).status_code
        == 403
    )


def test_report_is_drafted_on_the_page_signed_off_by_the_principal_and_sent_by_a_leader(
    new_case, mm, leader, cw, as_user
):
    case = new_case(source="public_opinion")
    services.record_immediate(case, by=mm, kind="separate", taken_at=clock.now())
    c = as_user(mm)
    resp = c.post(
        reverse("cases:case_step", args=[case.pk, "report"]), {"kind": "first", "version": case.version}
    )
    report = case.bureau_reports.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("cases:report_detail", args=[report.pk])
    # 联系人及电话 comes from the school's leadership, not typed
    assert cw.user["safety_leader"].real_name in report.contact
    page = c.get(resp["Location"]).content.decode()
    assert "距发现已过" in page and "报送县教体局</button>" not in page  # a middle manager drafts only
    assert "待校长签发" in page and 'name="signer"' not in page  # the signer is never typed
    form = {
        f: getattr(report, f)
        for f in ("occurred_text", "place", "cause", "process", "people", "measures_taken")
    }
    form.update(contact="政教处 0951-8012345", signer="王校长")
    c.post(reverse("cases:report_detail", args=[report.pk]), form)
    report.refresh_from_db()
    assert report.contact == "政教处 0951-8012345" and report.signer == ""  # a typed signer is ignored
    lc = as_user(leader)
    # not signed off yet: the send is refused with a clear message
    resp = lc.post(reverse("cases:report_detail", args=[report.pk]), {**form, "submit": "1"})
    assert resp.status_code == 200
    assert "报告须经校长（或校长指定的副校长）在系统中签发后才能报送" in resp.content.decode()
    report.refresh_from_db()
    assert report.submitted_at is None
    # a safety leader the principal did not designate cannot sign
    assert lc.post(reverse("cases:report_sign_off", args=[report.pk])).status_code == 403
    principal = cw.user["principal"]
    pc = as_user(principal)
    page = pc.get(reverse("cases:report_detail", args=[report.pk])).content.decode()
    assert "确定以本人名义签发这份报告吗？" in page  # the sign button asks first
    resp = pc.post(reverse("cases:report_sign_off", args=[report.pk]))
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.signed_off_by == principal and report.signed_off_at is not None
    page = lc.get(reverse("cases:report_detail", args=[report.pk])).content.decode()
    assert f"已由 {principal.real_name} 于" in page and "签发" in page
    lc.post(reverse("cases:report_detail", args=[report.pk]), {**form, "submit": "1"})
    report.refresh_from_db()
    assert report.submitted_at is not None and report.is_late is False
    # frozen: a later edit is refused
    resp = lc.post(reverse("cases:report_detail", args=[report.pk]), {**form, "place": "改动"})
    assert resp.status_code == 403
    report.refresh_from_db()
    assert report.place != "改动"


def test_holiday_calendar_is_kept_by_the_bureau_administrator(world, as_user):
    from anxin.cases.models import Holiday

    admin = as_user(world.user["bureau_admin"])
    admin.post(reverse("cases:holidays"), {"date": "2026-10-01", "name": "国庆节"})
    assert Holiday.objects.filter(county=world.county_a, date="2026-10-01").exists()
    assert (
        as_user(world.user["middle_manager"])
        .post(reverse("cases:holidays"), {"date": "2026-10-02", "name": "x"})
        .status_code
        == 403
    )


def test_the_menu_marks_the_register_on_its_page_and_on_a_case(new_case, mm, as_user):
    """On 事件台账 its menu entry is the page (aria-current="page"); a case is not in the menu,
    so on a case 事件台账 is marked as where the user is (aria-current="true"), and no other
    entry is."""
    case = new_case()
    c = as_user(mm)
    register = reverse("cases:case_list")
    page = c.get(register).content.decode()
    assert f'href="{register}" aria-current="page"' in page and page.count("aria-current") == 1
    page = c.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f'href="{register}" aria-current="true"' in page and page.count("aria-current") == 1
    page = c.get(reverse("core:home")).content.decode()
    assert 'href="/home/" aria-current="page"' in page and page.count("aria-current") == 1


def test_the_page_names_those_found_to_have_bullied_not_every_alleged_one(new_case, drive, mm, cw, as_user):
    """The closing checklist reads the determination's bullies (taken from the parties the page
    already read), not the alleged ones the determination left out."""
    from anxin.core.testing import make_student

    case = new_case()
    found = services.add_party(
        case, by=mm, role=PartyRole.ALLEGED_BULLY, student=make_student(cw.class_a1_2, "钱多多", 71)
    )
    drive(case, CaseState.DETERMINING)
    scenarios.determine(case, mm, "severe", bullies=[found])
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    page = as_user(mm).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    checklist = page[page.index('id="checklist"') : page.index('id="reporting"')]
    assert "对实施欺凌学生钱多多尚未采取" in checklist and "实施欺凌学生钱多多尚未接受心理辅导" in checklist
    alleged = cw.student_other_class.name  # alleged, not found: owes no measure and no counselling
    assert f"对实施欺凌学生{alleged}尚未采取" not in checklist
    assert f"实施欺凌学生{alleged}尚未接受心理辅导" not in checklist


def test_case_page_reads_no_students_secrets_and_names_each_rows_party(
    cw, new_case, drive, mm, as_user, monkeypatch
):
    """The page shows a party's name, school and class, never the student's 身份证件号 or
    健康状况: those are left unread (no decryption), and each notice, measure and follow-up
    names its party from the parties the page has already read."""
    from anxin.core.testing import decryptions
    from anxin.roster.models import Student

    secret = "640122201101010011"
    Student.objects.filter(pk=cw.student_other_class.pk).update(id_number=secret, health="哮喘")
    case = new_case()
    drive(case, S.CLOSED, result="severe")
    from anxin.cases.models import BureauReport

    marker = "下一步：约谈双方家长（仅见于报告）"
    assert BureauReport.objects.filter(case=case).update(next_steps=marker)
    c = as_user(mm)
    url = reverse("cases:case_detail", args=[case.pk])
    c.get(url)
    plain = decryptions(monkeypatch)
    body = c.get(url).content.decode()
    assert plain, "the case's own encrypted facts are still decrypted"
    assert secret not in plain and "哮喘" not in plain
    # nor the bureau reports' narratives (the page lists the reports by title and time only)
    assert marker not in plain
    bully = cw.student_other_class.name
    for section in ("notices", "measures", "followups"):
        part = body.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
        assert bully in part, section


def test_timeline_lines_name_the_party_mark_corrections_and_escape_text(cw, new_case, mm, as_user):
    """Each timeline line: number, time, actor, summary; the party an event is about; a
    correction points at the event it corrects; what people typed is escaped."""
    mm.real_name = "王<i>老师</i>"
    mm.save(update_fields=["real_name"])
    case = new_case()
    outsider = services.add_party(case, by=mm, role=PartyRole.BYSTANDER, outsider_name="校外<u>人员</u>")
    fix = services.correct_facts(case, by=mm, reason="核实<b>后</b>更正", place="操场东侧")
    body = as_user(mm).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    timeline = body.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    at = fix.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert f'<li><span class="muted">#{fix.seq} {at} {escape(mm.real_name)}</span> 更正：' in timeline
    assert "核实&lt;b&gt;后&lt;/b&gt;更正" in timeline and "<b>" not in timeline
    assert f"{escape(mm.real_name)}</span>" in timeline and "<i>" not in timeline
    assert f"（{escape(outsider.name)}）</li>" in timeline and "<u>" not in timeline
    assert f'<span class="badge">更正/变更 → #{fix.corrects.seq}</span></li>' in timeline
    party_events = [e for e in case.events.all() if (e.data or {}).get("party_id")]
    assert party_events
    for e in party_events:
        name = case.parties.get(pk=e.data["party_id"]).name
        assert f"{escape(e.summary)}（{escape(name)}）" in timeline
    assert timeline.count("<li>") == case.events.count()


def test_determination_lists_the_members_present_in_the_committees_order(cw, new_case, drive, mm, as_user):
    """出席: those present at each meeting, the chair first, as the committee lists them; a
    member who was not there is not named."""
    case = new_case()
    drive(case, S.DETERMINING)
    committee = services.committee_for(case.school_id)
    members = list(committee.members.filter(left_on__isnull=True))  # (Meta.ordering: the chair first)
    absent = members.pop()
    services.record_determination(
        case,
        by=mm,
        meeting_at=clock.now(),
        members_present=list(reversed(members)),
        votes_for=len(members),
        result="joke",
        record="委员会听取调查情况。",
        meeting_place="学校会议室",
    )
    body = as_user(mm).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    section = body.split('id="determinations"', 1)[1].split("</section>", 1)[0]
    assert members[0].is_chair and len(members) >= 2
    assert "出席：" + "、".join(m.name for m in members) + "</dd>" in section
    assert absent.name not in section
