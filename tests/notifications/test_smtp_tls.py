"""Email over TLS to a real SMTP server: STARTTLS on 587-style relays, implicit TLS on 465-style ones, the
certificate always verified, and links in emails as full addresses (PUBLIC_URL), not bare paths."""

from __future__ import annotations

import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import build_app
from tests.mailserver import MailServer
from trigger.extensions import db
from trigger.models import OutboxMessage, OutboxStatus, Role
from trigger.notifications.services import deliver_due, notify_user, queue_email


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command, as an operator would)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


class TlsMailServer(MailServer):
    def __init__(self, cert: str, key: str, *, implicit: bool) -> None:
        super().__init__()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.implicit = implicit

    def start(self) -> None:
        if self.implicit:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, ssl_context=self.context)
        else:
            self.controller = Controller(
                self, hostname="127.0.0.1", port=self.port, tls_context=self.context, require_starttls=True
            )
        self.controller.start()


def _deliver_one(database_url: str, server: MailServer, **smtp) -> OutboxMessage:
    configured = build_app(
        database_url, smtp_host="127.0.0.1", smtp_port=server.port, mail_from="trigger@vale.example", **smtp
    )
    with configured.app_context():
        queue_email("chair@vale.example", "Meeting on Tuesday", "The review meeting is on Tuesday at 10:00.")
        db.session.commit()
        report = deliver_due()
        db.session.commit()
        message = db.session.scalars(select(OutboxMessage)).one()
        db.session.expunge(message)
        print(report.summary())
        db.session.remove()
        db.engine.dispose()
    return message


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_email_reaches_a_tls_relay_that_the_certificate_authority_file_vouches_for(
    app, database_url, certificate, implicit
):
    cert, key = certificate
    server = TlsMailServer(cert, key, implicit=implicit)
    server.start()
    try:
        message = _deliver_one(database_url, server, smtp_ssl=implicit, smtp_starttls=not implicit, smtp_ca_file=cert)
    finally:
        server.stop()
    assert message.status is OutboxStatus.SENT
    assert [(to, mail["Subject"]) for to, mail in server.received] == [(["chair@vale.example"], "Meeting on Tuesday")]
    assert "The review meeting is on Tuesday at 10:00." in server.received[0][1].get_content()


def test_a_relay_whose_certificate_cannot_be_verified_gets_nothing_and_the_email_waits(app, database_url, certificate):
    cert, key = certificate
    server = TlsMailServer(cert, key, implicit=True)
    server.start()
    try:
        message = _deliver_one(database_url, server, smtp_ssl=True, smtp_starttls=False)  # system CAs only
    finally:
        server.stop()
    assert server.received == []
    assert message.status is OutboxStatus.QUEUED  # retried later, not lost
    assert message.attempts == 1 and "certificate" in (message.last_error or "").lower()


def test_links_in_emails_are_full_addresses_under_public_url(app, database_url, make_user):
    configured = build_app(database_url, public_url="https://trigger.vale.example")
    with configured.app_context():
        user = make_user(Role.COORDINATOR, email="cora@vale.example")
        notify_user(
            user, "Case ASB-2026-0001 needs a decision", "The threshold decision is due today.", link="/cases/1"
        )
        db.session.commit()
        body = db.session.scalars(select(OutboxMessage.body)).one()
        db.session.remove()
        db.engine.dispose()
    assert "Sign in to Trigger to see it: https://trigger.vale.example/cases/1" in body
