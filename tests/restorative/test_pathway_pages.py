"""The restorative pathway through its pages: referral, telling, assessment, consent gates, withdrawal after
booking, confidentiality of the conference, the agreement, follow-up, feedback links, need to know."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import login, post, text_of
from tests.restorative_helpers import make_world, only_referral, people, refer, to_ready, tomorrow
from trigger.domain.restorative import PathwayState
from trigger.extensions import db
from trigger.models import Meeting, Notification
from trigger.models.restorative import Feedback


@pytest.fixture
def world(make_user, make_agency, make_area):
    return make_world(make_user, make_agency, make_area)


def book(client, world, referral_id):
    return post(
        client,
        f"/restorative/{referral_id}/book",
        {
            "day": tomorrow(),
            "start": "10:00",
            "end": "11:30",
            "place": "Community centre",
            "chair_id": str(world.chair.id),
        },
    )


def test_a_coordinator_refers_and_the_case_page_shows_the_state_and_next_step(client, world):
    login(client, world.coordinator)
    response = refer(client, world)
    assert response.status_code == 302
    referral = only_referral()
    assert referral.state is PathwayState.REFERRED
    assert sorted(people(referral)) == ["harmed", "responsible"]
    page = text_of(client.get(f"/cases/{world.case.id}"))
    assert "Restorative justice" in page and "Tell the victim about restorative justice" in page


def test_a_referral_without_a_reason_or_service_keeps_what_was_typed(client, world):
    login(client, world.coordinator)
    response = refer(client, world, reason="", neighbours="Sam Next Door")
    assert response.status_code == 400
    page = text_of(response)
    assert "Enter why the case is referred for restorative justice" in page and "Sam Next Door" in page
    response = refer(client, world, agency_id="999")
    assert response.status_code == 400 and "Choose the restorative justice service" in text_of(response)


def test_booking_without_both_consents_is_refused_with_a_clear_message(client, world):
    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    base = f"/restorative/{referral.id}"
    post(client, f"{base}/told", {"told_on": date.today().isoformat(), "how": "phone", "answer": "interested"})
    post(
        client,
        f"{base}/consent",
        {"participant_id": str(people(referral)["harmed"]), "given_on": date.today().isoformat(), "how": "phone"},
    )
    response = book(client, world, referral.id)
    assert response.status_code == 400
    assert "must be assessed suitable" in text_of(response)
    assert "Community centre" in response.get_data(as_text=True)  # nothing lost
    assert db.session.query(Meeting).count() == 0


def test_consent_for_someone_not_on_the_referral_is_refused(client, world):
    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    response = post(
        client,
        f"/restorative/{referral.id}/consent",
        {"participant_id": "9999", "given_on": date.today().isoformat(), "how": "phone"},
    )
    assert response.status_code == 400
    assert "Choose someone who is on this referral" in text_of(response)


def test_the_full_pathway_and_a_withdrawal_after_booking(client, world):
    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    post(client, f"/restorative/{referral.id}/facilitators", {"user_id": str(world.rj_rep.id)})
    to_ready(client, referral.id)
    assert only_referral().state is PathwayState.READY
    assert post(client, f"/restorative/{referral.id}/process", {"kind": "direct-conference"}).status_code == 302
    response = book(client, world, referral.id)
    assert response.status_code == 302, text_of(response)[:3000]
    meeting = db.session.query(Meeting).one()
    assert meeting.is_restorative_conference
    from trigger.models import Attendee

    listed = {(a.kind.value, a.name) for a in db.session.query(Attendee).filter_by(meeting_id=meeting.id)}
    assert ("alleged-perpetrator", "Pat Responsible") in listed and ("applicant", "Jane Applicant") in listed
    assert ("agency-representative", world.rj_rep.name) in listed
    assert only_referral().state is PathwayState.CONFERENCE_BOOKED

    response = post(
        client,
        f"/restorative/{referral.id}/withdraw",
        {"participant_id": str(people(referral)["responsible"]), "withdrawn_on": date.today().isoformat()},
    )
    assert response.status_code == 302
    after = only_referral()
    assert after.state is PathwayState.AWAITING_CONSENT and after.booking_flagged
    told = {n.user_id for n in db.session.query(Notification).filter(Notification.subject.contains("withdrawn"))}
    assert told == {world.rj_rep.id, world.chair.id}
    page = text_of(client.get(f"/restorative/{referral.id}"))
    assert "withdrew their consent after the conference was booked" in page
    meeting_page = text_of(client.get(f"/cases/{world.case.id}/meetings/{meeting.id}"))
    assert "withdrawn their consent to this restorative conference since it was booked" in meeting_page
    assert "The person responsible does not currently consent" in page


def test_a_restorative_conference_records_no_minutes(client, world):
    from trigger.forms import FieldError
    from trigger.meetings import services as meeting_services

    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    to_ready(client, referral.id)
    post(client, f"/restorative/{referral.id}/process", {"kind": "community-conference"})
    book(client, world, referral.id)
    from trigger.models import MinuteItem

    meeting_id = db.session.query(Meeting).one().id
    db.session.add(MinuteItem(meeting_id=meeting_id, agenda_title="Anything said", position=99))
    db.session.commit()
    meeting = meeting_services.load_meeting(meeting_id)
    with pytest.raises(FieldError, match="not recorded"):
        meeting_services.save_minute(
            meeting, meeting.minute_items[-1], base_number=0, text="She said...", actor=world.chair
        )


def _held_with_agreement(client, world):
    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    to_ready(client, referral.id)
    post(client, f"/restorative/{referral.id}/process", {"kind": "indirect-letters"})
    response = post(client, f"/restorative/{referral.id}/held", {"held_on": date.today().isoformat()})
    assert response.status_code == 302, text_of(response)[:2000]
    return only_referral()


def test_an_agreement_item_without_a_person_responsible_is_refused(client, world):
    referral = _held_with_agreement(client, world)
    data = {
        "kind": "apology",
        "responsible": "",
        "what": "Write a letter of apology",
        "due_on": (date.today() + timedelta(days=14)).isoformat(),
    }
    response = post(client, f"/restorative/{referral.id}/items", data)
    assert response.status_code == 400
    assert "Enter who is responsible for this item" in text_of(response)
    assert "Write a letter of apology" in text_of(response)
    data["responsible"] = "Pat Responsible"
    assert post(client, f"/restorative/{referral.id}/items", data).status_code == 302
    assert only_referral().state is PathwayState.AGREEMENT_MADE


def test_follow_up_checks_are_scheduled_and_closing_records_the_outcome(client, world):
    referral = _held_with_agreement(client, world)
    from trigger.restorative.services import follow_ups_of

    checks = follow_ups_of(referral)
    assert len(checks) == 2
    response = post(
        client,
        f"/restorative/{referral.id}/follow-ups/{checks[0].id}",
        {"done_on": date.today().isoformat(), "notes": "No further incidents"},
    )
    assert response.status_code == 302
    assert (
        post(
            client, f"/restorative/{referral.id}/close", {"outcome": "completed", "closed_on": date.today().isoformat()}
        ).status_code
        == 302
    )
    assert only_referral().state is PathwayState.CLOSED


def _link(client, referral):
    response = post(
        client, f"/restorative/{referral.id}/feedback-link", {"participant_id": str(people(referral)["harmed"])}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    from flask import current_app

    # The address shown for the participant starts with PUBLIC_URL, never the request's Host.
    assert f"{current_app.config['TRIGGER_SETTINGS'].public_url}/restorative/feedback?token=" in page
    start = page.index("/restorative/feedback?token=")
    return page[start : page.index('"', start)].replace("&amp;", "&")


def test_feedback_through_a_single_use_link_and_clear_refusals(client, world, app):
    referral = _held_with_agreement(client, world)
    link = _link(client, referral)
    anonymous = app.test_client()
    assert anonymous.get(link).status_code == 200
    response = post(
        anonymous,
        link,
        {"felt_heard": "yes", "helped": "partly", "recommend": "5", "comments": "CANARY-FEEDBACK words"},
    )
    assert response.status_code == 200 and "Thank you" in text_of(response)
    again = anonymous.get(link)
    assert again.status_code == 410 and "already been used" in text_of(again)
    assert anonymous.get("/restorative/feedback?token=nonsense").status_code == 404

    link2 = _link(client, referral)
    feedback = db.session.query(Feedback).order_by(Feedback.id.desc()).first()
    feedback.issued_at = feedback.issued_at - timedelta(days=31)
    db.session.commit()
    expired = anonymous.get(link2)
    assert expired.status_code == 410 and "expired" in text_of(expired)


def test_preparation_notes_and_feedback_answers_are_seen_only_by_the_service_and_chairs(client, world, app):
    login(client, world.rj_rep)
    # The service cannot refer; the coordinator does, then the service prepares.
    other = app.test_client()
    login(other, world.coordinator)
    refer(other, world)
    referral = only_referral()
    response = post(
        client,
        f"/restorative/{referral.id}/preparation",
        {
            "participant_id": str(people(referral)["harmed"]),
            "contact_on": date.today().isoformat(),
            "kind": "in-person",
            "notes": "CANARY-PREP she is frightened of him",
        },
    )
    assert response.status_code == 302, text_of(response)[:2000]
    post(
        client,
        f"/restorative/{referral.id}/feedback-phone",
        {
            "participant_id": str(people(referral)["harmed"]),
            "felt_heard": "yes",
            "helped": "yes",
            "recommend": "4",
            "comments": "CANARY-FEEDBACK by phone",
        },
    )
    assert "CANARY-PREP" in text_of(client.get(f"/restorative/{referral.id}"))
    chair = app.test_client()
    login(chair, world.chair)
    assert "CANARY-PREP" in text_of(chair.get(f"/restorative/{referral.id}"))
    for user in (world.coordinator, world.viewer):
        reader = app.test_client()
        login(reader, user)
        for url in (f"/restorative/{referral.id}", f"/cases/{world.case.id}"):
            page = text_of(reader.get(url))
            assert "CANARY" not in page, (user.role, url)
        assert reader.get(f"/restorative/{referral.id}/preparation").status_code == 403
    for user in (world.police_rep, world.pcc):
        reader = app.test_client()
        login(reader, user)
        assert reader.get(f"/restorative/{referral.id}").status_code == 403
        assert "CANARY" not in text_of(reader.get(f"/cases/{world.case.id}"))


def test_the_service_sees_the_case_it_was_referred(client, world):
    login(client, world.rj_rep)
    assert client.get(f"/cases/{world.case.id}").status_code == 403
    other = client.application.test_client()
    login(other, world.coordinator)
    refer(other, world)
    assert client.get(f"/cases/{world.case.id}").status_code == 200


def test_figures_count_each_step_in_the_period(client, world):
    from trigger.restorative.services import figures

    _held_with_agreement(client, world)
    today = date.today()
    counts = figures(None, today - timedelta(days=1), today)
    assert (counts.referrals, counts.victims_told, counts.consents, counts.suitable) == (1, 1, 2, 1)
    assert counts.conferences == {"direct": 0, "indirect": 1, "community": 0}
    page = text_of(client.get("/restorative/figures"))
    assert "Referrals" in page and "Indirect processes" in page


# ---- documents ------------------------------------------------------------------------------------------------


def _pdf(case_id, kind):
    from tests.crawl_helpers import pdf_text
    from trigger.documents.contexts import load_case_for_documents
    from trigger.documents.rendering import render_document

    return pdf_text(render_document(kind, load_case_for_documents(case_id), draft=False, large_print=False))


def test_the_documents_say_what_they_should_and_disclose_nothing_they_should_not(client, world, org):
    from trigger.documents.contexts import DocumentProblem
    from trigger.models import DocumentKind

    with pytest.raises(DocumentProblem, match="not been referred"):
        _pdf(world.case.id, DocumentKind.RESTORATIVE_INFORMATION)
    referral = _held_with_agreement(client, world)
    with pytest.raises(DocumentProblem, match="no items yet"):
        _pdf(world.case.id, DocumentKind.RESTORATIVE_AGREEMENT)
    post(
        client,
        f"/restorative/{referral.id}/items",
        {
            "kind": "apology",
            "responsible": "Pat Responsible",
            "what": "Write to Jane to apologise",
            "victim_wording": "A letter of apology to you",
            "due_on": (date.today() + timedelta(days=14)).isoformat(),
        },
    )

    letter = _pdf(world.case.id, DocumentKind.RESTORATIVE_INFORMATION)
    assert "Restorative justice: what it is and how to take part" in letter
    assert "Dear Jane Applicant" in letter and "change your mind at any time" in letter
    assert "Pat Responsible" not in letter

    from trigger.documents.services import default_method, default_recipient
    from trigger.models import DeliveryMethod

    assert default_recipient(world.case, DocumentKind.RESTORATIVE_INVITATION).name == "Pat Responsible"
    assert default_method(world.case, DocumentKind.RESTORATIVE_INVITATION) is DeliveryMethod.POST
    invitation = _pdf(world.case.id, DocumentKind.RESTORATIVE_INVITATION)
    assert "Dear Pat Responsible" in invitation
    for secret in ("Jane", "Applicant", "1 Elm Road", "Noise and threats", "GL50"):
        assert secret not in invitation, secret
    assert "OFFICIAL-SENSITIVE" not in invitation

    agreement = _pdf(world.case.id, DocumentKind.RESTORATIVE_AGREEMENT)
    assert "Write to Jane to apologise" in agreement and "signature and date" in agreement
    assert "Pat Responsible (person responsible), signature and date" in agreement

    victim_copy = _pdf(world.case.id, DocumentKind.RESTORATIVE_AGREEMENT_VICTIM)
    assert "A letter of apology to you" in victim_copy
    assert "Pat Responsible" not in victim_copy and "OFFICIAL-SENSITIVE" not in victim_copy


def test_due_follow_up_checks_are_reminded_to_the_facilitators_once(client, world, app):
    from trigger.restorative.services import follow_ups_of

    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    post(client, f"/restorative/{referral.id}/facilitators", {"user_id": str(world.rj_rep.id)})
    referral = _held_with_agreement_again(client, referral)
    first = follow_ups_of(referral)[0].due_on
    runner = app.test_cli_runner()
    assert (
        "0 follow-up"
        in runner.invoke(args=["restorative", "remind", "--today", (first - timedelta(days=1)).isoformat()]).output
    )
    assert "1 follow-up" in runner.invoke(args=["restorative", "remind", "--today", first.isoformat()]).output
    assert "0 follow-up" in runner.invoke(args=["restorative", "remind", "--today", first.isoformat()]).output
    reminded = db.session.query(Notification).filter(Notification.subject.contains("follow-up")).all()
    assert [n.user_id for n in reminded] == [world.rj_rep.id]


def _held_with_agreement_again(client, referral):
    to_ready(client, referral.id)
    post(client, f"/restorative/{referral.id}/process", {"kind": "indirect-shuttle"})
    assert post(client, f"/restorative/{referral.id}/held", {"held_on": date.today().isoformat()}).status_code == 302
    return only_referral()


def test_the_demo_county_has_a_case_at_each_step_of_the_pathway(app):
    from sqlalchemy import select

    from trigger.models.restorative import RestorativeReferral

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "7 cases on the restorative justice pathway" in result.output
    states = {r.state for r in db.session.scalars(select(RestorativeReferral))}
    assert states == {
        PathwayState.REFERRED,
        PathwayState.VICTIM_TOLD,
        PathwayState.AWAITING_CONSENT,
        PathwayState.READY,
        PathwayState.CONFERENCE_BOOKED,
        PathwayState.AGREEMENT_MADE,
        PathwayState.CLOSED,
    }


def test_a_referral_can_be_the_plans_action_owned_by_the_service(client, world):
    from trigger.models import Action, ActionPlan

    # The review agreed an action for the service (made directly: the actions feature has its own tests).
    plan = ActionPlan(case_id=world.case.id)
    db.session.add(plan)
    db.session.flush()
    due = date.today() + timedelta(days=10)
    action = Action(
        plan_id=plan.id,
        description="Offer restorative justice to both households",
        owner_agency_id=world.rj_agency_id,
        due_on=due,
        original_due_on=due,
    )
    db.session.add(action)
    db.session.commit()
    login(client, world.coordinator)
    page = client.get(f"/cases/{world.case.id}/restorative/new").get_data(as_text=True)
    assert "Offer restorative justice to both households" in page
    response = refer(client, world, action_id="99999")
    assert response.status_code == 400 and "Choose an action of this case" in text_of(response)
    assert refer(client, world, action_id=str(action.id)).status_code == 302
    assert only_referral().action_id == action.id
    assert "as an action of the plan" in text_of(client.get(f"/restorative/{only_referral().id}"))


def test_a_cancelled_conference_meeting_can_be_booked_again(client, world):
    from trigger.meetings import services as meeting_services

    login(client, world.coordinator)
    refer(client, world)
    referral = only_referral()
    to_ready(client, referral.id)
    post(client, f"/restorative/{referral.id}/process", {"kind": "direct-conference"})
    assert book(client, world, referral.id).status_code == 302
    first = db.session.query(Meeting).one()
    meeting_services.cancel_meeting(meeting_services.load_meeting(first.id), world.case, "The venue closed")
    db.session.commit()
    assert "book the conference again" in text_of(client.get(f"/restorative/{referral.id}"))
    assert book(client, world, referral.id).status_code == 302
    assert only_referral().meeting_id != first.id


def test_figures_by_area_and_a_period_the_wrong_way_round(client, world, make_area):
    from trigger.restorative.services import figures

    _held_with_agreement(client, world)
    other = make_area("Otherbury")
    today = date.today()
    assert figures(other.id, today - timedelta(days=1), today).referrals == 0
    assert figures(world.case.area_id, today - timedelta(days=1), today).referrals == 1
    page = client.get(f"/restorative/figures?area_id={other.id}&start={today}&end={today - timedelta(days=3)}")
    assert page.status_code == 200 and "The start must be on or before the end" in text_of(page)
    assert client.get("/restorative/figures?start=not-a-date&area_id=x").status_code == 200


def test_the_case_timeline_shows_the_pathway_only_to_those_who_may_see_the_referral(client, world, app):
    login(client, world.coordinator)
    refer(client, world)
    assert "for restorative justice" in text_of(client.get(f"/cases/{world.case.id}?timeline=all"))
    police = app.test_client()
    login(police, world.police_rep)
    page = text_of(police.get(f"/cases/{world.case.id}?timeline=all"))
    assert "restorative" not in page.lower()
    service = app.test_client()
    login(service, world.rj_rep)
    assert "for restorative justice" in text_of(service.get(f"/cases/{world.case.id}?timeline=all"))


# ---- the consent gate, through the services and the database ------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SERVICE_STEPS = st.lists(
    st.sampled_from(
        [
            "tell",
            "assess-yes",
            "assess-no",
            "consent-harmed",
            "consent-responsible",
            "withdraw-harmed",
            "withdraw-responsible",
            "process-direct",
            "process-letters",
            "book",
            "hold",
            "close",
        ]
    ),
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=SERVICE_STEPS)
def test_no_sequence_of_service_calls_books_a_conference_without_both_current_consents(world, app, steps):
    from datetime import time as clock

    from trigger.forms import FieldError
    from trigger.restorative import services as rj

    with app.test_request_context("/"):
        case = db.session.get(type(world.case), world.case.id)
        referral = rj.refer(
            case,
            rj.ReferralInput(
                agency_id=str(world.rj_agency_id),
                reason="Property test",
                perpetrator_ids=[str(p.id) for p in rj.perpetrators_of(case)],
            ),
            actor=world.coordinator,
        )
        db.session.commit()
        today = date.today()
        for step in steps:
            referral = rj.load_referral(referral.id)
            who = {p.role.value: str(p.id) for p in referral.participants}
            calls = {
                "tell": lambda: rj.tell_victim(referral, told_on=today, how="phone", answer="interested"),
                "assess-yes": lambda: rj.assess(referral, [], {}, suitable=True, reason="", actor=world.chair),
                "assess-no": lambda: rj.assess(referral, [], {}, suitable=False, reason="Unsafe", actor=world.chair),
                "consent-harmed": lambda: rj.record_consent(
                    referral, participant_id=who["harmed"], given_on=today, how="phone", actor=world.chair
                ),
                "consent-responsible": lambda: rj.record_consent(
                    referral, participant_id=who["responsible"], given_on=today, how="phone", actor=world.chair
                ),
                "withdraw-harmed": lambda: rj.withdraw_consent(
                    referral, participant_id=who["harmed"], withdrawn_on=today, actor=world.chair
                ),
                "withdraw-responsible": lambda: rj.withdraw_consent(
                    referral, participant_id=who["responsible"], withdrawn_on=today, actor=world.chair
                ),
                "process-direct": lambda: rj.choose_process(referral, "direct-conference"),
                "process-letters": lambda: rj.choose_process(referral, "indirect-letters"),
                "book": lambda: rj.book_conference(
                    referral,
                    case,
                    rj.BookingInput(
                        day=today + timedelta(days=5),
                        start=clock(10),
                        end=clock(11),
                        place="Hall",
                        virtual_link="",
                        chair_id=str(world.chair.id),
                    ),
                    actor=world.coordinator,
                ),
                "hold": lambda: rj.hold(referral, case, held_on=today),
                "close": lambda: rj.close(referral, outcome="not-completed", closed_on=today),
            }
            try:
                with db.session.begin_nested():
                    calls[step]()
            except FieldError:
                pass
            db.session.commit()
            stored = rj.load_referral(referral.id)
            if stored.state is PathwayState.CONFERENCE_BOOKED:
                consenting = rj.current_consents(rj.consents_of(stored))
                assert {int(who["harmed"]), int(who["responsible"])} <= consenting, steps
                assert stored.suitable is True and stored.meeting_id is not None, steps
