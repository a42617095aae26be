"""Submitting a public application: the hourly limit per address, the case it creates, what happens next."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from trigger.cases import services as case_services
from trigger.domain.deadlines import DeadlineKind, TimescalePolicy, compute_due
from trigger.domain.workdays import HolidayDataMissing, WorkingCalendar
from trigger.extensions import db
from trigger.models import Area, Case, Channel, PublicSubmission, utcnow

ONLINE_CONSENT = "Confirmed by the applicant on the online form"


def over_limit(ip_address: str) -> bool:
    """True when this address has already submitted the hourly maximum (kept in the database, so it holds
    across server processes)."""
    limit = current_app.config["TRIGGER_SETTINGS"].public_form_per_hour
    since = utcnow() - timedelta(hours=1)
    count = db.session.scalar(
        select(func.count())
        .select_from(PublicSubmission)
        .where(PublicSubmission.ip_address == ip_address, PublicSubmission.at >= since)
    )
    return count >= limit


def record_submission(ip_address: str) -> None:
    db.session.add(PublicSubmission(ip_address=ip_address[:45], at=utcnow()))


def plausible_reference(received_on: date) -> str:
    """The reference the next application would get, shown to a bot caught by the honeypot (no case is made)."""
    return case_services.next_reference(received_on.year)


def acknowledge_by(area: Area, received_on: date) -> date | None:
    """The date the applicant should hear from us by; None if the bank holidays for that year are unknown
    (then the page says "within 5 working days" rather than print a date that could be wrong)."""
    try:
        return compute_due(DeadlineKind.ACKNOWLEDGE, received_on, TimescalePolicy(), WorkingCalendar(area.nation))
    except HolidayDataMissing:
        return None


def submit(form, area: Area) -> Case:
    from trigger.cases.forms import incident_data

    today = date.today()
    third_party = form.applying_for.data == "someone-else"
    fields = dict(
        received_on=today,
        applicant_name=form.applicant_name.data,
        applicant_address=form.applicant_address.data or "",
        applicant_postcode=form.applicant_postcode.data or "",
        applicant_phone=form.applicant_phone.data or "",
        applicant_email=form.applicant_email.data or "",
        preferred_contact=form.preferred_contact.data,
        preferred_format=form.preferred_format.data,
        language=form.language.data,
        communication_needs=form.communication_needs.data or "",
        is_third_party=third_party,
        victim_name=(form.victim_name.data or "") if third_party else "",
        victim_address=(form.victim_address.data or "") if third_party else "",
        victim_phone=(form.victim_phone.data or "") if third_party else "",
        victim_consent_on=today if third_party else None,
        victim_consent_how=ONLINE_CONSENT if third_party else "",
        consent_to_share=bool(form.consent_to_share.data),
        consent_to_share_on=today if form.consent_to_share.data else None,
        asb_description=form.asb_description.data,
        location=form.location.data or "",
    )
    perpetrators = []
    if form.perpetrator_name.data or form.perpetrator_address.data or form.perpetrator_description.data:
        perpetrators.append(
            case_services.PerpetratorData(
                form.perpetrator_name.data or "",
                form.perpetrator_address.data or "",
                form.perpetrator_description.data or "",
            )
        )
    case = case_services.create_case(
        fields, incident_data(form.incidents), perpetrators, area=area, channel=Channel.ONLINE, actor=None
    )
    case_services.notify_coordinators_of(case)
    confirm_by_email(case, area)
    return case


def confirm_by_email(case: Case, area: Area) -> bool:
    """Email the applicant their reference and what happens next, when they gave an address (queued in this
    transaction, sent after the commit). The email says as little as possible: it leaves our systems."""
    if not (case.applicant_email or "").strip():
        return False
    from trigger.domain.wording import with_article
    from trigger.models import Organisation, ProcessName
    from trigger.notifications.services import queue_email

    org = db.session.get(Organisation, 1)
    process = (org.process_name if org else ProcessName.ASB_CASE_REVIEW).label
    sender = org.name if org else process
    due = acknowledge_by(area, case.received_on)
    when = f"by {due.day} {due:%B %Y}" if due else "within 5 working days"
    body = (
        f"Dear {case.applicant_name},\n\n"
        f"Thank you. We received your application for {with_article(process)} on "
        f"{case.received_on.day} {case.received_on:%B %Y}.\n\n"
        f"Your reference number is {case.reference}. Please quote it if you contact us.\n\n"
        f"What happens next: we will contact you {when} to confirm we have your application and tell you "
        "what happens next. We then ask the agencies for their records and decide whether your case meets "
        "the threshold for a review.\n\n"
        "If you are in danger now, call 999. To report a new incident, contact the police on 101 or your "
        "council as usual.\n\n"
        f"{sender}\n"
    )
    queue_email(
        case.applicant_email,
        f"Your application: reference {case.reference}",
        body,
        dedupe_key=f"case:{case.id}:application-confirmation",
    )
    return True


# ---- check your answers ---------------------------------------------------------------------------------------


def _when(day) -> str:
    return f"{day.day} {day:%B %Y}" if day else "Not given"


def answers(form, agency_names: dict[str, str], area_name: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The applicant's answers in the order of the form, grouped as the form groups them, for the page where they
    check them before sending. Values are plain text (the template escapes them)."""

    def choice(field) -> str:
        return dict(field.choices).get(field.data, "") if field.data else "Not given"

    you = [
        ("Applying for", choice(form.applying_for)),
        ("Full name", form.applicant_name.data or ""),
        ("Address", form.applicant_address.data or ""),
        ("Postcode", form.applicant_postcode.data or ""),
        ("Phone number", form.applicant_phone.data or "Not given"),
        ("Email address", form.applicant_email.data or "Not given"),
        ("How we contact you", choice(form.preferred_contact)),
        ("Letters", choice(form.preferred_format)),
        ("Language", form.language.data or ""),
    ]
    if form.communication_needs.data:
        you.append(("Help communicating", form.communication_needs.data))
    groups = [("About you", you)]
    if form.applying_for.data == "someone-else":
        groups.append(
            (
                "The person you are applying for",
                [
                    ("Their name", form.victim_name.data or ""),
                    ("Their address", form.victim_address.data or "Not given"),
                    ("Their phone number", form.victim_phone.data or "Not given"),
                    ("They agreed", "Yes" if form.victim_consent.data else "No"),
                ],
            )
        )
    problem = [
        ("Area", area_name),
        ("The problem", form.asb_description.data or ""),
        ("Where it happens", form.location.data or "Not given"),
    ]
    if form.perpetrator_name.data or form.perpetrator_address.data or form.perpetrator_description.data:
        problem.append(
            (
                "Who is causing it",
                ", ".join(
                    v
                    for v in (
                        form.perpetrator_name.data,
                        form.perpetrator_address.data,
                        form.perpetrator_description.data,
                    )
                    if v
                ),
            )
        )
    groups.append(("The problem", problem))
    for number, entry in enumerate((e for e in form.incidents if not e.form.is_blank()), start=1):
        incident = entry.form
        rows = [("Date", _when(incident.occurred_on.data)), ("What happened", incident.description.data or "")]
        if incident.is_hate.data:
            rows.append(("Hate incident", "Yes"))
        for report in incident.reports:
            if report.form.is_blank():
                continue
            to = agency_names.get(str(report.form.agency_id.data or ""), "Someone")
            rows.append(
                (
                    "Reported to",
                    f"{to}, on {_when(report.form.reported_on.data)}"
                    + (
                        f" (reference {report.form.agency_reference.data})" if report.form.agency_reference.data else ""
                    ),
                )
            )
        groups.append((f"Incident {number}", rows))
    groups.append(
        ("Sharing your information", [("Agencies may share it", "Yes" if form.consent_to_share.data else "No")])
    )
    return groups
