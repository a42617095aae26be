"""The restorative pathway's rules (trigger.domain.restorative): consent gates, states, what withdrawal does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trigger.domain.restorative import (
    LinkState,
    ParticipantRole,
    Pathway,
    PathwayRefused,
    PathwayState,
    ProcessKind,
    current_consents,
    feedback_link_state,
    follow_up_dates,
    missing_consent_message,
)
from trigger.domain.workdays import Nation, WorkingCalendar

HARMED, RESPONSIBLE, NEIGHBOUR = 1, 2, 3
PEOPLE = {
    HARMED: ParticipantRole.HARMED,
    RESPONSIBLE: ParticipantRole.RESPONSIBLE,
    NEIGHBOUR: ParticipantRole.NEIGHBOUR,
}


def with_people(pathway: Pathway | None = None) -> Pathway:
    pathway = pathway if pathway is not None else Pathway()
    for pid, role in PEOPLE.items():
        pathway = pathway.add_participant(pid, role)
    return pathway


def ready() -> Pathway:
    return with_people().tell_victim().assess(True).give_consent(HARMED).give_consent(RESPONSIBLE)


# ---- examples a facilitator would recognise ---------------------------------------------------------------


def test_the_happy_path_runs_from_referral_to_closing():
    pathway = ready()
    assert pathway.state is PathwayState.READY
    pathway = pathway.choose_process(ProcessKind.DIRECT).book_conference()
    assert pathway.state is PathwayState.CONFERENCE_BOOKED
    pathway = pathway.hold().record_agreement()
    assert pathway.state is PathwayState.AGREEMENT_MADE
    assert pathway.close().state is PathwayState.CLOSED


def test_one_sides_consent_alone_books_nothing():
    pathway = with_people().tell_victim().assess(True).give_consent(HARMED)
    assert pathway.state is PathwayState.AWAITING_CONSENT
    with pytest.raises(PathwayRefused, match="person responsible does not currently consent"):
        pathway.book_conference()


def test_withdrawal_after_booking_flags_the_booking_and_goes_back_to_waiting():
    booked = ready().choose_process(ProcessKind.COMMUNITY).book_conference()
    after = booked.withdraw_consent(RESPONSIBLE)
    assert after.state is PathwayState.AWAITING_CONSENT
    assert after.booking_flagged
    with pytest.raises(PathwayRefused):
        after.hold()


def test_a_neighbours_withdrawal_does_not_unbook_the_conference():
    booked = ready().give_consent(NEIGHBOUR).choose_process(ProcessKind.COMMUNITY).book_conference()
    assert booked.withdraw_consent(NEIGHBOUR).state is PathwayState.CONFERENCE_BOOKED


def test_a_cancelled_conference_can_be_booked_again():
    booked = ready().choose_process(ProcessKind.DIRECT).book_conference()
    assert booked.unbook().state is PathwayState.READY
    assert booked.unbook().book_conference().state is PathwayState.CONFERENCE_BOOKED


def test_consent_for_someone_not_on_the_referral_is_refused():
    with pytest.raises(PathwayRefused, match="someone on this referral"):
        with_people().give_consent(99)


def test_an_indirect_process_books_no_meeting_but_can_take_place():
    pathway = ready().choose_process(ProcessKind.INDIRECT_LETTERS)
    with pytest.raises(PathwayRefused, match="direct or community"):
        pathway.book_conference()
    assert pathway.hold().state is PathwayState.CONFERENCE_HELD


def test_not_suitable_stops_the_pathway_until_reassessed():
    pathway = with_people().tell_victim().give_consent(HARMED).give_consent(RESPONSIBLE).assess(False)
    assert pathway.state is PathwayState.NOT_SUITABLE
    with pytest.raises(PathwayRefused, match="assessed suitable"):
        pathway.book_conference()
    assert pathway.assess(True).state is PathwayState.READY


def test_assessment_needs_the_victim_told_first():
    with pytest.raises(PathwayRefused, match="Tell the victim"):
        with_people().assess(True)


def test_a_closed_referral_accepts_nothing():
    closed = ready().close()
    for step in (lambda p: p.give_consent(NEIGHBOUR), lambda p: p.tell_victim(), lambda p: p.assess(True)):
        with pytest.raises(PathwayRefused, match="closed"):
            step(closed)


def test_current_consent_is_the_latest_record_per_person():
    class C:
        def __init__(self, pid, withdrawn):
            self.participant_id, self.given_on, self.withdrawn_on = pid, date(2026, 1, 1), withdrawn

    consents = [C(1, date(2026, 1, 2)), C(1, None), C(2, None), C(2, date(2026, 1, 5))]
    assert current_consents(consents) == {1}


def test_missing_consent_names_who_is_missing():
    roles = {1: ParticipantRole.HARMED, 2: ParticipantRole.RESPONSIBLE}
    assert missing_consent_message(roles, set()) == (
        "Neither the person harmed nor the person responsible currently consents"
    )
    assert missing_consent_message(roles, {1, 2}) is None
    assert "person harmed to the referral" in missing_consent_message({2: ParticipantRole.RESPONSIBLE}, {2})


# ---- properties: no sequence of steps books a conference without both current consents ---------------------

STEPS = st.one_of(
    st.tuples(st.just("add"), st.integers(1, 5), st.sampled_from(list(ParticipantRole))),
    st.tuples(st.just("tell")),
    st.tuples(st.just("assess"), st.booleans()),
    st.tuples(st.just("consent"), st.integers(1, 6)),
    st.tuples(st.just("withdraw"), st.integers(1, 6)),
    st.tuples(st.just("process"), st.sampled_from(list(ProcessKind))),
    st.tuples(st.just("book")),
    st.tuples(st.just("unbook")),
    st.tuples(st.just("hold")),
    st.tuples(st.just("agree")),
    st.tuples(st.just("close")),
)


def apply(pathway: Pathway, step: tuple) -> Pathway:
    name, *args = step
    action = {
        "add": lambda: pathway.add_participant(args[0], args[1]),
        "tell": pathway.tell_victim,
        "assess": lambda: pathway.assess(args[0]),
        "consent": lambda: pathway.give_consent(args[0]),
        "withdraw": lambda: pathway.withdraw_consent(args[0]),
        "process": lambda: pathway.choose_process(args[0]),
        "book": pathway.book_conference,
        "unbook": pathway.unbook,
        "hold": pathway.hold,
        "agree": pathway.record_agreement,
        "close": pathway.close,
    }[name]
    try:
        return action()
    except PathwayRefused:
        return pathway  # a refused step changes nothing


@settings(max_examples=400, deadline=None)
@given(st.lists(STEPS, max_size=40))
def test_no_sequence_of_steps_reaches_a_booked_conference_without_both_current_consents(steps):
    pathway = Pathway()
    for step in steps:
        before = pathway
        pathway = apply(pathway, step)
        if pathway.state is PathwayState.CONFERENCE_BOOKED:
            assert pathway.both_consent, (steps, pathway)
            assert pathway.suitable is True
            assert pathway.process is not None and pathway.process.is_conference
        if before.state is PathwayState.CLOSED:
            assert pathway == before  # closed is final
        if (
            step[0] == "withdraw"
            and before.state is PathwayState.CONFERENCE_BOOKED
            and pathway.state is not PathwayState.CONFERENCE_BOOKED
        ):
            assert pathway.booking_flagged


@settings(max_examples=200, deadline=None)
@given(st.lists(STEPS, max_size=30))
def test_nothing_is_held_or_agreed_without_both_sides_having_consented(steps):
    """A conference is only held from a booking (which needed both consents) or an agreed indirect process."""
    pathway = Pathway()
    for step in steps:
        before = pathway
        pathway = apply(pathway, step)
        if pathway.state is PathwayState.CONFERENCE_HELD and before.state is not PathwayState.CONFERENCE_HELD:
            assert before.both_consent and before.suitable is True


@settings(max_examples=200, deadline=None)
@given(st.lists(STEPS, max_size=30), st.integers(1, 5))
def test_withdrawal_is_always_possible_for_whoever_consents(steps, pid):
    pathway = Pathway()
    for step in steps:
        pathway = apply(pathway, step)
    if pid in pathway.consenting and pathway.state is not PathwayState.CLOSED:
        assert pid not in pathway.withdraw_consent(pid).consenting


# ---- follow-up and feedback links -----------------------------------------------------------------------------

ENGLAND = WorkingCalendar(Nation.ENGLAND_AND_WALES)


def test_follow_up_checks_are_20_working_days_and_3_months_after_the_conference():
    # Held Thursday 10 December 2026: 20 working days skip Christmas Day, Boxing Day (moved to Monday 28)
    # and New Year's Day.
    first, second = follow_up_dates(date(2026, 12, 10), ENGLAND)
    assert first == date(2027, 1, 12)
    assert second == date(2027, 3, 10)


@given(st.dates(date(2025, 1, 1), date(2028, 6, 30)))
def test_follow_up_checks_fall_on_working_days_in_order(held_on):
    dates = follow_up_dates(held_on, ENGLAND)
    assert all(ENGLAND.is_working_day(d) for d in dates)
    assert dates == sorted(dates) and dates[0] > held_on


def test_a_feedback_link_is_single_use_and_lasts_30_days():
    issued = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert feedback_link_state(issued, None, issued + timedelta(days=29)) is LinkState.VALID
    assert feedback_link_state(issued, None, issued + timedelta(days=30)) is LinkState.EXPIRED
    assert feedback_link_state(issued, issued + timedelta(days=1), issued + timedelta(days=2)) is LinkState.USED
