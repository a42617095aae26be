"""A real SMTP server for tests: aiosmtpd on a free loopback port (the `mail_server` fixture in conftest)."""

from __future__ import annotations

import email
import socket
from email import policy

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """aiosmtpd on 127.0.0.1: collects what it accepts; can be told to fail, refuse or go down."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.data_reply: str | None = None  # e.g. "451 ..." to fail every message
        self.rcpt_reply: str | None = None  # e.g. "550 ..." to refuse every recipient
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.received.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def subjects(self) -> list[str]:
        return [message["Subject"] for _, message in self.received]
