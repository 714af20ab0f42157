from anxin.core import clock
from anxin.core.roles import Role
from anxin.supervision import services
from anxin.supervision.models import PartnerUnit
from anxin.supervision.tests.conftest import in_days

API = "/api/v1/"


def test_visits_api_scoped_and_scores(world, as_user, sup, sup_a2, visit):
    other = services.plan_visit(sup_a2, world.school_a2, planned_on=clock.today())
    c = as_user(sup)
    ids = [v["id"] for v in c.get(API + "supervision-visits/").json()["results"]]
    assert ids == [visit.pk]
    assert c.get(API + f"supervision-visits/{other.pk}/").status_code == 404
    s = visit.scores.first()
    r = c.post(
        API + f"supervision-visits/{visit.pk}/scores/",
        {"scores": [{"id": s.pk, "score": "999"}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and f"score_{s.pk}" in r.json()
    r = c.post(
        API + f"supervision-visits/{visit.pk}/scores/",
        {"scores": [{"id": s.pk, "score": "3", "note": "缺记录"}], "findings": "发现"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["findings"] == "发现"
    assert as_user(world.user[Role.CLASS_TEACHER]).get(API + "supervision-visits/").status_code == 403


def test_rectification_and_referral_api(world, as_user, sup, leader, visit):
    item = services.raise_rectification(sup, visit, problem="p", requirement="q", due_date=in_days(5))
    c = as_user(leader)
    r = c.post(
        API + f"supervision-rectifications/{item.pk}/respond/",
        {"action_taken": "已整改", "submit": True},
        content_type="application/json",
    )
    assert r.status_code == 400  # no evidence file yet
    bureau = world.user[Role.BUREAU_SAFETY]
    liaison = world.user[Role.PARTNER_LIAISON]
    unit = PartnerUnit.objects.create(county=world.county_a, kind="police", name="派出所")
    contact = services.save_contact(bureau, unit, {"name": "王警官", "user": liaison})
    ref = services.refer(
        leader,
        world.school_a1,
        {
            "unit": unit,
            "contact": contact,
            "reason": "safety",
            "details": "d",
            "request": "q",
            "respond_by": in_days(3),
        },
    )
    assert as_user(world.user[Role.LEGAL_VP]).get(API + "referrals/").json()["results"] == []
    c = as_user(liaison)
    assert [x["id"] for x in c.get(API + "referrals/").json()["results"]] == [ref.pk]
    r = c.post(API + f"referrals/{ref.pk}/outcome/", {"outcome": "已处理"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    units = as_user(leader).get(API + "partner-units/").json()["results"]
    assert units[0]["contacts"][0]["name"] == "王警官"
