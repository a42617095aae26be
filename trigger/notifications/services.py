"""Queueing emails in the outbox, notifying users in the product, and delivering the outbox over SMTP.

Everything here that *writes* (queue_email, notify_user, notify_role) only adds rows to the caller's session:
the caller's transaction decides whether they exist, so a rolled-back request sends nothing. Delivery
(deliver_due) runs later, from `flask outbox send`, and commits per message so that a crash never makes it
forget what it has already sent.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from trigger import audit
from trigger.domain.single_use_links import redact_single_use_links
from trigger.extensions import db
from trigger.models import (
    Notification,
    OutboxAttachment,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
    utcnow,
)

if TYPE_CHECKING:
    from config import Settings

#: Wait after the 1st, 2nd, ... failed attempt. After the last one the message is marked failed (not deleted).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60), timedelta(hours=4))
MAX_ATTEMPTS = len(BACKOFF) + 1

#: A message claimed longer ago than this belongs to a sender that died mid-send: it is queued again. That can
#: send it twice (if the server had accepted it), which is better than never sending it.
STALE_CLAIM = timedelta(minutes=15)

SMTP_TIMEOUT_SECONDS = 30

NOT_CONFIGURED = "Not sent: no SMTP server is configured"


# ---- queueing ---------------------------------------------------------------------------------------------


def _single_line(value: str, limit: int) -> str:
    # A header value with a line break would be refused by the email library (or worse, inject a header).
    return " ".join(value.split())[:limit]


def _insert_once(row, model, dedupe_key: str | None):
    """Add ``row``; when ``dedupe_key`` is already taken return None instead, safely under concurrency.

    The look-up is only a shortcut for the common case; the UNIQUE constraint is what decides when two
    transactions race (the loser's insert fails inside its savepoint, and its own transaction carries on).
    """
    if dedupe_key is None:
        db.session.add(row)
        db.session.flush()
        return row
    if db.session.scalar(select(model.id).where(model.dedupe_key == dedupe_key)) is not None:
        return None
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def queue_email(
    to: str,
    subject: str,
    body: str,
    *,
    user: User | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | tuple = (),
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Put an email in the outbox, in the caller's transaction. None if ``dedupe_key`` was queued before.

    attachments are (filename, mime type, bytes), e.g. ("meeting.ics", "text/calendar", data).
    """
    to = to.strip()
    if not to or "@" not in to or any(c in to for c in "\r\n,;<>"):
        raise ValueError(f"Not a single email address: {to!r}")
    message = OutboxMessage(
        to_address=to[:254],
        user_id=user.id if user is not None else None,
        subject=_single_line(subject, 300),
        body=body,
        html_body=html,
        status=OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        dedupe_key=dedupe_key,
    )
    message.attachments = [
        OutboxAttachment(filename=_single_line(filename, 255) or "attachment", mime_type=mime, content=content)
        for filename, mime, content in attachments
    ]
    return _insert_once(message, OutboxMessage, dedupe_key)


# ---- in-product notifications -----------------------------------------------------------------------------


def _check_link(link: str | None) -> str | None:
    # Only paths inside the product: a notification must never send someone to another site.
    if link is None:
        return None
    if not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > 500:
        raise ValueError(f"A notification links to a page of Trigger (a path such as /cases/12), not {link!r}")
    return link


def absolute_url(path: str) -> str:
    """A path of Trigger as a full address for an email (PUBLIC_URL + path)."""
    return current_app.config["TRIGGER_SETTINGS"].public_url + _check_link(path)


def notify_user(
    user: User,
    subject: str,
    body: str,
    *,
    link: str | None = None,
    email: bool = True,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Tell one user something: a notification in the product and, if they are active, an email.

    Returns None (and queues nothing) when ``dedupe_key`` was used before.
    """
    notification = Notification(
        user_id=user.id,
        subject=_single_line(subject, 300),
        body=body,
        link=_check_link(link),
        created_at=utcnow(),
        dedupe_key=dedupe_key,
    )
    if _insert_once(notification, Notification, dedupe_key) is None:
        return None
    if email and user.active:
        text = body if link is None else f"{body}\n\nSign in to Trigger to see it: {absolute_url(link)}"
        queue_email(user.email, subject, text, user=user, dedupe_key=dedupe_key)
    return notification


def notify_role(
    role: Role,
    subject: str,
    body: str,
    *,
    link: str | None = None,
    dedupe_key_prefix: str | None = None,
) -> list[Notification]:
    """notify_user for every active user with ``role``; the dedupe key of each is "<prefix>:user:<id>"."""
    users = db.session.scalars(select(User).where(User.role == role, User.active.is_(True)).order_by(User.id))
    notified = []
    for user in users.all():
        key = f"{dedupe_key_prefix}:user:{user.id}" if dedupe_key_prefix else None
        notification = notify_user(user, subject, body, link=link, dedupe_key=key)
        if notification is not None:
            notified.append(notification)
    return notified


#: Built once: every signed-in page's navigation asks it (a statement built per request costs more to build and
#: to key for SQLAlchemy's compiled cache than to run).
_UNREAD_COUNT = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(user: User) -> int:
    return db.session.scalar(_UNREAD_COUNT, {"user_id": user.id})


#: The same count as a column, for a statement that reads it with other things (parameter: user_id).
UNREAD_COUNT_COLUMN = _UNREAD_COUNT.scalar_subquery().label("unread")


def notifications_of(user: User):
    """A user's own notifications, newest first (a statement, for pagination)."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# ---- the outbox for administrators ---------------------------------------------------------------------------


def smtp_configured(settings: Settings | None = None) -> bool:
    settings = settings or current_app.config["TRIGGER_SETTINGS"]
    return bool(settings.smtp_host)


def outbox_messages(status: OutboxStatus | None):
    statement = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status is not None:
        statement = statement.where(OutboxMessage.status == status)
    return statement


def outbox_counts() -> dict[OutboxStatus, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = {status: 0 for status in OutboxStatus}
    counts.update({status: n for status, n in rows})
    return counts


def load_message(message_id: int) -> OutboxMessage | None:
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).options(selectinload(OutboxMessage.attachments))
    )


class CannotRetry(Exception):
    pass


def retry_now(message: OutboxMessage) -> None:
    """Give a failed message one more attempt at the next `flask outbox send`."""
    if message.status is not OutboxStatus.FAILED:
        raise CannotRetry("Only a message that failed can be retried.")
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow()
    audit.record(
        "outbox.retried",
        "outbox_message",
        message.id,
        f"Asked for another attempt to send “{message.subject}” to {message.to_address}",
        {"attempts": message.attempts, "last_error": message.last_error},
    )


# ---- delivery -----------------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one run of the sender did."""

    smtp_configured: bool = True
    sent: int = 0
    retrying: int = 0  # failed this time, queued again with a later next_attempt_at
    failed: int = 0  # failed for the last time: now status failed, for an administrator to look at
    waiting: int = 0  # due but not sent because no SMTP server is configured
    requeued_stale: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.smtp_configured:
            return (
                f"{NOT_CONFIGURED}. {self.waiting} message(s) are waiting in the outbox; "
                "set SMTP_HOST (and SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD) to send them."
            )
        text = f"Sent {self.sent}, will retry {self.retrying}, failed {self.failed}."
        if self.requeued_stale:
            text += f" Re-queued {self.requeued_stale} message(s) left half-sent by a stopped sender."
        return text


def deliver_due(now: datetime | None = None, batch: int = 50) -> DeliveryReport:
    """Send up to ``batch`` queued messages whose next attempt is due, retrying failures with backoff.

    Commits its own transactions: call it from the CLI, never inside a request.
    """
    now = now or utcnow()
    settings: Settings = current_app.config["TRIGGER_SETTINGS"]
    if not smtp_configured(settings):
        waiting = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        )
        db.session.rollback()
        return DeliveryReport(smtp_configured=False, waiting=waiting)

    report = DeliveryReport(requeued_stale=_requeue_stale_claims(now))
    claimed = _claim(now, batch)
    if not claimed:
        return report
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .options(selectinload(OutboxMessage.attachments))
        .order_by(OutboxMessage.id)
    ).all()
    with _Mailer(settings) as mailer:
        for message in messages:
            _send_one(mailer, message, settings, now, report)
    return report


