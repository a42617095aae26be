"""Single-use links (a meeting invitation's "answer here" link carries its token) kept out of stored copies.

Once an email has been sent, the outbox keeps what it said for the record, but a token in a stored body is a
credential that anyone reading the outbox (or a backup of it) could use. Pure: no Flask, no database.
"""

from __future__ import annotations

import re

REMOVED = "[single-use link removed after sending]"

# An absolute address whose query string carries a token, up to the first white space, quote or angle bracket.
_TOKEN_LINK = re.compile(r"""https?://[^\s"'<>]*[?&](?:token|key|code)=[^\s"'<>]+""", re.IGNORECASE)


def redact_single_use_links(text: str | None) -> str | None:
    """`text` with every token-bearing link replaced by a note that it was removed (None stays None)."""
    if not text:
        return text
    return _TOKEN_LINK.sub(REMOVED, text)
