"""Token-bearing links are removed from stored copies of sent emails; other links and text are kept."""

from trigger.domain.single_use_links import REMOVED, redact_single_use_links


def test_token_links_are_removed_and_everything_else_is_kept():
    body = (
        "Answer here: https://trigger.example/meetings/respond?token=abc_DEF-123\n"
        "Join online: https://meet.example/room-42\n"
        '<a href="https://trigger.example/x?case=1&token=zzz">answer</a>'
    )
    redacted = redact_single_use_links(body)
    assert "abc_DEF-123" not in redacted and "zzz" not in redacted
    assert redacted.count(REMOVED) == 2
    assert "Join online: https://meet.example/room-42" in redacted
    assert redact_single_use_links(None) is None and redact_single_use_links("") == ""
