"""What to tell staff about a letter's or an email's delivery, in the same words on every page.

"Emailed" only ever meant that an email had been written into the outbox; whether it left is a different
matter (no mail server configured, the relay refusing it). Staff are told what actually happened: "Queued"
(written, not yet tried), "Sent" (the mail server accepted it), "Not sent - retrying" (tried and failed: it
will be tried again), "Not sent" (no mail server is configured, so nothing can leave; or the outbox gave up and
an administrator can retry it) and, for a letter, "Posted". Pure: the statuses come in as strings, a (label, tag colour) pair goes out.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Delivery", "email_delivery", "posted"]


@dataclass(frozen=True)
class Delivery:
    label: str
    colour: str  # a GOV.UK tag colour
    why: str = ""  # a short explanation shown next to the tag, when the label alone would puzzle


QUEUED = Delivery("Queued", "blue")
SENT = Delivery("Sent", "green")
RETRYING = Delivery("Not sent - retrying", "yellow")
GAVE_UP = Delivery("Not sent", "red", "gave up after the last retry: an administrator can retry it")
NO_MAIL_SERVER = Delivery("Not sent", "grey", "no mail server is configured")
POSTED = Delivery("Posted", "green")


def email_delivery(status: str | None, attempts: int = 0, *, mail_server_configured: bool = True) -> Delivery:
    """The delivery of one outbox message (`status` is OutboxStatus's value; None: no message was found)."""
    if status == "sent":
        return SENT
    if status == "failed":
        return GAVE_UP
    if status is None:
        return GAVE_UP
    if not mail_server_configured:
        return NO_MAIL_SERVER
    if attempts:
        return RETRYING
    return QUEUED


def posted() -> Delivery:
    return POSTED
