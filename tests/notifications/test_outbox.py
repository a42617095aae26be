"""The outbox: emails queued in the caller's transaction, delivered to a real SMTP server, retried, never lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import build_app, login, post, text_of
from trigger.extensions import db
from trigger.models import OutboxMessage, OutboxStatus, Role, utcnow
from trigger.notifications.services import BACKOFF, MAX_ATTEMPTS, deliver_due, queue_email

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def smtp_app(app, database_url, mail_server):
    """The app configured to deliver to the test's SMTP server (the `app` fixture empties the tables after)."""
    configured = build_app(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail_server.port,
        smtp_starttls=False,
        mail_from="trigger@vale.example",
    )
    with configured.app_context():
        yield configured
        db.session.remove()
        db.engine.dispose()


def count(model=OutboxMessage, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def only_message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage)).one()


# ---- delivery -------------------------------------------------------------------------------------------------


def test_a_queued_email_reaches_a_real_smtp_server_with_its_attachment(smtp_app, mail_server):
    queue_email(
        "Chair@Example.org",
        "Case review meeting on 3 May",
        "The meeting is at 10am.\nBring the chronology.",
        html="<p>The meeting is at 10am.</p>",
        attachments=[("meeting.ics", "text/calendar", ICS), ("letter.pdf", "application/pdf", b"%PDF-1.7 x")],
    )
    db.session.commit()
    assert mail_server.received == []  # queueing sends nothing: only the sender does

    report = deliver_due()

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [(recipients, received)] = mail_server.received
    assert recipients == ["Chair@Example.org"]
    assert received["To"] == "Chair@Example.org" and received["From"] == "trigger@vale.example"
    assert received["Subject"] == "Case review meeting on 3 May"
    assert (
        received.get_body(("plain",)).get_content().replace("\r\n", "\n").strip()
        == "The meeting is at 10am.\nBring the chronology."
    )
    assert "<p>The meeting is at 10am.</p>" in received.get_body(("html",)).get_content()
    attachments = {part.get_filename(): part for part in received.iter_attachments()}
    assert set(attachments) == {"meeting.ics", "letter.pdf"}
    assert attachments["meeting.ics"].get_content_type() == "text/calendar"
    assert attachments["meeting.ics"].get_payload(decode=True) == ICS
    assert attachments["letter.pdf"].get_payload(decode=True) == b"%PDF-1.7 x"

    message = only_message()
    assert message.status is OutboxStatus.SENT and message.sent_at is not None and message.attempts == 1
    assert deliver_due().sent == 0 and len(mail_server.received) == 1  # never sent twice


@pytest.mark.parametrize("failure", ["server down", "451 temporary failure", "recipient refused"])
def test_an_smtp_failure_is_retried_with_backoff_and_nothing_is_lost(smtp_app, mail_server, failure):
    queue_email("spoc@example.org", "Acknowledge case TV-0001", "Due today.")
    db.session.commit()
    if failure == "server down":
        mail_server.stop()
    elif failure.startswith("451"):
        mail_server.data_reply = "451 4.3.0 Try again later"
    else:
        mail_server.rcpt_reply = "550 5.1.1 Mailbox unavailable"
    now = utcnow()

    report = deliver_due(now)

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    message = only_message()
    assert message.status is OutboxStatus.QUEUED and message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at == now + BACKOFF[0] > utcnow()
    assert deliver_due(now + timedelta(seconds=30)).sent == 0  # not due yet: the backoff is respected

    mail_server.data_reply = mail_server.rcpt_reply = None
    if failure == "server down":
        mail_server.start()
    report = deliver_due(now + BACKOFF[0])

    assert report.sent == 1 and mail_server.subjects() == ["Acknowledge case TV-0001"]
    message = only_message()
    assert message.status is OutboxStatus.SENT and message.attempts == 2 and message.last_error is None


def test_after_the_last_attempt_a_message_is_failed_kept_shown_and_can_be_retried(smtp_app, mail_server, make_user):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    queue_email("rep@agency.example", "Action overdue", "Please update action 4.")
    db.session.commit()
    mail_server.data_reply = "451 4.3.0 Mailbox busy"
    now = utcnow()
    for attempt in range(MAX_ATTEMPTS):
        report = deliver_due(now)
        now += timedelta(days=1)
    assert report.failed == 1
    message = only_message()
    assert message.status is OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert deliver_due(now + timedelta(days=30)).sent == 0  # a failed message waits for a person

    client = smtp_app.test_client()
    login(client, admin)
    listing = text_of(client.get("/admin/outbox?status=failed"))
    assert "Action overdue" in listing and "Failed" in listing and "Mailbox busy" in listing
    assert "no SMTP server is configured" not in listing
    detail = text_of(client.get(f"/admin/outbox/{message.id}"))
    assert f"gave up after {MAX_ATTEMPTS} attempts" in detail and "Please update action 4." in detail
    response = post(client, f"/admin/outbox/{message.id}/retry", token_from=f"/admin/outbox/{message.id}")
    assert response.status_code == 302
    assert "will be sent again" in text_of(client.get(response.location))

    mail_server.data_reply = None
    assert deliver_due().sent == 1
    assert mail_server.subjects() == ["Action overdue"]
    assert only_message().status is OutboxStatus.SENT


