from anxin.cases.models import CaseState


def test_minor_case_runs_from_registration_to_closure(new_case, drive):
    case = new_case()
    assert case.number.startswith("贺兰县第一中学-") and case.number.endswith("-0001")
    drive(case, CaseState.CLOSED, result="minor")
    assert case.state == CaseState.CLOSED
    assert case.events.count() > 10


def test_severe_case_runs_to_closure(new_case, drive):
    case = new_case()
    drive(case, CaseState.CLOSED, result="severe")
    assert case.report_required and case.state == CaseState.CLOSED


def test_not_bullying_case_closes_after_criticism(new_case, drive):
    case = new_case()
    drive(case, CaseState.CLOSED, result="joke")
    assert case.state == CaseState.CLOSED
