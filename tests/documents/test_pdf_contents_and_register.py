"""Documents: what each PDF says (and must not say), the register of issued documents, and who may do what.

PDFs are read with pypdf, as text a person would read. The case comes from tests/documents_helpers.py: a case
that has been through the review, with an alleged perpetrator, a held meeting with approved minutes, one
action the applicant may see and one they must not.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.conftest import login, post, text_of
from tests.documents_helpers import (
    CHAIR_NAME,
    HIDDEN_ACTION,
    MINUTES_TEXT,
    OTHER_ATTENDEE,
    PERPETRATOR,
    PERPETRATOR_ADDRESS,
    RECOMMENDATION,
    RECOMMENDATION_FOR_APPLICANT,
    UNSHARED_RECOMMENDATION,
    SPOC_NAME,
    VISIBLE_ACTION,
    make_doc_world,
    pdf_text,
    read,
)
from trigger.actions.services import victim_view_of_plan
from trigger.area_policies.services import calendar_for_area, timescale_for_area
from trigger.documents.contexts import applicant_actions, load_case_for_documents, long_date, redactor_for
from trigger.documents.rendering import render_document
from trigger.domain.deadlines import DeadlineKind, compute_due
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import (
    AuditEvent,
    Case,
    ContactMethod,
    DecisionOutcome,
    DocumentKind,
    IssuedDocument,
    OutboxMessage,
    Role,
)

# Escalation and restorative justice documents need an escalation or a referral: tested with their features.
APPLICANT_KINDS = [k for k in DocumentKind if k.for_applicant and not k.value.startswith(("escalation", "restorative"))]
AGENCY_KINDS = [k for k in DocumentKind if not k.for_applicant and not k.value.startswith("restorative")]


@pytest.fixture
def world(app, org):
    return make_doc_world()


def render(world, kind, **kwargs) -> str:
    case = load_case_for_documents(world.case.id)
    kwargs.setdefault("draft", False)
    kwargs.setdefault("large_print", False)
    return pdf_text(render_document(kind, case, **kwargs))


def escalate_by(case: Case, on: date) -> date:
    return compute_due(DeadlineKind.ESCALATION_REQUEST, on, timescale_for_area(case.area), calendar_for_area(case.area))


# ---- what each document says ----------------------------------------------------------------------------------


def test_acknowledgement_says_when_received_what_next_and_by_when(world):
    text = render(world, DocumentKind.ACKNOWLEDGEMENT)
    case = world.case
    decision_due = compute_due(
        DeadlineKind.THRESHOLD_DECISION, case.received_on, timescale_for_area(case.area), calendar_for_area(case.area)
    )
    assert "We have received your ASB Case Review application" in text
    assert "Dear Jane Applicant" in text
    assert long_date(case.received_on) in text
    assert f"We will write to you with our decision by {long_date(decision_due)}" in text
    assert "Loud parties every weekend" in text and "Party until 4am" in text
    assert "08 08 16 89 111" in text and "999" in text
    assert SPOC_NAME in text and "asbreview@testvale.example" in text
    assert "OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text
    assert "Page 1 of" in text


def test_letters_use_the_process_name_the_partnership_chose(world):
    from trigger.models import Organisation, ProcessName

    db.session.get(Organisation, 1).process_name = ProcessName.COMMUNITY_TRIGGER
    db.session.commit()
    text = render(world, DocumentKind.ACKNOWLEDGEMENT)
    assert "Community Trigger" in text and "ASB Case Review" not in text


def test_threshold_met_letter_gives_the_reasons_and_the_meeting_deadline(world):
    text = render(world, DocumentKind.THRESHOLD_DECISION)
    decision = world.case.decisions[0] if world.case.decisions else None
    decided_on = date.today() - timedelta(days=20)
    meeting_due = compute_due(
        DeadlineKind.MEETING, decided_on, timescale_for_area(world.case.area), calendar_for_area(world.case.area)
    )
    assert decision is None or decision.outcome is DecisionOutcome.MET
    assert "meets the threshold" in text
    assert "Three incidents were reported to the police" in text
    assert long_date(meeting_due) in text
    assert "does not meet" not in text


def test_threshold_not_met_letter_signposts_and_says_how_and_by_when_to_challenge(app, org):
    world = make_doc_world(decision=DecisionOutcome.NOT_MET)
    text = render(world, DocumentKind.THRESHOLD_DECISION)
    assert "does not meet the threshold" in text
    assert "Three incidents were reported to the police" in text
    for help_ in ("Victim Support", "anti-social behaviour team", "Call 101", "Mediation"):
        assert help_ in text
    assert "If you disagree with this decision" in text
    assert f"by {long_date(escalate_by(world.case, date.today()))}" in text


def test_agency_invitation_lists_meeting_attendees_agenda_and_the_case(world):
    text = render(world, DocumentKind.INVITATION_AGENCY)
    assert "OFFICIAL-SENSITIVE" in text
    assert "Council House, Room 2" in text and CHAIR_NAME in text
    assert OTHER_ATTENDEE in text and "Neighbourhood sergeant" in text
    assert PERPETRATOR in text and PERPETRATOR_ADDRESS in text  # agencies need to know who it is about
    assert "Agenda item 1" in text


def test_victim_invitation_explains_how_to_take_part_and_names_nobody_else(world):
    text = render(world, DocumentKind.INVITATION_VICTIM)
    assert "Invitation to your case review meeting" in text
    assert "Council House, Room 2" in text
    assert "send us a written statement" in text and "join the meeting online or by phone" in text
    assert "a local councillor, your MP or a support worker (an advocate)" in text
    for other in (OTHER_ATTENDEE, CHAIR_NAME, PERPETRATOR, PERPETRATOR_ADDRESS, "Colin Councilofficer"):
        assert other not in text


def test_full_minutes_have_attendance_every_item_recommendations_and_all_actions(app):
    world = make_doc_world(minutes_items=3)
    text = render(world, DocumentKind.MINUTES_FULL)
    assert "OFFICIAL-SENSITIVE" in text
    assert OTHER_ATTENDEE in text and "Apologies: Colin Councilofficer" in text
    assert text.count(MINUTES_TEXT) == 3  # each item's latest text...
    assert "Draft text, superseded" not in text  # ...never an earlier revision
    assert f"Approved by {CHAIR_NAME}" in text
    assert RECOMMENDATION in text
    assert HIDDEN_ACTION in text and "Targeted patrols" in text
    assert "I cannot sleep and my children are frightened" in text


def test_action_plan_lists_every_action_with_owner_due_date_and_status(world):
    text = render(world, DocumentKind.ACTION_PLAN)
    assert HIDDEN_ACTION in text and "Targeted patrols" in text
    assert world.council.name in text and world.police.name in text
    assert "Not started" in text and "In progress" in text
    assert f"{world.hidden_action.due_on.day} {world.hidden_action.due_on:%B %Y}" in text
    assert "OFFICIAL-SENSITIVE" in text


def test_applicant_summary_of_the_meeting_has_no_one_elses_personal_data(world):
    text = render(world, DocumentKind.MINUTES_SUMMARY)
    assert world.police.name in text  # which agencies took part...
    assert RECOMMENDATION_FOR_APPLICANT in text and VISIBLE_ACTION in text  # only what was shared, as worded
    assert SPOC_NAME in text  # ...and their own contact, by name
    for other in (
        OTHER_ATTENDEE,
        "Colin Councilofficer",
        CHAIR_NAME,
        PERPETRATOR,
        PERPETRATOR_ADDRESS,
        HIDDEN_ACTION,
        MINUTES_TEXT,
        RECOMMENDATION,
        UNSHARED_RECOMMENDATION,
    ):
        assert other not in text, other


def test_the_case_s_assigned_coordinator_is_the_spoc_named_in_the_outcome_letter(world):
    from trigger.models import Role, User

    deputy = User(
        email="dev.deputy@example.org",
        name="Dev Deputy",
        role=Role.COORDINATOR,
        password_hash=world.coordinator.password_hash,
    )
    db.session.add(deputy)
    db.session.flush()
    world.case.coordinator_id = deputy.id
    db.session.flush()
    text = render(world, DocumentKind.OUTCOME, findings="Reports were not shared.")
    assert "Your single point of contact is Dev Deputy" in text
    deputy.active = False  # someone who has left is never named: back to the coordinator who took it
    db.session.flush()
    text = render(world, DocumentKind.OUTCOME, findings="Reports were not shared.")
    assert f"Your single point of contact is {SPOC_NAME}" in text


def test_outcome_letter_has_findings_recommendations_plan_spoc_and_escalation_date(world):
    text = render(world, DocumentKind.OUTCOME, findings="Reports were not shared between the police and council.")
    case = world.case
    assert "The outcome of your ASB Case Review" in text
    assert "Reports were not shared between the police and council." in text
    assert RECOMMENDATION_FOR_APPLICANT in text  # the shared recommendation, in the applicant's wording...
    assert RECOMMENDATION not in text and UNSHARED_RECOMMENDATION not in text  # ...never the agencies' own
    assert VISIBLE_ACTION in text and world.police.name in text
    assert long_date(world.visible_action.due_on) in text
    assert f"Your single point of contact is {SPOC_NAME}" in text
    assert f"You must ask by {long_date(escalate_by(case, date.today()))}" in text
    assert HIDDEN_ACTION not in text and PERPETRATOR not in text


def test_outcome_plan_is_exactly_what_victim_view_of_plan_shows(world):
    case = load_case_for_documents(world.case.id)
    ours = [a.wording for a in applicant_actions(case, redactor_for(case, keep=[]))]
    assert ours == [item.wording for item in victim_view_of_plan(case)] == [VISIBLE_ACTION]


@pytest.mark.parametrize("kind", APPLICANT_KINDS)
def test_no_applicant_letter_mentions_the_perpetrator_or_a_hidden_action(app, org, kind):
    # Even when staff slip the perpetrator's name into text meant for the applicant, it is removed.
    world = make_doc_world(
        recommendation_for_applicant=f"Warn {PERPETRATOR} at {PERPETRATOR_ADDRESS} about noise",
        visible_wording=f"We will visit {PERPETRATOR.upper()} and talk to {OTHER_ATTENDEE}",
        description=f"The man at {PERPETRATOR_ADDRESS} shouts at me",
    )
    text = render(world, kind, findings=f"{PERPETRATOR} was warned")
    for secret in (PERPETRATOR, PERPETRATOR_ADDRESS, "Quarrel Close", HIDDEN_ACTION, OTHER_ATTENDEE):
        assert secret.lower() not in text.lower(), (kind, secret)


@pytest.mark.parametrize("kind", [k for k in DocumentKind if not k.value.startswith(("escalation", "restorative"))])
def test_every_document_is_tagged_with_title_and_language(world, kind):
    case = load_case_for_documents(world.case.id)
    reader = read(render_document(kind, case, draft=False, large_print=False))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert world.case.reference in reader.metadata.title


def test_large_print_and_draft_watermark(world):
    case = load_case_for_documents(world.case.id)
    standard = render_document(DocumentKind.OUTCOME, case, draft=False, large_print=False)
    large = render_document(DocumentKind.OUTCOME, case, draft=True, large_print=True)
    assert len(read(large).pages) > len(read(standard).pages)
    assert "DRAFT" in pdf_text(large) and "DRAFT" not in pdf_text(standard)


def test_a_document_that_cannot_be_made_yet_says_why(app):
    world = make_doc_world()
    from trigger.documents.contexts import DocumentProblem
    from trigger.models import Meeting

    db.session.execute(Meeting.__table__.delete())
    db.session.commit()
    case = load_case_for_documents(world.case.id)
    with pytest.raises(DocumentProblem, match="no case review meeting"):
        render_document(DocumentKind.MINUTES_FULL, case, draft=True, large_print=False)


# ---- the register: preview, issue, download ------------------------------------------------------------------


def _login(client, world, role=Role.COORDINATOR):
    login(client, world.coordinator if role is Role.COORDINATOR else world.chair)
    return client


def url(world, tail=""):
    return f"/cases/{world.case.id}/documents{tail}"


def issue(client, world, kind, **overrides):
    data = {
        "recipient_name": "Jane Applicant",
        "recipient_email": "jane@example.org",
        "recipient_address": "1 Elm Road",
        "method": "post",
        "meeting_id": "0",
        "findings": "Reports were not shared between the agencies.",
    }
    data.update(overrides)
    return post(client, url(world, f"/issue?kind={kind.value}"), data)


def issued(kind=None) -> list[IssuedDocument]:
    db.session.expire_all()
    statement = select(IssuedDocument).order_by(IssuedDocument.id)
    if kind is not None:
        statement = statement.where(IssuedDocument.kind == kind)
    return list(db.session.scalars(statement))


def test_preview_is_a_draft_pdf_shown_inline_and_never_stored(client, world):
    _login(client, world)
    response = client.get(url(world, "/preview?kind=outcome"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Cache-Control"] == "no-store"
    assert "DRAFT" in pdf_text(response.data)
    assert issued() == []


def test_preview_in_large_print_is_offered_and_follows_the_applicants_preference(client, app, org):
    world = make_doc_world(large_print=True)
    _login(client, world)
    page = text_of(client.get(url(world)))
    assert "Preview in standard print" in page
    default = client.get(url(world, "/preview?kind=acknowledgement&large_print=1")).data
    standard = client.get(url(world, "/preview?kind=acknowledgement&large_print=0")).data
    assert len(read(default).pages) >= len(read(standard).pages)
    form = client.get(url(world, "/issue?kind=acknowledgement")).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="large_print"|<input[^>]*name="large_print"[^>]*checked', form)
    assert issue(client, world, DocumentKind.ACKNOWLEDGEMENT, large_print="y").status_code == 302
    (document,) = issued()
    assert document.large_print is True


def test_issuing_stores_the_exact_bytes_and_download_serves_them(client, world):
    _login(client, world)
    response = issue(client, world, DocumentKind.ACKNOWLEDGEMENT)
    assert response.status_code == 302
    (document,) = issued()
    assert document.version == 1 and document.recipient_name == "Jane Applicant"
    assert document.issued_by_name == SPOC_NAME and document.marking == "OFFICIAL"
    assert len(document.template_version) == 16
    download = client.get(url(world, f"/{document.id}/download"))
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(download.data).hexdigest() == document.sha256
    assert "DRAFT" not in pdf_text(download.data)
    page = text_of(client.get(url(world)))
    assert "Acknowledgement letter, version 1" in page and document.sha256[:12] in page
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == world.case.id)).all()
    assert "document.issued" in events and "document.downloaded" in events


def test_issuing_again_makes_version_2_and_version_1_stays_byte_identical(client, world):
    _login(client, world)
    issue(client, world, DocumentKind.OUTCOME, findings="First wording.")
    first = issued()[0]
    before = client.get(url(world, f"/{first.id}/download")).data
    issue(client, world, DocumentKind.OUTCOME, findings="Second wording.")
    documents = issued(DocumentKind.OUTCOME)
    assert [d.version for d in documents] == [1, 2]
    assert documents[0].sha256 != documents[1].sha256
    assert client.get(url(world, f"/{first.id}/download")).data == before
    assert "First wording." in pdf_text(before)


def test_an_issued_document_cannot_be_changed(client, world):
    _login(client, world)
    issue(client, world, DocumentKind.ACKNOWLEDGEMENT)
    document = issued()[0]
    document.recipient_name = "Someone else"
    with pytest.raises(ValueError, match="kept exactly as issued"):
        db.session.flush()
    db.session.rollback()


def test_issuing_the_outcome_letter_moves_the_stage_and_meets_the_deadline(client, world):
    from trigger.deadlines.opening import open_deadline
    from trigger.models.deadlines import CaseDeadline

    world.case.stage = Stage.REVIEW_HELD
    open_deadline(world.case, DeadlineKind.OUTCOME, date.today() - timedelta(days=1))
    db.session.commit()
    _login(client, world)
    response = issue(client, world, DocumentKind.OUTCOME)
    assert response.status_code == 302
    page = text_of(client.get(url(world)))
    assert "Outcome letter version 1 has been issued. The case is now at the stage “Outcome sent”" in page
    db.session.expire_all()
    assert db.session.get(Case, world.case.id).stage is Stage.OUTCOME_SENT
    deadline = db.session.scalar(
        select(CaseDeadline).where(CaseDeadline.case_id == world.case.id, CaseDeadline.kind == DeadlineKind.OUTCOME)
    )
    assert deadline.met_on == date.today()


def test_issuing_an_outcome_letter_again_leaves_the_stage_alone(client, world):
    world.case.stage = Stage.PLAN_LIVE
    db.session.commit()
    _login(client, world)
    issue(client, world, DocumentKind.OUTCOME)
    db.session.expire_all()
    assert db.session.get(Case, world.case.id).stage is Stage.PLAN_LIVE
    assert "The case stays at the stage “Action plan live”" in text_of(client.get(url(world)))


def test_minutes_are_issued_only_once_the_chair_approved_them(client, app, org):
    world = make_doc_world(approved=False)
    _login(client, world)
    assert client.get(url(world, "/preview?kind=minutes-full")).mimetype == "application/pdf"
    response = issue(client, world, DocumentKind.MINUTES_FULL, method="agency-portal")
    assert response.status_code == 400
    assert "The chair has not approved these minutes yet" in text_of(response)
    assert issued() == []


def test_issuing_by_email_queues_the_issued_pdf_to_the_applicant_in_the_same_step(client, world):
    _login(client, world)
    response = issue(client, world, DocumentKind.OUTCOME, method="email")
    assert response.status_code == 302  # one click: issued and queued (issue 16), no second "Email" step
    assert "It is queued to be emailed to jane@example.org." in text_of(client.get(response.location))
    document = issued()[0]
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).options(selectinload(OutboxMessage.attachments)))
    assert message.to_address == "jane@example.org"
    (attachment,) = message.attachments
    assert attachment.mime_type == "application/pdf"
    assert hashlib.sha256(attachment.content).hexdigest() == document.sha256
    assert PERPETRATOR not in message.body
    assert issued()[0].emailed_at is not None
    again = post(client, url(world, f"/{document.id}/email"), {}, token_from=url(world))
    assert again.status_code == 400 and "already emailed" in text_of(again)


def test_no_email_for_an_applicant_who_chose_post(client, app, org):
    world = make_doc_world(contact=ContactMethod.POST)
    _login(client, world)
    issue(client, world, DocumentKind.OUTCOME)
    document = issued()[0]
    assert "Email to the applicant" not in text_of(client.get(url(world)))
    response = post(client, url(world, f"/{document.id}/email"), {}, token_from=url(world))
    assert response.status_code == 400 and "did not choose email" in text_of(response)
    assert db.session.scalar(select(OutboxMessage)) is None


def test_mark_as_posted_records_the_date(client, world):
    _login(client, world)
    issue(client, world, DocumentKind.ACKNOWLEDGEMENT)
    document = issued()[0]
    tomorrow_but_one = (date.today() + timedelta(days=2)).isoformat()
    bad = post(client, url(world, f"/{document.id}/posted"), {"posted_on": tomorrow_but_one})
    assert bad.status_code == 400 and "today or in the past" in text_of(bad)
    response = post(client, url(world, f"/{document.id}/posted"), {"posted_on": date.today().isoformat()})
    assert response.status_code == 302
    assert issued()[0].posted_on == date.today()
    assert "Posted" in text_of(client.get(url(world)))


def test_a_render_failure_is_explained_on_the_page(client, world, monkeypatch):
    from trigger.pdf import PdfFailure, PdfRenderError

    def fail(*args, **kwargs):
        raise PdfRenderError(
            "The document took longer than 20 seconds to produce and was stopped.", reason=PdfFailure.TIMEOUT
        )

    monkeypatch.setattr("trigger.documents.rendering.render_pdf", fail)
    _login(client, world)
    response = client.get(url(world, "/preview?kind=outcome"))
    assert response.status_code == 422
    assert "The outcome letter could not be previewed. The document took longer than 20 seconds" in text_of(response)
    response = issue(client, world, DocumentKind.OUTCOME)
    assert response.status_code == 400 and "could not be issued" in text_of(response)
    assert issued() == []


def test_unknown_kind_is_not_found(client, world):
    _login(client, world)
    assert client.get(url(world, "/preview?kind=../../etc/passwd")).status_code == 404
    assert client.get(url(world, "/issue?kind=nope")).status_code == 404


# ---- who may do what --------------------------------------------------------------------------------------------


def fresh(app):
    return app.test_client()


@pytest.fixture
def issued_pair(app, world):
    """One applicant letter and one agency document, issued by the coordinator in their own browser."""
    coordinator = fresh(app)
    _login(coordinator, world)
    issue(coordinator, world, DocumentKind.OUTCOME)
    issue(coordinator, world, DocumentKind.ACTION_PLAN, method="agency-portal")
    letter, plan = issued()
    return letter, plan


def test_chair_previews_but_cannot_issue(app, world, issued_pair):
    client = fresh(app)
    login(client, world.chair)
    assert client.get(url(world, "/preview?kind=outcome")).mimetype == "application/pdf"
    assert client.get(url(world, "/issue?kind=outcome")).status_code == 403
    letter, _ = issued_pair
    assert client.get(url(world, f"/{letter.id}/download")).status_code == 200


def test_agency_rep_downloads_agency_documents_only(app, world, issued_pair, make_user):
    letter, plan = issued_pair
    rep = make_user(Role.AGENCY_REP, agency=world.police)  # the police own an action: they see the case
    client = fresh(app)
    login(client, rep)
    page = text_of(client.get(url(world)))
    assert "Action plan (agencies), version 1" in page and "Outcome letter" not in page
    assert client.get(url(world, f"/{plan.id}/download")).status_code == 200
    assert client.get(url(world, f"/{letter.id}/download")).status_code == 403
    assert client.get(url(world, "/preview?kind=action-plan")).status_code == 403
    assert client.get(url(world, "/issue?kind=action-plan")).status_code == 403


def test_agency_rep_of_an_uninvolved_agency_sees_nothing(app, world, issued_pair, make_user, make_agency):
    _, plan = issued_pair
    rep = make_user(Role.AGENCY_REP, agency=make_agency("Faraway Fire"))
    client = fresh(app)
    login(client, rep)
    assert client.get(url(world)).status_code == 403
    assert client.get(url(world, f"/{plan.id}/download")).status_code == 403


def test_viewer_reads_but_cannot_preview_issue_email_or_post(app, world, issued_pair, make_user):
    letter, _ = issued_pair
    viewer = make_user(Role.VIEWER)
    client = fresh(app)
    login(client, viewer)
    assert client.get(url(world, f"/{letter.id}/download")).status_code == 200
    assert client.get(url(world, "/preview?kind=outcome")).status_code == 403
    assert client.get(url(world, "/issue?kind=outcome")).status_code == 403
    assert client.get(url(world, f"/{letter.id}/posted")).status_code == 403
    assert client.post(url(world, f"/{letter.id}/email"), data={}).status_code in (400, 403)


def test_signed_out_visitors_are_sent_to_sign_in(app, world, issued_pair):
    letter, _ = issued_pair
    client = fresh(app)
    response = client.get(url(world, f"/{letter.id}/download"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_document_of_another_case_is_not_found(app, world, issued_pair):
    letter, _ = issued_pair
    other = make_doc_world(reference="ASB-2026-0099")
    client = fresh(app)
    login(client, world.coordinator)
    assert client.get(f"/cases/{other.case.id}/documents/{letter.id}/download").status_code == 404


# ---- escalation letters ------------------------------------------------------------------------------------------


def _escalation(world, **outcome):
    from trigger.models.escalations import Escalation, ReviewingBody

    today = date.today()
    escalation = Escalation(
        case_id=world.case.id,
        escalated_from=Stage.OUTCOME_SENT,
        received_on=today - timedelta(days=2),
        outcome_letter_on=today - timedelta(days=10),
        window_working_days=20,
        window_due_on=today + timedelta(days=20),
        working_days_after_letter=6,
        ground_review_not_proper=True,
        applicant_summary=f"Nobody spoke to {PERPETRATOR} about the noise.",
        consent_to_share=True,
        consent_on=today - timedelta(days=2),
        reviewing_body=ReviewingBody.PCC_OFFICE,
        decision_due_on=today + timedelta(days=25),
        **outcome,
    )
    db.session.add(escalation)
    db.session.commit()
    return escalation


def test_escalation_acknowledgement_says_who_reviews_and_by_when(world):
    escalation = _escalation(world)
    text = render(world, DocumentKind.ESCALATION_ACKNOWLEDGEMENT)
    assert long_date(escalation.received_on) in text
    assert "The review was not carried out properly" in text
    assert "the Police and Crime Commissioner's office" in text
    assert f"with the result by {long_date(escalation.decision_due_on)}" in text
    assert PERPETRATOR not in text and "Nobody spoke to another person" in text


def test_escalation_outcome_letters_upheld_and_not_upheld(world):
    from trigger.documents.contexts import DocumentProblem
    from trigger.models.escalations import EscalationOutcome

    escalation = _escalation(world)
    case = load_case_for_documents(world.case.id)
    with pytest.raises(DocumentProblem, match="not been decided"):
        render_document(DocumentKind.ESCALATION_OUTCOME, case, draft=True, large_print=False)
    escalation.outcome, escalation.decided_on = EscalationOutcome.UPHELD, date.today()
    escalation.outcome_reasons = "The victim's statement was not read at the meeting."
    escalation.points_to_reconsider = "Read the statement and review the housing actions."
    escalation.reconsider_due_on = date.today() + timedelta(days=30)
    db.session.commit()
    text = render(world, DocumentKind.ESCALATION_OUTCOME)
    assert "upheld" in text and "not upheld" not in text
    assert "Read the statement and review the housing actions." in text
    assert long_date(escalation.reconsider_due_on) in text
    escalation.outcome, escalation.points_to_reconsider = EscalationOutcome.NOT_UPHELD, ""
    db.session.commit()
    text = render(world, DocumentKind.ESCALATION_OUTCOME)
    assert "not upheld" in text and "Local Government and Social Care Ombudsman" in text
