"""Every table of school data carries its county and school keys (GUIDE principle 7, "built for
a province"; issue 13 item 6), so that the tables can be partitioned or distributed by county
later (docs/scale.md) as a configuration change, not a rewrite.

A model *holds school data* when it is ``org.School`` or ``roster.Student``, when it carries a
school key itself, or when one of its foreign keys leads to a model that holds school data (at
any depth). Auto-created many-to-many join tables are tables too and are checked the same way.

A *key* is a concrete column named ``county``/``county_id`` or ``school``/``school_id``: a
foreign key to ``org.County`` / ``org.School``, or a ``BigIntegerField`` holding their id.

Every concrete model of the ``anxin`` apps falls in exactly one group:

- it carries both keys (the rule);
- ``COUNTY_LEVEL``: county data where a school genuinely does not apply; it must carry the
  county key (and, once it carries a school key too, leaves the list);
- ``NO_SCHOOL_DATA``: it must not hold school data; checked, so an entry cannot hide a table
  that does.

A new model that fits none of them fails ``test_every_table_of_school_data_carries_its_keys``,
which names the table, the missing key and the foreign-key path that makes it school data.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

KEY_TARGETS = {"county": "org.County", "school": "org.School"}
SCHOOL_DATA_ROOTS = {"org.School", "roster.Student"}

# County data where a school does not apply: the county key is enough. One line each: why.
COUNTY_LEVEL: dict[str, str] = {
    "core.RetentionMark": "marks a record the county's retention run anonymised; the record's own table carries its school",
    "accounts.User": "an account belongs to a county; its schools are its Membership rows, which carry both keys",
    "org.Office": "an office of the county bureau",
    "org.School": "the school itself: its id is the school key every other table carries",
    "cases.Holiday": "the county's working-day calendar",
    "cases.LegalParameterVersion": "a version of the county's legal parameters",
    "screening.VulnerabilityCategory": "a category of the county's 弱势学生 register",
    "screening.CountyRound": "a round the bureau opens for all its schools; each school's ScreeningRound carries the school",
    "dashboards.CountyCaseCount": "the county's case rollup rows summed over its schools (the school rows are dashboards.CaseCount)",
    "dashboards.CountyTypeCount": "the county's behaviour-type rollup rows summed over its schools (dashboards.CaseTypeCount)",
    "campaigns.Campaign": "the bureau's campaign for the whole county",
    "campaigns.Phase": "a phase of a county campaign",
    "campaigns.Task": "a task of a county campaign; each school's TaskProgress carries the school",
    "governance.GovernanceSetting": "a county setting",
    "governance.ChecklistItem": "an item of the county's self-check checklist",
    "governance.Lesson": "a de-identified lesson for the whole county; its source case is a pointer, nothing of the school is copied",
    "oversight.AccountabilitySetting": "a county setting (the 通报约谈 thresholds)",
    "education.EducationSetting": "a county setting",
    "supervision.ChecklistItem": "an item of the county's supervision checklist",
    "supervision.PartnerUnit": "a partner unit of the county (公安, 检察 …)",
    "supervision.PartnerContact": "a person at one of the county's partner units",
    "supervision.Inspection": "a joint inspection over several schools; each school's Visit carries the school",
    "supervision.TeamMember": "a member of a county inspection team",
}

# Tables that hold no school data at all. One line each: why.
NO_SCHOOL_DATA: dict[str, str] = {
    "core.AuditCheckpoint": "a signed checkpoint over every audit stream of the deployment (lengths and hashes)",
    "core.HomeVisit": "when an account last opened 工作台: one timestamp per user",
    "accounts.PasswordHistory": "hashes of an account's previous passwords",
    "accounts.ApiToken": "the hash of an account's API token",
    "accounts.User_groups": "Django's join of accounts and auth groups",
    "accounts.User_user_permissions": "Django's join of accounts and auth permissions",
    "org.County": "the county itself: its id is the county key every other table carries",
    "org.Region": "a city or province above the counties: a name and a code",
    "accounts.RegionPost": "an account's post at a city or province education department",
    "supervision.Inspection_units": "joins a county inspection to the county's partner units",
}


# --- the check ------------------------------------------------------------------------------------


def project_models() -> list[type[models.Model]]:
    """Every concrete model of the anxin apps, their auto-created join tables included."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if apps.get_app_config(m._meta.app_label).name.startswith("anxin.") and not m._meta.proxy
    ]


