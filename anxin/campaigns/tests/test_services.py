"""Campaigns from the template, phases and tasks, evidence, articles, the board, duties,
reminders (R-CMP-1, R-CMP-2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.campaigns import progress, services
from anxin.campaigns.models import ArticleState, Task, TaskKind, TaskProgress
from anxin.campaigns.tests.helpers import campaign, more_schools
from anxin.core import clock, duties, evaluators
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db


def test_template_shifts_dates_keeping_the_seed_spacing_and_skips_unregistered_evaluators(world, monkeypatch):
    c = campaign(world, start=dt.date(2026, 3, 2))
    phases = list(c.phases.order_by("order"))
    assert [p.name for p in phases] == ["部署摸底", "集中整治", "深化提高"]
    # the seed: 03-25 → 04-15 → 06-30 → 07-31; moved by the same number of days
    assert [(p.starts_on, p.deadline) for p in phases] == [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 23)),
        (dt.date(2026, 3, 24), dt.date(2026, 6, 7)),
        (dt.date(2026, 6, 8), dt.date(2026, 7, 8)),
    ]
    keys = set(Task.objects.filter(campaign=c).values_list("evaluator", flat=True))
    assert {"screening.round_complete", "care.vulnerable_contacted", "campaigns.articles_submitted"} <= keys
    # the seed's law education, staff training and 监督岗 are judged from the modules' records
    assert {"education.law_education_held", "education.staff_trained", "oversight.posts_staffed"} <= keys
    # keys no installed module registers are listed, not created
    for s in c.skipped:
        assert evaluators.get(s["evaluator"]) is None
    assert all(evaluators.get(k) is not None for k in keys if k)
    # evidenced: 查找存在的问题 (phase 1) and 系统总结 (phase 3), which no record can judge
    assert Task.objects.filter(campaign=c, kind=TaskKind.EVIDENCE).count() == 2


def test_unregistered_keys_are_skipped_and_listed(world, monkeypatch):
    real = evaluators.get
    monkeypatch.setattr(evaluators, "get", lambda k: None if k.startswith("screening.") else real(k))
    c = campaign(world)
    skipped = {s["evaluator"] for s in c.skipped}
    assert "screening.round_complete" in skipped and "screening.hazards_covered" in skipped
    assert not Task.objects.filter(campaign=c, evaluator__startswith="screening.").exists()


def test_only_the_bureau_creates_and_edits(world):
    with pytest.raises(PermissionDenied):
        services.create_from_template(
            by=world.user[Role.PRINCIPAL], county=world.county_a, template_key="seed2024", start=clock.today()
        )
    c = campaign(world)
    phase = c.phases.first()
    with pytest.raises(PermissionDenied):
        services.update_phase(by=world.user[Role.PRINCIPAL], phase=phase, data={"name": "x"})
    with pytest.raises(PermissionDenied):  # another county's bureau
        services.update_phase(by=world.user_b[Role.BUREAU_SAFETY], phase=phase, data={"name": "x"})
    with pytest.raises(ValidationError) as e:
        services.update_phase(
            by=world.user[Role.BUREAU_SAFETY],
            phase=phase,
            data={
                "name": "摸底",
                "starts_on": clock.today(),
                "deadline": clock.today() - dt.timedelta(days=1),
            },
        )
    assert "完成期限不能早于开始日期。" in str(e.value)


def test_task_edit_validates_evaluator_and_params(world):
    c = campaign(world)
    phase = c.phases.first()
    by = world.user[Role.BUREAU_SAFETY]
    t = services.add_task(
        by=by,
        phase=phase,
        data={
            "title": "至少两个隐患点",
            "evaluator": "screening.hazards_covered",
            "params": {"min_points": 2},
        },
    )
    assert t.kind == TaskKind.DATA and t.params == {"min_points": 2}
    with pytest.raises(ValidationError):
        services.update_task(
            by=by,
            task=t,
            data={"title": "x", "evaluator": "screening.hazards_covered", "params": {"nope": 1}},
        )
    with pytest.raises(ValidationError):
        services.update_task(by=by, task=t, data={"title": "x", "evaluator": "no.such"})
    t = services.update_task(by=by, task=t, data={"title": "小学：家长会", "school_type": "primary"})
    assert t.kind == TaskKind.EVIDENCE and t.applies_to(world.school_a2) and not t.applies_to(world.school_a1)


def _evidence_task(c):
    return Task.objects.filter(campaign=c, kind=TaskKind.EVIDENCE).order_by("phase__order", "order").first()


def test_evidence_submit_return_resubmit(world):
    c = campaign(world)
    task = _evidence_task(c)
    leader = world.user[Role.SAFETY_LEADER]
    with pytest.raises(PermissionDenied):  # not their school
        services.submit_progress(by=leader, task=task, school=world.school_a2, note="x")
    with pytest.raises(PermissionDenied):  # the bureau does not report for schools
        services.submit_progress(
            by=world.user[Role.BUREAU_SAFETY], task=task, school=world.school_a1, note="x"
        )
    with pytest.raises(ValidationError):
        services.submit_progress(by=leader, task=task, school=world.school_a1, note="  ")
    pdf = SimpleUploadedFile(
        "清单.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf"
    )
    p = services.submit_progress(
        by=leader, task=task, school=world.school_a1, note="问题清单已制定", files=[pdf]
    )
    assert p.done and p.files.count() == 1
    board = progress.evaluate(c, [world.school_a1], tasks=[task])
    assert board.rows[0].cells[0].state == progress.CellState.DONE
    with pytest.raises(PermissionDenied):
        services.return_progress(by=leader, progress=p, comment="x")
    with pytest.raises(ValidationError):
        services.return_progress(by=world.user[Role.BUREAU_SAFETY], progress=p, comment="")
    services.return_progress(by=world.user[Role.BUREAU_SAFETY], progress=p, comment="请附整改台账")
    cell = progress.evaluate(c, [world.school_a1], tasks=[task]).rows[0].cells[0]
    assert cell.state == progress.CellState.OPEN and "请附整改台账" in cell.detail
    p = services.submit_progress(by=leader, task=task, school=world.school_a1, note="已补充整改台账")
    assert p.status == TaskProgress.Status.SUBMITTED and TaskProgress.objects.count() == 1


def test_files_are_checked_by_content(world):
    c = campaign(world)
    fake = SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as e:
        services.submit_progress(
            by=world.user[Role.SAFETY_LEADER],
            task=_evidence_task(c),
            school=world.school_a1,
            note="x",
            files=[fake],
        )
    assert "格式不支持" in str(e.value)


def test_board_states_and_overdue(world):
    c = campaign(world, start=clock.today() - dt.timedelta(days=40))  # phase 1 is past its deadline
    schools = [world.school_a1, world.school_a2]
    board = progress.evaluate(c, schools)
    phase1 = c.phases.get(order=1)
    p1 = [cell for cell in board.rows[0].cells if cell.task.phase_id == phase1.pk]
    assert p1 and all(cell.state == progress.CellState.OVERDUE for cell in p1 if not cell.done)
    later = [cell for cell in board.rows[0].cells if cell.task.phase.order == 3]
    assert all(cell.state == progress.CellState.NOT_STARTED for cell in later if not cell.done)
    # a task for one school type is "n/a" for the others
    t = services.add_task(
        by=world.user[Role.BUREAU_SAFETY], phase=phase1, data={"title": "小学专项", "school_type": "primary"}
    )
    cells = {r.school.pk: r.cells[0] for r in progress.evaluate(c, schools, tasks=[t]).rows}
    assert cells[world.school_a1.pk].state == progress.CellState.NA
    assert cells[world.school_a2.pk].state == progress.CellState.OVERDUE


def test_board_cost_does_not_grow_with_schools(world, django_assert_max_num_queries):
    c = campaign(world)
    few = [world.school_a1]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        progress.evaluate(c, few)
    many = few + more_schools(world, 8)
    with django_assert_max_num_queries(len(one)):
        progress.evaluate(c, many)


def test_duties_for_school_leaders_and_overdue_for_the_bureau_who_may_chase(world):
    from anxin.core import home

    c = campaign(world, start=clock.today() - dt.timedelta(days=40))
    now = clock.now()
    leader = world.user[Role.SAFETY_LEADER]
    mine = duties.duties_for(leader, now, kinds=["campaigns.task"])
    assert mine and all(d.school_id == world.school_a1.pk for d in mine)
    assert all(d.is_mine(leader) for d in mine)
    assert {d.due for d in mine} <= set(c.phases.values_list("deadline", flat=True))
    overdue = [d for d in mine if d.state(now) == duties.State.OVERDUE]
    assert overdue
    # the principal has the same; the middle manager (who may report) and the class teacher none
    assert {d.ref for d in duties.duties_for(world.user[Role.PRINCIPAL], now, kinds=["campaigns.task"])} == {
        d.ref for d in mine
    }
    assert not duties.duties_for(world.user[Role.MIDDLE_MANAGER], now, kinds=["campaigns.task"])
    # the bureau sees overdue ones of every school and may chase
    assert not duties.duties_for(world.user[Role.CLASS_TEACHER], now, kinds=["campaigns.task"])
    bureau = world.user[Role.BUREAU_SAFETY]
    theirs = duties.duties_for(bureau, now, kinds=["campaigns.task"])
    assert {d.school_id for d in theirs} == {world.school_a1.pk, world.school_a2.pk}
    assert all(d.state(now) == duties.State.OVERDUE for d in theirs)
    d = next(x for x in theirs if x.school_id == world.school_a1.pk)
    assert duties.can_chase(bureau, d, now)
    chase = home.chase(bureau, d.ref, now)
    assert chase.recipients == [leader.pk]
    # another county's bureau sees none of them
    assert not duties.duties_for(world.user_b[Role.BUREAU_SAFETY], now, kinds=["campaigns.task"])


def test_a_done_task_leaves_工作台(world):
    c = campaign(world)
    task = _evidence_task(c)
    leader = world.user[Role.SAFETY_LEADER]
    ref = f"campaigns.task:{task.pk}:{world.school_a1.pk}"
    assert ref in {d.ref for d in duties.duties_for(leader, clock.now(), kinds=["campaigns.task"])}
    services.submit_progress(by=leader, task=task, school=world.school_a1, note="已完成")
    assert ref not in {d.ref for d in duties.duties_for(leader, clock.now(), kinds=["campaigns.task"])}


def test_reminders_notify_leaders_once_for_tasks_due_soon(world):
    from anxin.campaigns.tasks import send_reminders
    from anxin.core.models import Notification

    start = clock.today() - dt.timedelta(days=18)  # phase 1 (21 days) ends in 3 days
    campaign(world, start=start)
    sent = send_reminders()
    assert sent > 0
    who = set(Notification.objects.filter(kind="campaign_reminder").values_list("recipient_id", flat=True))
    assert who == {world.user[Role.PRINCIPAL].pk, world.user[Role.SAFETY_LEADER].pk}
    assert send_reminders() == 0  # idempotent


# --- articles ------------------------------------------------------------------------------------


def test_sanitiser_strips_scripts_attributes_and_images():
    dirty = '<p onclick="x()">做法<script>alert(1)</script><img src="http://evil/x.png"><a href="javascript:1">链接</a></p><h2 style="color:red">小标题</h2>'
    clean = services.sanitise(dirty)
    assert "script" not in clean and "onclick" not in clean and "img" not in clean and "href" not in clean
    assert "<p>做法链接</p>" in clean and "<h2>小标题</h2>" in clean
    assert services.sanitise("第一段\n\n1 < 2") == "<p>第一段</p><p>1 &lt; 2</p>"
    assert services.sanitise("第一段\n第二段") == "<p>第一段</p><p>第二段</p>"
    # the edit form gives typed paragraphs back as lines, anything richer as HTML
    assert services.editable_text("<p>第一段</p><p>1 &lt; 2</p>") == "第一段\n1 < 2"
    assert services.editable_text("<h2>标题</h2><p>正文</p>") == "<h2>标题</h2><p>正文</p>"
    assert (
        services.sanitise(services.editable_text("<p>第一段</p><p>1 &lt; 2</p>"))
        == "<p>第一段</p><p>1 &lt; 2</p>"
    )


def _png():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("photo.png", buf.getvalue(), content_type="image/png")


def test_article_review_cycle_with_history(world):
    c = campaign(world)
    principal, office = world.user[Role.PRINCIPAL], world.user[Role.BUREAU_SAFETY]
    with pytest.raises(ValidationError):
        services.save_article(by=principal, campaign=c, school=world.school_a1, title="", body="<p></p>")
    a = services.save_article(
        by=principal, campaign=c, school=world.school_a1, title="我们的做法", body="<p>一</p>", files=[_png()]
    )
    assert a.state == ArticleState.DRAFT and a.files.count() == 1
    with pytest.raises(PermissionDenied):
        services.accept_article(by=principal, article=a)
    with pytest.raises(ValidationError):
        services.accept_article(by=office, article=a)  # a draft is not accepted
    with pytest.raises(PermissionDenied):  # another school's leader
        services.submit_article(by=world.user_b[Role.SAFETY_LEADER], article=a)
    a = services.submit_article(by=principal, article=a)
    with pytest.raises(ValidationError):
        services.save_article(
            by=principal, campaign=c, school=world.school_a1, title="改", body="x", article=a
        )
    a = services.return_article(by=office, article=a, comment="请补充具体数据")
    a = services.save_article(
        by=principal,
        campaign=c,
        school=world.school_a1,
        title="我们的做法（修改稿）",
        body="<p>二</p>",
        article=a,
    )
    a = services.submit_article(by=principal, article=a)
    a = services.accept_article(by=office, article=a)
    assert a.state == ArticleState.ACCEPTED and a.booklet_order == 1
    assert [(r.action, r.comment) for r in a.reviews.order_by("at", "id")] == [
        ("submit", ""),
        ("return", "请补充具体数据"),
        ("submit", ""),
        ("accept", ""),
    ]


def test_article_images_only(world):
    c = campaign(world)
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.save_article(
            by=world.user[Role.PRINCIPAL],
            campaign=c,
            school=world.school_a1,
            title="t",
            body="b",
            files=[pdf],
        )


def test_booklet_selection_only_accepted_articles(world):
    c = campaign(world)
    office = world.user[Role.BUREAU_SAFETY]
    arts = []
    for school, who in ((world.school_a1, world.user[Role.PRINCIPAL]), (world.school_a2, None)):
        from anxin.core.testing import make_user

        who = who or make_user("a2_principal", world.county_a, Role.PRINCIPAL, world.school_a2)
        a = services.save_article(
            by=who, campaign=c, school=school, title=f"{school.name}经验", body="<p>x</p>"
        )
        a = services.submit_article(by=who, article=a)
        arts.append(services.accept_article(by=office, article=a))
    draft = services.save_article(
        by=world.user[Role.PRINCIPAL], campaign=c, school=world.school_a1, title="草稿", body="x"
    )
    with pytest.raises(ValidationError):
        services.set_booklet(by=office, campaign=c, article_ids=[draft.pk])
    with pytest.raises(PermissionDenied):
        services.set_booklet(by=world.user[Role.PRINCIPAL], campaign=c, article_ids=[arts[0].pk])
    services.set_booklet(by=office, campaign=c, article_ids=[arts[1].pk, arts[0].pk])
    arts[0].refresh_from_db(), arts[1].refresh_from_db()
    assert (arts[1].booklet_order, arts[0].booklet_order) == (1, 2)
    services.set_booklet(by=office, campaign=c, article_ids=[arts[0].pk])
    arts[1].refresh_from_db()
    assert arts[1].booklet_order is None


def test_campaign_duties_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """With a running campaign, the provider's cost does not grow with the schools."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign(world, start=clock.today() - dt.timedelta(days=40))
    bureau = world.user[Role.BUREAU_SAFETY]
    from django.core.cache import cache

    duties.duties_for(bureau, clock.now(), kinds=["campaigns.task"])  # memberships cached
    cache.clear()  # the data tasks' outcomes are kept: measure them computed
    with CaptureQueriesContext(connection) as few:
        duties.duties_for(bureau, clock.now(), kinds=["campaigns.task"])
    more_schools(world, 6)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        got = duties.duties_for(bureau, clock.now(), kinds=["campaigns.task"])
    assert len({d.school_id for d in got}) == 8
    with django_assert_max_num_queries(4):  # kept: the campaigns, schools, tasks, evidence
        assert duties.duties_for(bureau, clock.now(), kinds=["campaigns.task"]) == got