def test_two_senders_at_once_send_each_message_exactly_once(smtp_app, mail_server, database_url):
    for n in range(30):
        queue_email(f"person{n}@example.org", f"Reminder {n}", "Body")
    db.session.commit()
    senders = [
        build_app(database_url, smtp_host="127.0.0.1", smtp_port=mail_server.port, smtp_starttls=False)
        for _ in range(3)
    ]
    start = threading.Barrier(len(senders))
    reports, errors = [], []

    def run(sender_app):
        with sender_app.app_context():
            try:
                start.wait()
                reports.append(deliver_due(batch=10))
                reports.append(deliver_due(batch=10))
            except Exception as error:  # pragma: no cover - shown by the assertion below
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(mail_server.subjects()) == sorted(f"Reminder {n}" for n in range(30))
    assert sum(r.sent for r in reports) == 30
    assert count(OutboxMessage, OutboxMessage.status == OutboxStatus.SENT) == 30


def test_a_message_left_half_sent_by_a_stopped_sender_is_sent_later(smtp_app, mail_server):
    message = queue_email("spoc@example.org", "Threshold decision due", "Body")
    message.status, message.claimed_at = OutboxStatus.SENDING, utcnow() - timedelta(hours=1)
    db.session.commit()
    report = deliver_due()
    assert report.requeued_stale == 1 and report.sent == 1
    assert mail_server.subjects() == ["Threshold decision due"]


def test_flask_outbox_send_delivers_and_summarises(smtp_app, mail_server):
    queue_email("a@example.org", "One", "Body")
    queue_email("b@example.org", "Two", "Body")
    db.session.commit()
    result = smtp_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, will retry 0, failed 0." in result.output
    assert sorted(mail_server.subjects()) == ["One", "Two"]


# ---- exactly once, and only if the transaction commits -----------------------------------------------------------


def test_a_dedupe_key_queues_a_message_exactly_once(app, database_url):
    first = queue_email("spoc@example.org", "Reminder", "Body", dedupe_key="deadline:1:reminder:2026-12-01")
    assert first is not None
    assert queue_email("spoc@example.org", "Reminder", "Body", dedupe_key="deadline:1:reminder:2026-12-01") is None
    db.session.commit()
    # A second machine running the same job later.
    other = build_app(database_url)
    with other.app_context():
        assert queue_email("spoc@example.org", "Reminder", "Body", dedupe_key="deadline:1:reminder:2026-12-01") is None
        db.session.commit()
        db.engine.dispose()
    assert count() == 1


def test_a_dedupe_key_holds_when_two_sessions_race(app, database_url):
    """The look-up sees nothing in either session; the UNIQUE constraint decides, and nobody gets an error."""
    apps = [build_app(database_url), build_app(database_url)]
    first_inserted, results, errors = threading.Event(), {}, []

    def first():
        with apps[0].app_context():
            try:
                results["first"] = queue_email("a@example.org", "Race", "Body", dedupe_key="race")
                first_inserted.set()
                threading.Event().wait(0.5)  # hold the row uncommitted while the second session tries
                db.session.commit()
            except Exception as error:  # pragma: no cover
                errors.append(error)
                first_inserted.set()
            finally:
                db.session.remove()
                db.engine.dispose()

    def second():
        with apps[1].app_context():
            try:
                first_inserted.wait(10)
                results["second"] = queue_email("a@example.org", "Race", "Body", dedupe_key="race")
                db.session.commit()
            except Exception as error:  # pragma: no cover
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results["first"] is not None and results["second"] is None
    assert count(OutboxMessage, OutboxMessage.dedupe_key == "race") == 1


@pytest.mark.parametrize("earlier_work", ["nothing", "a read", "a write"])
def test_a_rolled_back_transaction_queues_nothing(app, make_area, earlier_work):
    # SQLite opens its transaction lazily; the dedupe savepoint must not commit on its own whatever came first.
    if earlier_work == "a read":
        db.session.execute(select(1))
    elif earlier_work == "a write":
        from trigger.models import Area

        db.session.add(Area(name="Rolled back"))
        db.session.flush()
    queue_email(
        "a@example.org", "Never sent", "Body", dedupe_key="rollback-test", attachments=[("a.ics", "text/calendar", ICS)]
    )
    queue_email("b@example.org", "Never sent either", "Body")
    db.session.rollback()
    assert count() == 0


