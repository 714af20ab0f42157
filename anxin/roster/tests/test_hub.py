"""The student page as the hub (issue 11 item 4): each part only to those allowed, the read
audited once naming the parts shown, one-tap actions, a talk logged anywhere shows at once, and
a fixed number of queries whatever the student's history."""

import datetime as dt

import pytest
from django.urls import reverse

from anxin.care import services as care
from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.roster import hub as student_hub
from anxin.screening import risk
from anxin.screening.models import RiskSignal, SurveyToken


def _url(st):
    return reverse("roster:student_detail", args=[st.pk])


def _orange(st):
    for i in range(2):
        RiskSignal.objects.create(
            student=st,
            county_id=st.county_id,
            school_id=st.school_id,
            kind="named_concern",
            source_type="t",
            source_id=str(i),
        )
    risk.recompute([st.pk])


def _disclose(world, st, **data):
    from anxin.screening import services

    survey = services.create_survey(
        by=world.user["class_teacher"], klass=st.klass, closes_on=clock.today() + dt.timedelta(days=7)
    )
    token = SurveyToken.objects.get(survey=survey, student=st)
    return services.submit_response(survey=survey, token=token, data=data)


@pytest.fixture
def rich(world):
    """student_own: 橙, a survey answer saying weekly bullying, a case as victim, a talk."""
    from anxin.cases import scenarios

    st = world.student_own
    _orange(st)
    _disclose(world, st, victim={"verbal": 3})
    scenarios.constitute(world.school_a1, world.user["principal"])
    case = scenarios.open_simple(
        world.school_a1, world.user["middle_manager"], victim=st, bully=world.student_other_class
    )
    return st, case


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("class_teacher", {"risk", "care", "contacts", "screening", "survey", "cases"}, {"reports"}),
        ("counsellor", {"risk", "care", "contacts", "screening", "survey"}, {"reports"}),
        ("principal", {"risk", "care", "contacts", "screening", "reports", "cases"}, {"survey"}),
    ],
)
def test_parts_follow_the_policy_and_the_read_is_audited_once(world, as_user, rich, role, shown, hidden):
    st, case = rich
    c = as_user(world.user[role])
    r = c.get(_url(st))
    assert r.status_code == 200
    hub = r.context["hub"]
    assert shown <= set(hub.sections) and not (hidden & set(hub.sections))
    page = r.content.decode()
    assert ("问卷反映，尚未谈心或提出关注" in page) == ("survey" in shown)
    assert ("每周都遭受欺凌" in page) == ("survey" in shown)
    reads = AuditEvent.objects.filter(action="read", object_type="roster.student", object_id=str(st.pk))
    assert reads.count() == 1
    assert reads.get().data == {"view": "roster:student_detail", "sections": hub.sections}


def test_counsellor_sees_a_case_only_with_a_counselling_duty(world, as_user, rich):
    st, case = rich
    hub = as_user(world.user["counsellor"]).get(_url(st)).context["hub"]
    assert [c.pk for c, _roles in hub.cases] == []
    ct = as_user(world.user["class_teacher"]).get(_url(st)).context["hub"]
    assert [(c.pk, roles) for c, roles in ct.cases] == [(case.pk, ["被欺凌学生"])]


def test_subject_teacher_and_other_class_get_nothing(world, as_user, rich):
    st, _case = rich
    assert as_user(world.user["subject_teacher"]).get(_url(st)).status_code == 404
    assert as_user(world.user["class_teacher"]).get(_url(world.student_other_class)).status_code == 404
    assert as_user(world.user_b["class_teacher"]).get(_url(st)).status_code == 404


def test_risk_reasons_and_the_proposal_show(world, as_user, rich):
    st, _case = rich
    page = as_user(world.user["class_teacher"]).get(_url(st)).content.decode()
    assert 'class="level orange"' in page
    assert "近90天在举报或关注线索中被多次提及" in page  # the reason shows with the level
    assert "建议建立关爱帮扶计划" in page


