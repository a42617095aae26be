"""Meeting invitations as iCalendar (RFC 5545/5546) files, and the email text that goes with them.

Pure functions: no Flask, no database. The `icalendar` library writes the file, so text with commas,
semicolons, line breaks or markup in a title or place is escaped as iCalendar TEXT and cannot add a property.
Each file names only its own recipient as ATTENDEE: attendee lists are never shared through calendar files
(an applicant must not learn who else was invited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Trigger//Case review meetings//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    summary: str
    starts_at: datetime  # timezone-aware; written with TZID=Europe/London
    ends_at: datetime
    location: str = ""
    description: str = ""
    url: str = ""
    organizer_email: str = ""
    organizer_name: str = ""
    attendee_email: str = ""
    attendee_name: str = ""


def build_ics(event: CalendarEvent, *, cancel: bool = False, now: datetime | None = None) -> bytes:
    """One VEVENT, METHOD:REQUEST (new or updated: same UID, higher SEQUENCE) or METHOD:CANCEL."""
    if event.starts_at.tzinfo is None or event.ends_at.tzinfo is None:
        raise ValueError("meeting times must be timezone-aware")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    vevent.add("dtstart", event.starts_at.astimezone(LONDON))
    vevent.add("dtend", event.ends_at.astimezone(LONDON))
    vevent.add("summary", event.summary)
    vevent.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    if event.organizer_email:
        organizer = vCalAddress(f"mailto:{event.organizer_email}")
        if event.organizer_name:
            organizer.params["cn"] = vText(event.organizer_name)
        vevent.add("organizer", organizer)
    if event.attendee_email:
        attendee = vCalAddress(f"mailto:{event.attendee_email}")
        if event.attendee_name:
            attendee.params["cn"] = vText(event.attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation_email(
    *,
    recipient_name: str,
    title: str,
    when: str,
    place: str,
    virtual_link: str,
    chair_name: str,
    update: bool = False,
    cancel: bool = False,
    cancel_reason: str = "",
    respond_url: str = "",
    process_name: str = "ASB Case Review",
    replaced: bool = False,
) -> tuple[str, str]:
    """(subject, plain-text body) of an invitation, update or cancellation. No case details beyond the title.

    ``replaced`` (with ``cancel``): the recipient was the meeting's chair and another person now is; the meeting
    goes ahead, and the attached cancellation only takes it out of their calendar."""
    if cancel and replaced:
        subject = f"You are no longer the chair: {title}"
        opening = (
            f"You are no longer the chair of the {process_name} meeting below: {chair_name} is. The meeting still "
            "goes ahead; you do not need to attend unless you are invited again."
        )
    elif cancel:
        subject = f"Cancelled: {title}"
        opening = f"The {process_name} meeting below has been cancelled."
    elif update:
        subject = f"Updated: {title}"
        opening = f"The {process_name} meeting below has changed. Please check the new details."
    else:
        subject = f"Invitation: {title}"
        opening = f"You are invited to the {process_name} meeting below."
    lines = [f"Dear {recipient_name},", "", opening, "", f"Meeting: {title}", f"When: {when}"]
    if place:
        lines.append(f"Where: {' '.join(place.split())}")
    if virtual_link:
        lines.append(f"Join online: {virtual_link}")
    lines.append(f"Chair: {chair_name}")
    if cancel and cancel_reason:
        lines += ["", f"Reason: {cancel_reason}"]
    if respond_url and not cancel:
        lines += [
            "",
            "Please tell us whether you can attend (accept, send apologies or name a substitute):",
            respond_url,
        ]
    lines += [
        "",
        "The attached calendar update takes it out of your calendar."
        if replaced
        else "The calendar invitation is attached.",
        "",
        "This meeting discusses confidential case information. Please do not forward this email.",
    ]
    return subject, "\n".join(lines) + "\n"


def victim_invitation_email(
    *,
    recipient_name: str,
    reference: str,
    when: str,
    place: str,
    virtual_link: str,
    update: bool = False,
    cancel: bool = False,
    process_name: str = "ASB Case Review",
    sender: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> tuple[str, str]:
    """(subject, plain-text body) of the invitation to the applicant or victim, in the wording of the letters
    they get: plain English, no jargon, and every way they can take part (DOMAIN.md section 2). A cancellation
    gives no reason: the reason was written for the agencies, not marked for the victim."""
    about = f"the meeting about your {process_name}"
    if cancel:
        subject = f"Cancelled: {about} ({reference})"
        lines = [
            f"Dear {recipient_name},",
            "",
            f"We are sorry: {about} on {when} has been cancelled.",
            "We will contact you about what happens next.",
        ]
    else:
        subject = f"Changed: {about} ({reference})" if update else f"You are invited to {about} ({reference})"
        opening = (
            [f"The time or place of {about} has changed. The new details are below."]
            if update
            else [
                "The council, the police and the other services involved in your case are going to meet. They will "
                "look at what they have done about the anti-social behaviour you reported, and agree what more they "
                "can do.",
                "",
                "We would like you to take part. You can tell them in your own words how things are for you.",
            ]
        )
        lines = [f"Dear {recipient_name},", "", *opening, "", f"When: {when}"]
        if place:
            lines.append(f"Where: {' '.join(place.split())}")
        if virtual_link:
            lines.append(f"To join online: {virtual_link}")
        lines += [
            "",
            "How you can take part",
            "",
            "You choose what suits you best. You can:",
            "- come to the meeting in person",
            "- take part by phone or online: we will tell you how to join",
            "- come to the first part of the meeting only, to say how things are for you",
            "- write down what you want the meeting to know: we will read it out at the meeting",
            "- ask someone to speak for you, such as a friend, a relative, a local councillor, your MP or a "
            "support worker (an advocate)",
            "",
            "Please tell us how you would like to take part. If you need help to take part, such as an "
            "interpreter or step-free access, please tell us too.",
            "",
            "The meeting is not a court. You do not need to prepare anything. The person who runs the meeting "
            "makes sure everyone is heard.",
        ]
    contact = " or ".join(
        part
        for part in (
            f"call {contact_phone}" if contact_phone else "",
            f"email {contact_email}" if contact_email else "",
        )
        if part
    )
    lines += ["", f"To reply, answer this email{f' or {contact}' if contact else ''}. Your reference is {reference}."]
    if not cancel:
        lines += ["", "The meeting is in the attached calendar file, if you want to add it to your calendar."]
    if sender:
        lines += ["", sender]
    return subject, "\n".join(lines) + "\n"