def test_a_failed_request_queues_nothing(app, database_url):
    """A request's transaction is rolled back on an error status or a crash, taking its emails with it."""
    from flask import abort

    from trigger.authz import PUBLIC, allow

    failing = build_app(database_url)
    failing.config["PROPAGATE_EXCEPTIONS"] = False  # answer a crash with a 500 page, as in production

    @allow(PUBLIC)
    def refused():
        queue_email("a@example.org", "From a refused request", "Body", dedupe_key="refused-request")
        abort(400)

    @allow(PUBLIC)
    def crashed():
        queue_email("a@example.org", "From a crashed request", "Body")
        raise RuntimeError("something broke after the email was queued")

    failing.add_url_rule("/_test/refused", "test_refused", refused)
    failing.add_url_rule("/_test/crashed", "test_crashed", crashed)
    client = failing.test_client()
    assert client.get("/_test/refused").status_code == 400
    assert client.get("/_test/crashed").status_code == 500
    with failing.app_context():
        db.engine.dispose()
    assert count() == 0


def test_addresses_and_subjects_cannot_inject_headers(app):
    with pytest.raises(ValueError):
        queue_email("a@example.org, b@example.org", "Hello", "Body")
    with pytest.raises(ValueError):
        queue_email("a@example.org\r\nBcc: x@evil.example", "Hello", "Body")
    message = queue_email("a@example.org", "Hello\r\nBcc: x@evil.example", "Body")
    assert message.subject == "Hello Bcc: x@evil.example"


# ---- the admin page without SMTP (the local default) ---------------------------------------------------------------


def test_without_smtp_the_outbox_says_clearly_that_nothing_was_sent(app, admin_client):
    queue_email("chair@example.org", "Meeting invitation", "Please come on Tuesday.")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "Not sent: no SMTP server is configured. 1 message(s) are waiting" in result.output
    message = only_message()
    assert message.status is OutboxStatus.QUEUED and message.attempts == 0 and message.sent_at is None

    listing = text_of(admin_client.get("/admin/outbox"))
    assert "Not sent: no SMTP server is configured." in listing
    assert "chair@example.org Meeting invitation Not sent 0" in listing
    detail = text_of(admin_client.get(f"/admin/outbox/{message.id}"))
    assert "This email has not been sent." in detail and "Please come on Tuesday." in detail
    assert "Retry now" not in detail
    assert "Outbox" in text_of(admin_client.get("/admin/"))


def test_outbox_status_filter_and_pagination(app, admin_client):
    for n in range(30):
        queue_email(f"p{n}@example.org", f"Message {n:02d}", "Body")
    sent = queue_email("s@example.org", "Already sent", "Body")
    sent.status, sent.sent_at = OutboxStatus.SENT, utcnow()
    db.session.commit()
    first = text_of(admin_client.get("/admin/outbox"))
    assert "31 messages, newest first" in first and "Already sent" in first and "Message 00" not in first
    assert "Message 00" in text_of(admin_client.get("/admin/outbox?page=2"))
    only_sent = text_of(admin_client.get("/admin/outbox?status=sent"))
    assert "1 message sent" in only_sent and "Message 05" not in only_sent


def test_only_administrators_see_the_outbox(app, client, make_user):
    message = queue_email("x@example.org", "Private", "Body")
    db.session.commit()
    login(client, make_user(Role.COORDINATOR))
    for url in ("/admin/outbox", f"/admin/outbox/{message.id}"):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/outbox/{message.id}/retry").status_code in (400, 403)


def test_unknown_message_is_404_and_only_failed_messages_can_be_retried(app, admin_client):
    assert admin_client.get("/admin/outbox/999").status_code == 404
    message = queue_email("x@example.org", "Queued", "Body")
    db.session.commit()
    response = post(admin_client, f"/admin/outbox/{message.id}/retry", token_from=f"/admin/outbox/{message.id}")
    assert "Only a message that failed can be retried." in text_of(admin_client.get(response.location))


def test_a_sent_invitation_keeps_no_single_use_link_in_the_outbox(
    app, smtp_app, mail_server, make_user, make_agency, make_area, admin_client
):
    from tests.meetings_helpers import emails_to, make_world, only_meeting, respond_token, schedule

    world = make_world(make_user, make_agency, make_area)
    coordinator = app.test_client()
    login(coordinator, world.coordinator)
    schedule(coordinator, world)
    meeting = only_meeting()
    post(
        coordinator,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    token = respond_token(emails_to("pat@police.example")[0])

    assert deliver_due().sent >= 1
    [received] = [body for recipients, body in mail_server.received if recipients == ["pat@police.example"]]
    assert token in received.get_body(("plain",)).get_content()  # the person got their link

    (stored,) = emails_to("pat@police.example")
    assert stored.status is OutboxStatus.SENT and stored.to_address == "pat@police.example"
    assert token not in stored.body and token not in (stored.html_body or "")
    assert "[single-use link removed after sending]" in stored.body
    page = text_of(admin_client.get(f"/admin/outbox/{stored.id}"))
    assert token not in page and stored.subject in page
    # The link itself still works for the person who received it.
    assert app.test_client().get(f"/meetings/respond?token={token}").status_code == 200