def key(model: type[models.Model], name: str) -> models.Field | None:
    """The model's ``county`` or ``school`` key column, or None."""
    for f in model._meta.concrete_fields:
        if f.name not in (name, f"{name}_id"):
            continue
        if isinstance(f, models.ForeignKey) and f.related_model._meta.label == KEY_TARGETS[name]:
            return f
        if isinstance(f, models.BigIntegerField) and not f.is_relation:
            return f
    return None


def school_data_path(model: type[models.Model], _seen: frozenset[str] = frozenset()) -> list[str] | None:
    """Why the model holds school data, as a chain of foreign keys ending at a root or at a model
    with a school key (``["governance.Lesson.case", "cases.BullyingCase.school"]``); None if it holds
    none. Foreign keys only: a many-to-many field lives in its join table, checked on its own."""
    label = model._meta.label
    if label in SCHOOL_DATA_ROOTS:
        return [label]
    school = key(model, "school")
    if school is not None:
        return [f"{label}.{school.name}"]
    seen = _seen | {label}
    for f in model._meta.concrete_fields:
        if not (f.many_to_one or f.one_to_one) or f.related_model is None:
            continue
        target = f.related_model
        if target._meta.label in seen:
            continue
        rest = school_data_path(target, seen)
        if rest is not None:
            return [f"{label}.{f.name}", *rest]
    return None


def offences(model: type[models.Model]) -> str | None:
    """What is wrong with one model's keys, or None. Allowlisted models are judged by their list."""
    label = model._meta.label
    has_county, has_school = key(model, "county") is not None, key(model, "school") is not None
    if label in NO_SCHOOL_DATA:
        path = school_data_path(model)
        return f"listed in NO_SCHOOL_DATA but holds school data: {' → '.join(path)}" if path else None
    if label in COUNTY_LEVEL:
        if not has_county:
            return "listed in COUNTY_LEVEL but has no county key"
        if has_school:
            return "listed in COUNTY_LEVEL but carries both keys now: remove it from the list"
        return None
    missing = [name for name, has in (("county", has_county), ("school", has_school)) if not has]
    if not missing:
        return None
    path = school_data_path(model)
    why = f"holds school data: {' → '.join(path)}" if path else "not in COUNTY_LEVEL or NO_SCHOOL_DATA"
    return f"no {' and no '.join(missing)} key ({why})"


def report(found: dict[str, str]) -> str:
    lines = [f"  {label} ({table}): {what}" for (label, table), what in sorted(found.items())]
    return (
        f"{len(found)} table(s) without their county/school keys (GUIDE principle 7; docs/scale.md):\n"
        + "\n".join(lines)
        + "\nAdd `county`/`school` (as the app's other models do: core.models.CountySchoolModel, or "
        "BigIntegerField county_id/school_id), set them wherever rows are made, with a migration "
        "filling them; or list the model in COUNTY_LEVEL / NO_SCHOOL_DATA with a one-line reason."
    )


def check(models_: list[type[models.Model]]) -> dict[tuple[str, str], str]:
    found = {}
    for m in models_:
        what = offences(m)
        if what:
            found[(m._meta.label, m._meta.db_table)] = what
    return found


# --- the project ----------------------------------------------------------------------------------


def test_every_table_of_school_data_carries_its_keys():
    found = check(project_models())
    assert not found, report(found)


def test_the_lists_name_existing_models_once():
    labels = {m._meta.label for m in project_models()}
    assert not set(COUNTY_LEVEL) & set(NO_SCHOOL_DATA)
    stale = sorted((set(COUNTY_LEVEL) | set(NO_SCHOOL_DATA)) - labels)
    assert not stale, f"no such model (renamed or removed?): {stale}"
    assert all(reason.strip() for reason in [*COUNTY_LEVEL.values(), *NO_SCHOOL_DATA.values()])


def test_the_tables_fixed_for_issue_13_carry_their_keys():
    """The two tables found without keys (a survey's personal codes, the case-number counter)
    and the join tables of school data made explicit to carry them."""
    for label in (
        "screening.SurveyToken",
        "cases.CaseCounter",
        "cases.DeterminationMember",
        "cases.DeterminationBully",
        "screening.CameraCover",
    ):
        model = apps.get_model(label)
        assert key(model, "county") is not None and key(model, "school") is not None, label
        assert not model._meta.get_field("county").null and not model._meta.get_field("school").null