def test_工作台_keeps_data_tasks_outcomes_until_a_record_of_the_county_changes(world, monkeypatch):
    """工作台 reads data tasks' outcomes through the cache (progress.evaluate(cached=True)); a
    save of any record of the county computes them again at once; the progress page is live."""
    calls = []

    def fn(schools, window, params):
        calls.append(len(schools))
        return {s.pk: evaluators.Outcome(s.short_name == "已完成", "测试") for s in schools}

    monkeypatch.setitem(evaluators._EVALUATORS, "test.calls", evaluators.Evaluator("test.calls", "测试", fn))
    c = campaign(world, start=clock.today() - dt.timedelta(days=40))
    task = Task.objects.filter(campaign=c, kind=TaskKind.DATA).order_by("phase__order", "order").first()
    task.evaluator, task.params = "test.calls", {}
    task.save()
    leader, school = world.user[Role.SAFETY_LEADER], world.school_a1
    ref = f"campaigns.task:{task.pk}:{school.pk}"

    def refs():
        return {d.ref for d in duties.duties_for(leader, clock.now(), kinds=["campaigns.task"])}

    assert ref in refs()
    assert len(calls) == 1
    assert ref in refs() and len(calls) == 1  # kept
    progress.evaluate(c, [school])
    assert len(calls) == 2  # the progress page counts live
    school.short_name = "已完成"
    school.save()  # a record of the county changed: computed again at once
    assert ref not in refs()
    assert len(calls) == 3


def test_a_login_keeps_the_outcomes_and_a_change_inside_a_transaction_moves_them_twice(
    world, django_capture_on_commit_callbacks
):
    """A login's last_login stamp moves no data version (工作台 right after logging in reads the
    kept outcomes); a save inside a transaction moves its version at once and again at commit."""
    from django.contrib.auth.signals import user_logged_in
    from django.core.cache import cache
    from django.test import RequestFactory

    from anxin.core import listing

    listing.track("accounts")
    listing.track("org")
    leader = world.user[Role.SAFETY_LEADER]
    key = listing._version_key("accounts", leader.county_id)
    before = cache.get(key)
    user_logged_in.send(sender=type(leader), request=RequestFactory().get("/"), user=leader)
    assert cache.get(key) == before
    leader.first_name = "改"
    leader.save()
    assert cache.get(key) != before
    org = listing._version_key("org", world.school_a1.county_id)
    world.school_a1.save()
    start = cache.get(org)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        world.school_a1.save()
        assert cache.get(org) == start + 1  # at once
    assert len(queued) == 1
    assert cache.get(org) == start + 2  # and at the commit
