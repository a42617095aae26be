"""The threshold: per-area policy versions, the evaluation shown on the case, recording the decision; and the
stage lifecycle with its allowed and refused moves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.cases_helpers import TODAY, actions, count, make_case
from tests.conftest import login, post, text_of
from trigger.cases.services import move_to
from trigger.domain.stages import ALLOWED_TRANSITIONS, Stage, transition_problem
from trigger.extensions import db
from trigger.forms import FieldError
from trigger.models import AgencyType, AreaThresholdPolicy, AuditEvent, Role, ThresholdDecision


@pytest.fixture
def world(make_area, make_agency, make_user, client):
    area = make_area("Testbury")
    police = make_agency("Test Police", AgencyType.POLICE)
    login(client, make_user(Role.COORDINATOR, name="Cora Ordinator"))
    return {"area": area, "police": police}


def decide(client, case, **data):
    values = {
        "outcome": "met",
        "reasons": "Three reports in time.",
        "decision_maker_name": "Sam Senior",
        "decided_on": TODAY.isoformat(),
        **data,
    }
    return post(client, f"/cases/{case.id}/threshold", values)


# ---- recording the decision -------------------------------------------------------------------------------


def test_decision_agreeing_with_the_evaluation(client, world):
    case = make_case(world["area"], world["police"])
    page = text_of(client.get(f"/cases/{case.id}/threshold"))
    assert "Threshold check (advice only): Threshold met: 3 qualifying complaints" in page
    response = decide(client, case)
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert f"Decision recorded for {case.reference}: threshold met" in page
    page = text_of(client.get(f"/cases/{case.id}/incidents"))  # the decisions are in "Incidents and threshold"
    assert "Sam Senior" in page and "The decision agrees with the evaluation" in page
    db.session.refresh(case)
    assert case.stage is Stage.THRESHOLD_MET
    decision = db.session.scalar(select(ThresholdDecision))
    assert not decision.differs_from_advice and decision.evaluation["met"] is True
    assert decision.policy["qualifying_complaints"] == 3 and decision.policy["version"] is None
    assert [a for a in actions(case.id) if a != "case.viewed"][-3:] == [
        "threshold.decided",
        "case.stage_changed",
        "deadline.closed_by_stage",
    ]  # gathering information ends


def test_decision_differing_from_the_evaluation_needs_a_reason(client, world):
    case = make_case(world["area"], world["police"], incidents=[(40, 39)])  # one complaint: advice "not met"
    response = decide(client, case, outcome="met")
    assert response.status_code == 400
    assert "The evaluation says the threshold is not met: explain why the decision differs" in text_of(response)
    assert count(ThresholdDecision) == 0
    db.session.refresh(case)
    assert case.stage is Stage.RECEIVED

    response = decide(client, case, outcome="met", difference_reason="Persistent harm: daily incidents unreported.")
    assert response.status_code == 302
    decision = db.session.scalar(select(ThresholdDecision))
    assert decision.differs_from_advice and decision.difference_reason.startswith("Persistent harm")
    assert "Differs from the evaluation because Persistent harm" in text_of(client.get(f"/cases/{case.id}/incidents"))


def test_vulnerability_override(client, world):
    case = make_case(world["area"], world["police"], incidents=[(40, 39)])
    response = decide(client, case, outcome="met-by-override", difference_reason="Victim is very vulnerable.")
    assert response.status_code == 400
    assert "Explain the victim's vulnerability that justifies the override" in text_of(response)
    response = decide(
        client,
        case,
        outcome="met-by-override",
        difference_reason="Override on vulnerability.",
        vulnerability_reason="Lives alone with a serious illness.",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(ThresholdDecision)).outcome.value == "met-by-override"


def test_override_refused_where_the_area_does_not_allow_it(client, world, admin):
    db.session.add(AreaThresholdPolicy(area_id=world["area"].id, version=1, vulnerability_override_allowed=False))
    db.session.commit()
    case = make_case(world["area"], world["police"], incidents=[(40, 39)])
    assert (
        "vulnerability override"
        not in text_of(client.get(f"/cases/{case.id}/threshold"))
        .lower()
        .split("record the threshold decision")[-1]
        .split("reasons for the decision")[0]
    )
    response = decide(client, case, outcome="met-by-override", difference_reason="x", vulnerability_reason="y")
    assert response.status_code == 400 and "does not allow a vulnerability override" in text_of(response)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"outcome": ""}, "Choose whether the threshold is met"),
        ({"outcome": "maybe"}, "Choose whether the threshold is met"),
        ({"reasons": ""}, "Give the reasons for the decision"),
        ({"decision_maker_name": ""}, "Enter the name of the decision maker"),
        ({"decided_on": "2999-01-01"}, "The date of the decision must be today or in the past"),
        ({"reasons": "x" * 5001}, "The reasons must be 5000 characters or fewer"),
    ],
)
def test_bad_decisions_are_explained(client, world, data, message):
    case = make_case(world["area"], world["police"])
    response = decide(client, case, **data)
    assert response.status_code == 400 and message in text_of(response)
    assert count(ThresholdDecision) == 0


def test_a_second_decision_on_a_met_case_is_refused(client, world):
    case = make_case(world["area"], world["police"])
    assert decide(client, case).status_code == 302
    response = decide(client, case, outcome="not-met", difference_reason="Changed our minds")
    assert response.status_code == 400 and "cannot move to “Threshold not met”" in text_of(response)


def test_forged_case_id_is_404(client, world):
    assert client.get("/cases/424242/threshold").status_code == 404


# ---- policies ---------------------------------------------------------------------------------------------


POLICY = {
    "qualifying_complaints": "2",
    "window_months": "6",
    "reporting_rule_months": "1",
    "enforce_reporting_rule": "y",
    "hate_incident_suffices": "y",
    "distinct_complainants": "",
    "vulnerability_override_allowed": "y",
}


def test_admin_edits_a_policy_as_a_new_version_for_new_decisions_only(admin_client, make_area, make_agency):
    area, police = make_area("Testbury"), make_agency()
    assert "statutory defaults" in text_of(admin_client.get("/admin/threshold-policies"))
    case = make_case(area, police, incidents=[(40, 39), (20, 20)])
    # decided under the defaults (3 needed): not met
    assert (
        post(
            admin_client,
            f"/cases/{case.id}/threshold",
            {
                "outcome": "not-met",
                "reasons": "Two only",
                "decision_maker_name": "Ada",
                "decided_on": TODAY.isoformat(),
            },
        ).status_code
        == 302
    )
    response = post(admin_client, f"/admin/threshold-policies/{area.id}", POLICY)
    assert response.status_code == 302
    assert "saved as version 1" in text_of(admin_client.get(response.location))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "threshold_policy.changed"))
    assert event.details["changes"]["qualifying_complaints"] == [3, 2]
    # the past decision keeps the policy it was made under; the case page now advises under version 1
    decision = db.session.scalar(select(ThresholdDecision))
    assert decision.policy["qualifying_complaints"] == 3
    page = text_of(admin_client.get(f"/cases/{case.id}/incidents"))
    assert "Threshold met: 2 qualifying complaints" in page and "policy version 1" in page
    # saving the same values again makes no new version
    response = post(admin_client, f"/admin/threshold-policies/{area.id}", POLICY)
    assert "Nothing changed" in text_of(admin_client.get(response.location))
    assert count(AreaThresholdPolicy) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"qualifying_complaints": "4"}, "the law allows an area to set a lower number than 3"),
        ({"qualifying_complaints": ""}, "Enter the number of qualifying complaints"),
        ({"window_months": "3"}, "The window must be between 6 and 24 months"),
        ({"reporting_rule_months": "0"}, "The reporting period must be between 1 and 12 months"),
        ({"distinct_complainants": "1"}, "Enter a number between 2 and 50"),
    ],
)
def test_unlawful_policies_are_refused(admin_client, make_area, change, message):
    area = make_area()
    response = post(admin_client, f"/admin/threshold-policies/{area.id}", {**POLICY, **change})
    assert response.status_code == 400 and message in text_of(response)
    assert count(AreaThresholdPolicy) == 0


def test_only_administrators_edit_policies(client, world):
    assert client.get("/admin/threshold-policies").status_code == 403
    assert client.get(f"/admin/threshold-policies/{world['area'].id}").status_code == 403


# ---- the lifecycle ----------------------------------------------------------------------------------------


def test_transition_table_is_closed_and_sane():
    assert set(ALLOWED_TRANSITIONS) == set(Stage)
    assert ALLOWED_TRANSITIONS[Stage.CLOSED] == frozenset()
    for stage in Stage:
        assert stage not in ALLOWED_TRANSITIONS[stage]
        if stage is not Stage.CLOSED:
            assert Stage.CLOSED in ALLOWED_TRANSITIONS[stage]  # an application may always be withdrawn
    assert transition_problem(Stage.RECEIVED, Stage.ACKNOWLEDGED) is None
    assert "cannot move to “Outcome sent”" in transition_problem(Stage.RECEIVED, Stage.OUTCOME_SENT)
    assert transition_problem(Stage.CLOSED, Stage.RECEIVED) == "The case is closed: its stage cannot change."


def test_move_to_checks_and_audits(app, make_area, make_agency):
    case = make_case(make_area(), make_agency())
    move_to(case, Stage.ACKNOWLEDGED, "Letter sent")
    assert case.stage is Stage.ACKNOWLEDGED
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.stage_changed"))
    assert event.case_id == case.id and event.details["from"] == "received" and event.details["to"] == "acknowledged"
    with pytest.raises(FieldError) as refused:
        move_to(case, Stage.PLAN_LIVE, "Skipping ahead")
    assert refused.value.field == "stage" and case.stage is Stage.ACKNOWLEDGED
    with pytest.raises(FieldError) as refused:
        move_to(case, Stage.CLOSED, "Withdrawn")
    assert refused.value.field == "applicant_told_on"
    with pytest.raises(FieldError):
        move_to(case, Stage.CLOSED, "  ", applicant_told_on=TODAY)


def test_coordinator_acknowledges_then_closes_with_the_date_the_applicant_was_told(client, world):
    case = make_case(world["area"], world["police"])
    page = text_of(client.get(f"/cases/{case.id}/stage"))
    assert "Acknowledged" in page and "Threshold met" not in page  # threshold stages need a decision
    assert (
        post(client, f"/cases/{case.id}/stage", {"stage": "acknowledged", "reason": "Letter sent"}).status_code == 302
    )
    response = post(client, f"/cases/{case.id}/stage", {"stage": "closed", "reason": "Applicant withdrew"})
    assert response.status_code == 400
    assert "Enter the date the applicant was told the case is closing" in text_of(response)
    response = post(
        client,
        f"/cases/{case.id}/stage",
        {"stage": "closed", "reason": "Applicant withdrew", "applicant_told_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    db.session.refresh(case)
    assert (
        case.stage is Stage.CLOSED and case.applicant_told_on == TODAY and case.closure_reason == "Applicant withdrew"
    )
    page = text_of(client.get(f"/cases/{case.id}")) + text_of(client.get(f"/cases/{case.id}/timeline"))
    assert "Application received → Acknowledged: Letter sent" in page and "Applicant withdrew" in page


@pytest.mark.parametrize("stage", ["plan-live", "threshold-met", "nonsense", ""])
def test_refused_moves_change_nothing(client, world, stage):
    case = make_case(world["area"], world["police"])
    response = post(client, f"/cases/{case.id}/stage", {"stage": stage, "reason": "Because"})
    assert response.status_code == 400
    db.session.refresh(case)
    assert case.stage is Stage.RECEIVED and "case.stage_changed" not in actions(case.id)