def test_one_tap_actions_open_the_forms_prefilled_and_a_talk_shows_at_once(world, as_user, rich):
    st, _case = rich
    teacher = world.user["class_teacher"]
    c = as_user(teacher)
    hub = c.get(_url(st)).context["hub"]
    labels = [a[0] for a in hub.actions]
    assert labels[:3] == ["记一次谈心", "家访", "反映情况"]
    talk_url = hub.actions[0][1]
    form = c.get(talk_url).context["form"]
    assert form.initial["kind"] == "talk"
    assert "kind=home_visit" in hub.actions[1][1]
    concern = c.get(hub.actions[2][1])
    assert concern.status_code == 200 and concern.context["student"] == st
    now = clock.local_now().strftime("%Y-%m-%dT%H:%M")
    r = c.post(talk_url, {"kind": "talk", "summary": "聊了问卷的事，她说课间被起外号", "occurred_at": now})
    assert r.status_code == 302 and r.url == _url(st)
    page = c.get(_url(st)).content.decode()
    assert "聊了问卷的事" in page and "问卷反映，尚未谈心或提出关注" not in page
    # … and on the class's contact overview
    overview = c.get(reverse("care:class_mechanisms", args=[st.klass_id])).content.decode()
    assert f"{clock.today():%Y-%m-%d} 谈心谈话" in overview


def test_next_must_stay_on_the_site(world, as_user):
    c = as_user(world.user["class_teacher"])
    st = world.student_own
    now = clock.local_now().strftime("%Y-%m-%dT%H:%M")
    url = reverse("care:student_log", args=[st.pk]) + "?kind=talk&next=https://evil.example/"
    r = c.post(url, {"kind": "talk", "summary": "谈心", "occurred_at": now})
    assert r.status_code == 302 and "evil" not in r.url


def test_move_form_is_behind_a_button(world, as_user):
    page = as_user(world.user["class_teacher"]).get(_url(world.student_own)).content.decode()
    assert '<details class="more card narrow" id="move">' in page
    assert page.index('id="placements"') < page.index('id="move"')


def test_hub_runs_a_fixed_number_of_queries(world, rich, django_assert_num_queries):
    from anxin.core import policy

    st, _case = rich
    # risk 2, plans 1, contacts 1, screening 1, survey 2 (answers, concerns), reports 1, cases 1;
    # referrals 1 for those who read them (the principal)
    for role, expected in (("class_teacher", 8), ("counsellor", 8), ("principal", 8)):
        user = world.user[role]
        policy.memberships(user), policy.grants(user)  # loaded once per request by the middleware
        with django_assert_num_queries(expected):
            student_hub.build(user, st)
    user = world.user["class_teacher"]
    for i in range(5):
        care.log_contact(user, student=st, kind="talk", summary=f"谈心{i}")
    _disclose(world, st, victim={"property": 1})
    with django_assert_num_queries(8):
        hub = student_hub.build(user, st)
    assert len(hub.contacts) == 5 and len(hub.disclosures) == 2


def test_a_referral_about_the_student_shows_on_the_hub_to_those_who_read_referrals(world, rich, client):
    from django.urls import reverse

    from anxin.core.testing import login
    from anxin.supervision import services as sup
    from anxin.supervision.models import PartnerUnit

    st, _case = rich
    unit = PartnerUnit.objects.create(county=world.county_a, name="贺兰县民政局", kind="civil")
    leader = world.user["safety_leader"]
    sup.refer(
        leader,
        st.school,
        {
            "unit": unit,
            "reason": "hardship",
            "student_name": st.name,
            "details": "家庭困难。",
            "request": "申请临时救助",
            "respond_by": dt.date.today() + dt.timedelta(days=7),
        },
    )
    url = reverse("roster:student_detail", args=[st.pk])
    login(client, world.user["principal"])
    assert "贺兰县民政局" in client.get(url).content.decode()
    login(client, world.user["class_teacher"])  # reads the student, not the school's referrals
    assert "贺兰县民政局" not in client.get(url).content.decode()