# --- the check itself, on models made up for the test -------------------------------------------------


@isolate_apps("anxin.core")
def test_the_check_names_a_new_table_without_keys():
    from anxin.org.models import County, School
    from anxin.roster.models import Student
    from anxin.screening.models import PeerSurvey

    class SlipLikeSurveyToken(models.Model):  # the old SurveyToken: a student, no keys
        student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")

    class CounterWithoutCounty(models.Model):  # the old CaseCounter: a school, no county
        school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")

    class AnswerOfASurvey(models.Model):  # school data one step away: the survey carries the keys
        survey = models.ForeignKey(PeerSurvey, on_delete=models.CASCADE, related_name="+")

    class NoteOnAnAnswer(models.Model):  # two steps away, through a made-up table
        answer = models.ForeignKey(AnswerOfASurvey, on_delete=models.CASCADE, related_name="+")

    class Tagged(models.Model):  # an auto-created join table to students
        students = models.ManyToManyField(Student, related_name="+")

    class Keyed(models.Model):  # both keys as plain ids, like core.AuditEvent
        county_id = models.BigIntegerField()
        school_id = models.BigIntegerField()
        student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")

    class CountySetting(models.Model):  # no school data, no keys, not listed: still refused
        county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")

    class WrongTarget(models.Model):  # a "school" that is not a key
        school = models.CharField(max_length=20)
        county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")

    join = Tagged._meta.get_field("students").remote_field.through
    made_up = [
        SlipLikeSurveyToken,
        CounterWithoutCounty,
        AnswerOfASurvey,
        NoteOnAnAnswer,
        Tagged,
        join,
        Keyed,
        CountySetting,
        WrongTarget,
    ]
    found = {label: what for (label, _table), what in check(made_up).items()}

    assert found["core.SlipLikeSurveyToken"] == (
        "no county and no school key (holds school data: core.SlipLikeSurveyToken.student → roster.Student)"
    )
    assert found["core.CounterWithoutCounty"] == (
        "no county key (holds school data: core.CounterWithoutCounty.school)"
    )
    assert found["core.AnswerOfASurvey"] == (
        "no county and no school key "
        "(holds school data: core.AnswerOfASurvey.survey → screening.PeerSurvey.school)"
    )
    assert found["core.NoteOnAnAnswer"].endswith(
        "(holds school data: core.NoteOnAnAnswer.answer → core.AnswerOfASurvey.survey"
        " → screening.PeerSurvey.school)"
    )
    assert "core.Tagged_students.student → roster.Student" in found[join._meta.label]
    # neither school data nor listed: a new table is placed deliberately
    assert found["core.Tagged"] == "no county and no school key (not in COUNTY_LEVEL or NO_SCHOOL_DATA)"
    assert found["core.CountySetting"] == "no school key (not in COUNTY_LEVEL or NO_SCHOOL_DATA)"
    assert found["core.WrongTarget"] == "no school key (not in COUNTY_LEVEL or NO_SCHOOL_DATA)"
    assert "core.Keyed" not in found  # both keys as plain ids pass
    assert len(found) == len(made_up) - 1
    message = report(check([SlipLikeSurveyToken]))
    assert "core.SlipLikeSurveyToken (core_sliplikesurveytoken)" in message


def test_the_lists_cannot_hide_a_table_of_school_data(monkeypatch):
    survey_token = apps.get_model("screening", "SurveyToken")
    monkeypatch.setitem(NO_SCHOOL_DATA, "screening.SurveyToken", "(made up for the test)")
    assert offences(survey_token) == (
        "listed in NO_SCHOOL_DATA but holds school data: screening.SurveyToken.school"
    )
    monkeypatch.delitem(NO_SCHOOL_DATA, "screening.SurveyToken")
    monkeypatch.setitem(COUNTY_LEVEL, "screening.SurveyToken", "(made up for the test)")
    assert (
        offences(survey_token) == "listed in COUNTY_LEVEL but carries both keys now: remove it from the list"
    )
    home_visit = apps.get_model("core", "HomeVisit")
    monkeypatch.delitem(NO_SCHOOL_DATA, "core.HomeVisit")
    assert offences(home_visit) == "no county and no school key (not in COUNTY_LEVEL or NO_SCHOOL_DATA)"
    monkeypatch.setitem(COUNTY_LEVEL, "core.HomeVisit", "(made up for the test)")
    assert offences(home_visit) == "listed in COUNTY_LEVEL but has no county key"
