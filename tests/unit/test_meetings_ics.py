"""The .ics builder and invitation text are pure functions: checked here without the app."""

from datetime import UTC, datetime

from icalendar import Calendar

from trigger.meetings.ics import CalendarEvent, build_ics, invitation_email

EVENT = CalendarEvent(
    uid="meeting-1@trigger",
    sequence=3,
    summary='Review <script>alert("x")</script>\nMETHOD:CANCEL; a, b',
    starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 1, 11, 30, tzinfo=UTC),
    location="Room 1\r\nCouncil House",
    organizer_email="trigger@example.org",
    organizer_name="ASB Case Review",
    attendee_email="rep@example.org",
    attendee_name="Rep, The",
)


def test_title_with_markup_and_line_breaks_round_trips_and_injects_nothing():
    raw = build_ics(EVENT)
    calendar = Calendar.from_ical(raw)
    event = calendar.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == EVENT.summary
    assert str(calendar["METHOD"]) == "REQUEST"
    lines = raw.decode().split("\r\n")
    assert [line for line in lines if line.startswith("METHOD")] == ["METHOD:REQUEST"]


def test_times_are_in_europe_london_with_a_vtimezone():
    calendar = Calendar.from_ical(build_ics(EVENT))
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt.hour == 10  # 1 December: GMT, so 10:00 UTC is 10:00 in London
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
    summer = CalendarEvent(
        **{
            **EVENT.__dict__,
            "starts_at": datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            "ends_at": datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
        }
    )
    assert Calendar.from_ical(build_ics(summer)).walk("VEVENT")[0]["DTSTART"].dt.hour == 10  # BST


def test_cancel_keeps_the_uid():
    calendar = Calendar.from_ical(build_ics(EVENT, cancel=True))
    event = calendar.walk("VEVENT")[0]
    assert (str(calendar["METHOD"]), str(event["UID"]), event.decoded("SEQUENCE")) == ("CANCEL", "meeting-1@trigger", 3)


def _email(**overrides):
    """invitation_email with a plain meeting's details, and the test's own changes."""
    details = {"recipient_name": "Pat", "title": "T", "when": "w", "place": "", "virtual_link": "", "chair_name": "C"}
    return invitation_email(**{**details, **overrides})


def test_invitation_text():
    subject, body = _email(
        title="Review: case ASB-1",
        when="1 December 2026",
        place="Room 1\nCouncil House",
        chair_name="Chair",
        respond_url="https://t.example/meetings/respond?token=abc",
    )
    assert subject == "Invitation: Review: case ASB-1"
    assert "Where: Room 1 Council House" in body and "https://t.example/meetings/respond?token=abc" in body
    subject, body = _email(cancel=True, cancel_reason="Unwell", respond_url="https://x")
    assert subject == "Cancelled: T" and "Reason: Unwell" in body and "https://x" not in body


def test_a_replaced_chair_is_told_the_meeting_goes_ahead_without_them():
    subject, body = _email(chair_name="Olive", cancel=True, replaced=True)
    assert subject == "You are no longer the chair: T"
    assert "You are no longer the chair of the ASB Case Review meeting below: Olive is." in body
    assert "cancelled" not in body and "takes it out of your calendar" in body
