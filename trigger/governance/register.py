"""The "Data we hold" register: every kind of record, the personal data in it, why it is held and for how long.

The basis of the council's data protection impact assessment. Kept next to the code that enforces the periods
(trigger.governance.retention and .purges) so the page and the behaviour change together.
"""

from __future__ import annotations

from dataclasses import dataclass

from trigger.domain import retention as rules

CASE_PERIOD = (
    "Until the case has been closed for the area's retention period (below), then anonymised - unless a "
    "legal hold is in force."
)


@dataclass(frozen=True)
class RecordKind:
    name: str
    personal_data: str
    why: str
    how_long: str


def records() -> list[RecordKind]:
    return [
        RecordKind(
            "Cases (applications)",
            "Applicant's and victim's name, address, phone, email, date of birth, communication needs, "
            "vulnerabilities (may be special-category data), advocate; the problem in their words",
            "To carry out the ASB case review (public task, Anti-social Behaviour, Crime and Policing Act 2014 "
            "s.104 and Sch. 4)",
            CASE_PERIOD,
        ),
        RecordKind(
            "Alleged perpetrators",
            "Name, address, description (may be criminal-offence data)",
            "To review the agencies' response to the behaviour; never disclosed to the applicant",
            CASE_PERIOD,
        ),
        RecordKind(
            "Incidents and reports to agencies",
            "What happened, when, who complained; agencies' references and what they did",
            "To decide whether the threshold is met and explain the decision",
            CASE_PERIOD,
        ),
        RecordKind(
            "Threshold decisions",
            "Reasons, the decision maker's name",
            "To record and explain the decision",
            CASE_PERIOD,
        ),
        RecordKind(
            "Meetings, attendees, minutes, recommendations",
            "Attendees' names and email addresses; victims' statements; what was said",
            "To hold the case review and record its outcome",
            CASE_PERIOD,
        ),
        RecordKind(
            "Action plans, actions and updates",
            "What agencies agreed to do and progress notes",
            "To carry out and follow up the action plan",
            CASE_PERIOD,
        ),
        RecordKind(
            "Escalations",
            "The applicant's grounds, the reviewer's reasons",
            "To review how the case was handled when the applicant asks",
            CASE_PERIOD,
        ),
        RecordKind(
            "Risk assessments",
            "Answers about risk and vulnerability, notes",
            "To prioritise and protect vulnerable victims",
            CASE_PERIOD,
        ),
        RecordKind(
            "Issued documents (letters, minutes, plans)",
            "Everything in the document; the recipient's name and address",
            "To keep exactly what was sent",
            CASE_PERIOD + " The content is then replaced by a notice.",
        ),
        RecordKind(
            "Legal holds",
            "The reason for the hold, who placed and lifted it",
            "To stop anonymisation while records are needed for legal proceedings or a complaint",
            "As long as the case record",
        ),
        RecordKind(
            "Staff accounts",
            "Name, work email, role, agency, last sign-in",
            "To give staff access and record who did what",
            "While the person works on cases; deactivated "
            "accounts are kept so that the audit trail still names who acted",
        ),
        RecordKind(
            "Sessions (signed-in browsers)",
            "IP address, browser, times",
            "To keep accounts secure and let staff see where they are signed in",
            f"{rules.ENDED_SESSION_DAYS} days after the session ends",
        ),
        RecordKind(
            "Sign-in attempts",
            "Email address entered, IP address, time, success",
            "To slow down password guessing",
            f"{rules.LOGIN_ATTEMPT_DAYS} days",
        ),
        RecordKind(
            "Public form submissions (rate limit)",
            "IP address and time, not linked to the application",
            "To stop the public form being flooded",
            f"{rules.PUBLIC_SUBMISSION_DAYS} days",
        ),
        RecordKind(
            "Emails sent (outbox)",
            "Recipient's address, subject, body and attachments",
            "To send emails reliably and show what was sent",
            "The body and attachments: the set number of days after sending (SENT_EMAIL_BODY_DAYS, default "
            f"{rules.DEFAULT_SENT_EMAIL_BODY_DAYS}); the address, subject and status are kept as the record that "
            "the email was sent (no automatic purge yet)",
        ),
        RecordKind(
            "Notifications in the product",
            "The subject and a link, for one staff member",
            "To tell staff what needs their attention",
            "As long as the staff account",
        ),
        RecordKind(
            "Audit trail",
            "Who did what and when, from which IP address; summaries of changes",
            "Accountability: every view, change, export and issued document is recorded (UK GDPR Art. 5(2))",
            "Permanently: the trail is append-only and is not anonymised, so it names people only as far as "
            "summaries do",
        ),
        RecordKind(
            "Subject access exports",
            "Not kept: the ZIP is built when downloaded; the audit trail records that it was made",
            "To answer a subject access request (UK GDPR Art. 15)",
            "Not stored",
        ),
    ]
