"""The applicant's right to escalate: the coordinator records the request, a PCC reviewer records the outcome.

Dates are fixed in autumn 2026 (England and Wales, no bank holiday between September and November), so the
working-day figures can be read off a calendar: 20 working days after Tuesday 1 September is Tuesday 29 September.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.cases_helpers import actions, make_case
from tests.conftest import login, post, text_of
from trigger.domain.deadlines import DeadlineKind, TimescalePolicy
from trigger.domain.escalations import (
    ESCALATABLE_STAGES,
    check_window,
    reconsider_deadline,
    reopen_stage,
    resume_stage,
)
from trigger.domain.stages import Stage, transition_problem
from trigger.domain.workdays import Nation, WorkingCalendar
from trigger.extensions import db
from trigger.models import (
    AgencyType,
    Case,
    Escalation,
    EscalationOutcome,
    Notification,
    OutboxMessage,
    Role,
)
from trigger.models.deadlines import CaseDeadline

LETTER = date(2026, 9, 1)  # a Tuesday
WINDOW_ENDS = date(2026, 9, 29)  # 20 working days later
DECIDED = date(2026, 11, 2)  # a Monday


# ---- the rules, without a database -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escalated_from", "threshold_disputed", "expected"),
    [
        (Stage.THRESHOLD_NOT_MET, True, Stage.ACKNOWLEDGED),
        (Stage.THRESHOLD_NOT_MET, False, Stage.ACKNOWLEDGED),  # the threshold decision is all there is to redo
        (Stage.OUTCOME_SENT, True, Stage.ACKNOWLEDGED),
        (Stage.OUTCOME_SENT, False, Stage.REVIEW_SCHEDULED),
        (Stage.PLAN_LIVE, True, Stage.ACKNOWLEDGED),
        (Stage.PLAN_LIVE, False, Stage.REVIEW_SCHEDULED),
    ],
)
def test_an_upheld_escalation_reopens_the_case_at_the_stage_to_reconsider(escalated_from, threshold_disputed, expected):
    stage = reopen_stage(escalated_from, threshold_disputed=threshold_disputed)
    assert stage is expected
    assert transition_problem(Stage.ESCALATED, stage) is None  # the lifecycle allows the move


@pytest.mark.parametrize(
    ("escalated_from", "expected"),
    [
        (Stage.THRESHOLD_NOT_MET, Stage.THRESHOLD_NOT_MET),
        (Stage.OUTCOME_SENT, Stage.PLAN_LIVE),
        (Stage.PLAN_LIVE, Stage.PLAN_LIVE),
    ],
)
def test_an_escalation_not_upheld_returns_the_case_to_where_it_was(escalated_from, expected):
    stage = resume_stage(escalated_from)
    assert stage is expected
    assert transition_problem(Stage.ESCALATED, stage) is None


def test_the_reconsidered_stage_has_its_own_deadline():
    assert reconsider_deadline(Stage.ACKNOWLEDGED) is DeadlineKind.THRESHOLD_DECISION
    assert reconsider_deadline(Stage.REVIEW_SCHEDULED) is DeadlineKind.MEETING
    with pytest.raises(ValueError):
        reconsider_deadline(Stage.PLAN_LIVE)


def test_only_a_decided_or_reviewed_case_can_be_escalated():
    assert ESCALATABLE_STAGES == {Stage.THRESHOLD_NOT_MET, Stage.OUTCOME_SENT, Stage.PLAN_LIVE}
    for stage in (Stage.RECEIVED, Stage.REVIEW_HELD, Stage.ESCALATED, Stage.CLOSED):
        with pytest.raises(ValueError):
            reopen_stage(stage, threshold_disputed=False)
        with pytest.raises(ValueError):
            resume_stage(stage)


def test_the_window_is_counted_in_working_days():
    calendar, policy = WorkingCalendar(Nation.ENGLAND_AND_WALES), TimescalePolicy()
    on_the_last_day = check_window(LETTER, WINDOW_ENDS, policy, calendar)
    assert (on_the_last_day.window_due_on, on_the_last_day.late) == (WINDOW_ENDS, False)
    assert on_the_last_day.message == (
        "received 20 working days after the outcome letter; the window is 20 working days"
    )
    two_days_late = check_window(LETTER, date(2026, 10, 1), policy, calendar)
    assert two_days_late.late and two_days_late.working_days_after == 22
    # The Saturday after the window closed counts as the Monday: one working day late, not "20 working days".
    saturday = check_window(date(2026, 9, 4), date(2026, 10, 3), policy, calendar)
    assert saturday.window_due_on == date(2026, 10, 2)
    assert saturday.late and saturday.working_days_after == 21
    with pytest.raises(ValueError, match="must be the same as or after"):
        check_window(LETTER, date(2026, 8, 28), policy, calendar)


# ---- through the web -------------------------------------------------------------------------------------------


@pytest.fixture
def people(make_user, make_area, make_agency):
    area = make_area("Testbury")
    police = make_agency("Testbury Police", AgencyType.POLICE)
    return {
        "area": area,
        "police": police,
        "coordinator": make_user(Role.COORDINATOR, name="Cora Coordinator"),
        "reviewer": make_user(Role.PCC_REVIEWER, name="Pat Reviewer"),
        "reviewer2": make_user(Role.PCC_REVIEWER, name="Quinn Reviewer"),
        "chair": make_user(Role.CHAIR),
        "viewer": make_user(Role.VIEWER),
        "rep": make_user(Role.AGENCY_REP, agency=police),  # police are involved in every case below
        "other_rep": make_user(Role.AGENCY_REP),
    }


def case_at(people, stage: Stage, **kwargs) -> Case:
    return make_case(people["area"], people["police"], stage=stage, perpetrator="Ronnie Noisy", **kwargs)


def request_form(**overrides) -> dict:
    data = {
        "outcome_letter_on": LETTER.isoformat(),
        "received_on": WINDOW_ENDS.isoformat(),
        "grounds": ["policy-not-considered"],
        "applicant_summary": "Nobody looked at the housing policy on noise.",
        "consent_to_share": "y",
        "consent_on": WINDOW_ENDS.isoformat(),
        "reviewing_body": "pcc-office",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record_request(client, case, *, follow_redirects: bool = False, **overrides):
    return post(
        client, f"/cases/{case.id}/escalations/new", request_form(**overrides), follow_redirects=follow_redirects
    )


def only_escalation() -> Escalation:
    return db.session.scalars(select(Escalation)).one()


def deadlines(case, kind) -> list[CaseDeadline]:
    return list(
        db.session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.case_id == case.id, CaseDeadline.kind == kind)
            .order_by(CaseDeadline.cycle)
        )
    )


def test_a_coordinator_records_a_request_in_time_and_the_pcc_reviewers_are_told(client, people):
    case = case_at(people, Stage.OUTCOME_SENT)
    login(client, people["coordinator"])
    page = client.get(f"/cases/{case.id}")
    assert "Record an escalation request" in text_of(page)

    response = record_request(client, case, follow_redirects=True)

    text = text_of(response)
    assert response.status_code == 200
    assert (
        f"{case.reference} is now escalated: received in time (received 20 working days after the outcome "
        "letter; the window is 20 working days)"
    ) in text
    assert "a decision is due by 27 October 2026" in text
    db.session.expire_all()
    escalation = only_escalation()
    assert db.session.get(Case, case.id).stage is Stage.ESCALATED
    assert (escalation.escalated_from, escalation.late, escalation.window_due_on) == (
        Stage.OUTCOME_SENT,
        False,
        WINDOW_ENDS,
    )
    assert escalation.decision_due_on == date(2026, 10, 27)
    assert escalation.consent_on == WINDOW_ENDS and escalation.recorded_by_id == people["coordinator"].id
    # The case page shows the escalation and the timeline tells the story.
    assert "The PCC reviewers have been told" in text
    assert "Escalation received 29 September 2026 : waiting for a decision, due 27 October 2026" in text
    assert "A relevant policy was not considered" in text
    text = text_of(client.get(f"/cases/{case.id}/timeline"))
    assert "Outcome sent → Escalated: Escalation request received 29 September 2026" in text
    assert "Escalation request received 29 September 2026 (received 20 working days after" in text
    assert {"case.stage_changed", "escalation.requested"} <= set(actions(case.id))
    # Both PCC reviewers, in the product and by email, with a link; no names in what leaves the system.
    notes = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in notes] == [people["reviewer"].id, people["reviewer2"].id]
    assert notes[0].link == f"/escalations/{escalation.id}"
    emails = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(e.to_address for e in emails) == sorted([people["reviewer"].email, people["reviewer2"].email])
    assert all("Ronnie" not in e.body and "Jane" not in e.body for e in emails)
    # The deadlines engine now chases the decision.
    [decision] = deadlines(case, DeadlineKind.ESCALATION_DECISION)
    assert (decision.due_on, decision.met_on) == (date(2026, 10, 27), None)


def test_while_escalated_the_case_page_offers_no_new_threshold_decision(client, people):
    case = case_at(people, Stage.THRESHOLD_NOT_MET)
    login(client, people["coordinator"])
    record_request(client, case)
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Escalated" in page
    assert "Record the threshold decision" not in page  # the reviewing body's outcome comes first


def test_a_late_request_is_accepted_only_with_a_reason(client, people):
    case = case_at(people, Stage.PLAN_LIVE)
    login(client, people["coordinator"])

    refused = record_request(client, case, received_on="2026-10-01", consent_on="2026-10-01")

    assert refused.status_code == 400
    text = text_of(refused)
    assert text.startswith("Error:")
    assert (
        "This request was received 22 working days after the outcome letter; the window is 20 working days. "
        "Give the reason for accepting it late"
    ) in text
    assert db.session.scalars(select(Escalation)).first() is None
    assert db.session.get(Case, case.id).stage is Stage.PLAN_LIVE

    accepted = record_request(
        client,
        case,
        received_on="2026-10-01",
        consent_on="2026-10-01",
        late_accepted_reason="The applicant was in hospital when the letter came.",
    )
    assert accepted.status_code == 302
    escalation = only_escalation()
    assert escalation.late and escalation.working_days_after_letter == 22
    assert escalation.late_accepted_reason == "The applicant was in hospital when the letter came."
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "late, accepted (22 working days after the letter; the window is 20 working days" in page
    assert "The applicant was in hospital" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent_to_share": None}, "The applicant must agree to their information going to the reviewing body"),
        ({"consent_on": ""}, "Enter the date the applicant gave their consent"),
        ({"grounds": []}, "Choose at least one ground for the escalation"),
        ({"grounds": ["other"]}, "Describe the other grounds"),
        ({"reviewing_body": "other"}, "Enter the name of the reviewing body"),
        (
            {"received_on": "2026-08-28"},
            "The date received must be the same as or after the date of the outcome letter",
        ),
        ({"outcome_letter_on": ""}, "Enter the date the outcome letter was sent"),
    ],
)
def test_a_request_needs_consent_grounds_and_a_reviewing_body(client, people, overrides, message):
    case = case_at(people, Stage.OUTCOME_SENT)
    login(client, people["coordinator"])
    response = record_request(client, case, **overrides)
    assert response.status_code == 400
    assert message in text_of(response)
    assert db.session.scalars(select(Escalation)).first() is None
    db.session.expire_all()
    assert db.session.get(Case, case.id).stage is Stage.OUTCOME_SENT


def test_other_grounds_and_another_reviewing_body_are_recorded_with_their_words(client, people):
    case = case_at(people, Stage.THRESHOLD_NOT_MET)
    login(client, people["coordinator"])
    response = record_request(
        client,
        case,
        grounds=["threshold-disputed", "other"],
        ground_other_details="The council lost a letter.",
        reviewing_body="other",
        reviewing_body_name="Testshire Community Safety Panel",
    )
    assert response.status_code == 302
    escalation = only_escalation()
    assert [g.value for g in escalation.grounds] == ["threshold-disputed", "other"]
    assert escalation.reviewing_body_label == "Testshire Community Safety Panel"


def test_only_a_case_with_a_decision_or_outcome_can_be_escalated(client, people):
    case = case_at(people, Stage.REVIEW_SCHEDULED)
    login(client, people["coordinator"])
    assert "Record an escalation request" not in text_of(client.get(f"/cases/{case.id}"))
    page = client.get(f"/cases/{case.id}/escalations/new")
    assert (
        "An escalation request can be recorded when the case is at “Threshold not met”, “Outcome sent”, "
        "“Action plan live”. " in text_of(page)
    )
    # The ordinary stage page does not offer "Escalated": that needs the request, its grounds and consent.
    assert "Escalated" not in text_of(client.get(f"/cases/{case.id}/stage"))


def test_the_pcc_reviewer_sees_only_escalated_cases_and_records_an_upheld_outcome(client, people):
    disputed = case_at(people, Stage.OUTCOME_SENT)
    never_escalated = case_at(people, Stage.PLAN_LIVE, name="Someone Else", postcode="GL1 1AA")
    login(client, people["coordinator"])
    record_request(client, disputed, grounds=["threshold-disputed"])
    escalation = only_escalation()

    reviewer = client.application.test_client()
    signed_in = login(reviewer, people["reviewer"])
    assert signed_in.headers["Location"].endswith("/escalations")
    listing = text_of(reviewer.get("/escalations"))
    assert "Escalations" in listing and disputed.reference in listing and never_escalated.reference not in listing
    assert "Waiting for a decision" in listing and "27 October 2026" in listing
    assert reviewer.get(f"/cases/{never_escalated.id}").status_code == 403
    assert never_escalated.reference not in text_of(reviewer.get("/cases"))

    page = text_of(reviewer.get(f"/escalations/{escalation.id}"))
    assert "The threshold decision is disputed" in page and "Record the outcome" in page
    assert "Ronnie" not in page  # need-to-know: the perpetrator is not on the reviewer's summary

    refused = post(
        reviewer,
        f"/escalations/{escalation.id}/outcome",
        {"outcome": "upheld", "reasons": "The threshold policy was misread.", "decided_on": DECIDED.isoformat()},
    )
    assert refused.status_code == 400
    assert "Say what the bodies must reconsider" in text_of(refused)

    done = post(
        reviewer,
        f"/escalations/{escalation.id}/outcome",
        {
            "outcome": "upheld",
            "reasons": "The threshold policy was misread.",
            "points_to_reconsider": "Count the hate incident of 3 March.",
            "decided_on": DECIDED.isoformat(),
        },
        follow_redirects=True,
    )
    text = text_of(done)
    assert (
        f"The escalation is upheld. {disputed.reference} has been referred back and is now at "
        "“Acknowledged”, due by 16 November 2026. The coordinator has been told."
    ) in text
    db.session.expire_all()
    escalation = only_escalation()
    assert escalation.outcome is EscalationOutcome.UPHELD and escalation.decided_by_id == people["reviewer"].id
    assert (escalation.reopened_stage, escalation.reconsider_due_on) == (Stage.ACKNOWLEDGED, date(2026, 11, 16))
    assert db.session.get(Case, disputed.id).stage is Stage.ACKNOWLEDGED
    # A new threshold-decision deadline, counted from the escalation decision, in a new cycle.
    reopened = deadlines(disputed, DeadlineKind.THRESHOLD_DECISION)[-1]
    assert (reopened.anchor_on, reopened.due_on, reopened.met_on) == (DECIDED, date(2026, 11, 16), None)
    assert reopened.cycle == len(deadlines(disputed, DeadlineKind.THRESHOLD_DECISION))
    assert deadlines(disputed, DeadlineKind.ESCALATION_DECISION)[0].met_on == DECIDED
    # The reviewer still sees the case once it has left "escalated", now under "Decided".
    listing = text_of(reviewer.get("/escalations"))
    assert "No escalation is waiting for a decision" in listing
    assert "Upheld: referred back with points to reconsider (done 4 working days late)" in listing
    assert reviewer.get(f"/cases/{disputed.id}").status_code == 200
    assert "Record the outcome" not in text_of(reviewer.get(f"/escalations/{escalation.id}"))
    assert (
        post(
            reviewer,
            f"/escalations/{escalation.id}/outcome",
            {"outcome": "not-upheld", "reasons": "x", "decided_on": DECIDED.isoformat()},
            token_from=f"/escalations/{escalation.id}",
        ).status_code
        == 403
    )
    # The coordinator who recorded it is told, and the case's timeline has it all.
    note = db.session.scalars(select(Notification).where(Notification.user_id == people["coordinator"].id)).one()
    assert note.subject == f"Escalation of {disputed.reference}: upheld"
    assert (
        "now at “Acknowledged”" in note.body and "Decide whether the threshold is met by 16 November 2026" in note.body
    )
    timeline = text_of(reviewer.get(f"/cases/{disputed.id}/timeline"))
    summary = text_of(reviewer.get(f"/cases/{disputed.id}"))  # the escalations section
    assert "Escalated → Acknowledged: Escalation upheld by The Police and Crime Commissioner's office" in timeline
    assert (
        "Upheld: referred back with points to reconsider (2 November 2026); the case is now at “Acknowledged”"
        in timeline
    )
    assert "Count the hate incident of 3 March." in summary


def test_upheld_on_other_grounds_sends_the_case_back_for_another_review(client, people):
    case = case_at(people, Stage.PLAN_LIVE)
    login(client, people["coordinator"])
    record_request(client, case, grounds=["review-not-proper"])
    escalation = only_escalation()
    reviewer = client.application.test_client()
    login(reviewer, people["reviewer"])
    response = post(
        reviewer,
        f"/escalations/{escalation.id}/outcome",
        {
            "outcome": "upheld",
            "reasons": "The victim was not invited.",
            "points_to_reconsider": "Invite the victim.",
            "decided_on": DECIDED.isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).stage is Stage.REVIEW_SCHEDULED
    [meeting] = deadlines(case, DeadlineKind.MEETING)
    assert (meeting.anchor_on, meeting.due_on) == (DECIDED, date(2026, 11, 30))


@pytest.mark.parametrize(
    ("escalated_from", "back_to"),
    [
        (Stage.OUTCOME_SENT, Stage.PLAN_LIVE),
        (Stage.THRESHOLD_NOT_MET, Stage.THRESHOLD_NOT_MET),
    ],
)
def test_an_escalation_not_upheld_leaves_the_decision_standing(client, people, admin, escalated_from, back_to):
    case = case_at(people, escalated_from)
    login(client, people["coordinator"])
    record_request(client, case)
    escalation = only_escalation()
    administrator = client.application.test_client()  # administrators may record outcomes too
    login(administrator, admin)
    response = post(
        administrator,
        f"/escalations/{escalation.id}/outcome",
        {
            "outcome": "not-upheld",
            "reasons": "The review followed the procedure.",
            "points_to_reconsider": "ignored when not upheld",
            "decided_on": DECIDED.isoformat(),
        },
        follow_redirects=True,
    )
    assert f"The escalation is not upheld. {case.reference} is now at “{back_to.label}”." in text_of(response)
    db.session.expire_all()
    escalation = only_escalation()
    assert (
        escalation.outcome,
        escalation.reopened_stage,
        escalation.points_to_reconsider,
        escalation.reconsider_due_on,
    ) == (EscalationOutcome.NOT_UPHELD, back_to, "", None)
    assert db.session.get(Case, case.id).stage is back_to
    note = db.session.scalars(select(Notification).where(Notification.user_id == people["coordinator"].id)).one()
    assert note.subject == f"Escalation of {case.reference}: not upheld"
    assert "escalation.decided" in actions(case.id)
    # A case can be escalated again later (e.g. after the next outcome): only one may be open at a time.
    assert "Record an escalation request" in text_of(client.get(f"/cases/{case.id}"))


def test_only_one_escalation_can_wait_for_a_decision(client, people):
    case = case_at(people, Stage.OUTCOME_SENT)
    login(client, people["coordinator"])
    record_request(client, case)
    with pytest.raises(IntegrityError):  # the partial unique index refuses a second open escalation of the case
        db.session.add(
            Escalation(
                case_id=case.id,
                escalated_from=Stage.OUTCOME_SENT,
                received_on=WINDOW_ENDS,
                outcome_letter_on=LETTER,
                window_working_days=20,
                window_due_on=WINDOW_ENDS,
                working_days_after_letter=20,
                ground_policy_not_considered=True,
                consent_to_share=True,
                consent_on=WINDOW_ENDS,
                reviewing_body="pcc-office",
                decision_due_on=date(2026, 10, 27),
            )
        )
        db.session.commit()
    db.session.rollback()


def test_other_roles_are_refused(client, people):
    case = case_at(people, Stage.OUTCOME_SENT)
    login(client, people["coordinator"])
    record_request(client, case)
    escalation = only_escalation()
    new_url, outcome_url = f"/cases/{case.id}/escalations/new", f"/escalations/{escalation.id}/outcome"
    outsider_case = case_at(people, Stage.OUTCOME_SENT, name="Other Person", postcode="GL2 2BB")

    for who in ("chair", "viewer", "rep", "reviewer"):
        other = client.application.test_client()
        login(other, people[who])
        assert other.get(f"/cases/{outsider_case.id}/escalations/new").status_code == 403, who
        if who != "reviewer":
            assert other.get(outcome_url).status_code == 403, who
    for who in ("chair", "viewer", "rep", "other_rep"):
        other = client.application.test_client()
        login(other, people[who])
        assert other.get("/escalations").status_code == 403, who
    coordinator = client
    assert coordinator.get(outcome_url).status_code == 403
    assert coordinator.get(new_url).status_code == 200  # shown, but the case is already escalated
    assert "“Escalated”" in text_of(coordinator.get(new_url))

    # An agency representative reads an escalation only on a case their agency is involved in, and only reads.
    rep = client.application.test_client()
    login(rep, people["rep"])
    page = text_of(rep.get(f"/escalations/{escalation.id}"))
    assert "A relevant policy was not considered" in page and "Record the outcome" not in page
    outsider = client.application.test_client()
    login(outsider, people["other_rep"])
    assert outsider.get(f"/escalations/{escalation.id}").status_code == 403
    assert outsider.get("/escalations/999999").status_code == 404


def test_pcc_reviewers_have_an_escalations_link(client, people):
    login(client, people["reviewer"])
    assert "Escalations" in text_of(client.get("/escalations"))
    assert 'href="/escalations"' in client.get("/home").get_data(as_text=True)