def _send_one(
    mailer: _Mailer, message: OutboxMessage, settings: Settings, now: datetime, report: DeliveryReport
) -> None:
    try:
        mailer.send(_email_for(message, settings.mail_from))
    except (smtplib.SMTPException, OSError, ValueError) as error:
        mailer.reset()
        _record_failure(message, error, now, report)
    else:
        message.status, message.sent_at = OutboxStatus.SENT, utcnow()
        # Sent: the envelope, subject and status stay for the record, the single-use tokens do not.
        message.body = redact_single_use_links(message.body)
        message.html_body = redact_single_use_links(message.html_body)
        message.attempts += 1
        message.last_error, message.claimed_at = None, None
        report.sent += 1
    db.session.commit()  # one message at a time: a crash must not forget what was already sent


def send_at_once(message: OutboxMessage) -> bool:
    """Commit the caller's work, then deliver this one message now rather than at the next outbox run.

    For sign-in emails (invitations, password resets, security notices): a person waiting at the screen
    should not wait a minute for their link. The message stays in the outbox either way, so when the relay
    is down it is retried with the usual backoff by `flask outbox send`. Returns True if it was sent.
    """
    db.session.commit()
    settings: Settings = current_app.config["TRIGGER_SETTINGS"]
    if not smtp_configured(settings):
        return False
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False  # another sender took it
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .options(selectinload(OutboxMessage.attachments))
        .execution_options(populate_existing=True)
    ).one()
    report = DeliveryReport()
    with _Mailer(settings) as mailer:
        _send_one(mailer, message, settings, now, report)
    return report.sent == 1


