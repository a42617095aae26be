"""Operational purges: records kept only to run the service, removed on their own schedule.

- sign-in attempts and public-form submissions (they hold IP addresses): after 30 days;
- ended sessions (signed out, revoked): 30 days after they ended;
- sent emails: their bodies and attachments after a set number of days (the envelope and status stay).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from trigger import audit
from trigger.domain import retention as rules
from trigger.extensions import db
from trigger.models import LoginAttempt, OutboxAttachment, OutboxMessage, OutboxStatus, PublicSubmission, UserSession

#: What a sent email's body says once purged.
PURGED_BODY = "[The body of this email was removed after the retention period for sent emails.]"


@dataclass
class PurgeReport:
    login_attempts: int = 0
    public_submissions: int = 0
    ended_sessions: int = 0
    email_bodies: int = 0
    email_attachments: int = 0

    def lines(self) -> list[str]:
        return [
            f"sign-in attempts older than {rules.LOGIN_ATTEMPT_DAYS} days: {self.login_attempts:,}",
            f"public-form submissions older than {rules.PUBLIC_SUBMISSION_DAYS} days: {self.public_submissions:,}",
            f"sessions ended more than {rules.ENDED_SESSION_DAYS} days ago: {self.ended_sessions:,}",
            f"sent emails' bodies removed: {self.email_bodies:,} (attachments: {self.email_attachments:,})",
        ]


def sent_email_body_days(config) -> int:
    return int(config.get("SENT_EMAIL_BODY_DAYS", rules.DEFAULT_SENT_EMAIL_BODY_DAYS))


def purge(now: datetime, *, email_body_days: int, dry_run: bool = False) -> PurgeReport:
    """Remove what is past its period (or, with ``dry_run``, count it). Audited as one event, with counts only."""
    attempts_before = now - timedelta(days=rules.LOGIN_ATTEMPT_DAYS)
    submissions_before = now - timedelta(days=rules.PUBLIC_SUBMISSION_DAYS)
    sessions_before = now - timedelta(days=rules.ENDED_SESSION_DAYS)
    emails_before = now - timedelta(days=email_body_days)
    old_emails = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < emails_before
    )
    statements = {
        "login_attempts": delete(LoginAttempt).where(LoginAttempt.at < attempts_before),
        "public_submissions": delete(PublicSubmission).where(PublicSubmission.at < submissions_before),
        "ended_sessions": delete(UserSession).where(
            # Revoked (signed out, deactivated, idle) or unused for longer than any idle timeout: ended.
            or_(UserSession.revoked_at < sessions_before, UserSession.last_seen_at < sessions_before)
        ),
        "email_attachments": delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(old_emails)),
        "email_bodies": update(OutboxMessage)
        .where(OutboxMessage.id.in_(old_emails), OutboxMessage.body != PURGED_BODY)
        .values(body=PURGED_BODY, html_body=None),
    }
    report = PurgeReport()
    for name, statement in statements.items():
        if dry_run:
            counted = select(db.func.count()).select_from(statement.table).where(statement.whereclause)
            setattr(report, name, db.session.scalar(counted))
        else:
            setattr(report, name, db.session.execute(statement.execution_options(synchronize_session=False)).rowcount)
    if not dry_run:
        audit.record(
            "retention.purged",
            "retention_run",
            None,
            "Operational records purged: " + "; ".join(report.lines()),
            details=report.__dict__.copy(),
        )
        db.session.commit()
    else:
        db.session.rollback()
    return report