def _requeue_stale_claims(now: datetime) -> int:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM)
        .values(status=OutboxStatus.QUEUED, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def _claim(now: datetime, batch: int) -> list[int]:
    """Mark up to ``batch`` due messages as ours (queued -> sending) and commit, before sending anything.

    One UPDATE: on PostgreSQL its sub-select takes row locks with SKIP LOCKED, so two senders split the work
    instead of queueing behind each other; SQLite has a single writer, so the statement is atomic there. The
    `status = queued` guard means a row another sender claimed in the meantime is never claimed twice.
    """
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due), OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return list(claimed)


def _record_failure(message: OutboxMessage, error: Exception, now: datetime, report: DeliveryReport) -> None:
    message.attempts += 1
    message.claimed_at = None
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    report.errors.append(f"#{message.id} to {message.to_address}: {message.last_error}")
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = now + BACKOFF[message.attempts - 1]
        report.retrying += 1


def _email_for(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        email.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return email


class _Mailer:
    """One SMTP connection for a run, opened on first use and re-opened after a failure."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> _Mailer:
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self.reset()

    def reset(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except OSError:
                pass
        self.connection = None

    def send(self, email: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        self.connection.send_message(email)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        # Certificates are always verified: against the system's CAs, or SMTP_CA_FILE for a private relay.
        context = ssl.create_default_context(cafile=s.smtp_ca_file)
        if s.smtp_ssl:
            connection = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
        else:
            connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if s.smtp_starttls and not s.smtp_ssl:
                connection.starttls(context=context)
            if s.smtp_username:
                connection.login(s.smtp_username, s.smtp_password or "")
        except BaseException:
            connection.close()
            raise
        return connection
