"""Every absolute link Trigger sends (emails, calendar files) is built from PUBLIC_URL, never from the request.

A forged `Host` header, or `X-Forwarded-Host` behind a proxy (BEHIND_PROXY=true trusts one hop), must not
put another site's address in front of a single-use link in a queued email.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, FreshContextClient, _empty_all_tables, build_app, login, post
from tests.meetings_helpers import emails_to, make_world, only_meeting, schedule
from trigger.extensions import db

PUBLIC_URL = "https://trigger.council.example"


class ForgingClient(FreshContextClient):
    """A browser whose every request claims another host, directly and through the proxy's headers."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", "http://attacker.example")
        headers = dict(kwargs.pop("headers", None) or {})
        headers.update({"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"})
        return super().open(*args, headers=headers, **kwargs)


@pytest.fixture
def app(database_url):
    """The real app behind a proxy (ProxyFix trusts X-Forwarded-*), with its public address configured."""
    app = build_app(database_url, behind_proxy=True, public_url=PUBLIC_URL)
    app.test_client_class = ForgingClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_invitation_links_start_with_public_url_whatever_host_the_request_claims(
    app, client, make_user, make_agency, make_area
):
    world = make_world(make_user, make_agency, make_area)
    login(client, world.coordinator)
    schedule(client, world)
    meeting = only_meeting()
    response = post(
        client,
        f"/cases/{world.case.id}/meetings/{meeting.id}/attendees",
        {"invite": [f"user:{world.police_rep.id}"], "action": "invite"},
    )
    assert response.status_code == 302
    (invitation,) = emails_to("pat@police.example")
    assert "attacker.example" not in invitation.body and "evil.example" not in invitation.body
    links = _links(invitation.body)
    assert any("/meetings/respond?token=" in link for link in links), invitation.body
    assert all(link.startswith(PUBLIC_URL + "/") for link in links if "respond" in link), links
    for attachment in invitation.attachments:
        assert b"attacker.example" not in attachment.content and b"evil.example" not in attachment.content


def test_no_code_builds_an_address_from_the_request():
    """The class of mistake, closed: request-derived hosts are not used anywhere in the product's code."""
    pattern = re.compile(r"_external\s*=\s*True|host_url|url_root|request\.host\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "trigger").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], "build absolute links with notifications.services.absolute_url (PUBLIC_URL):\n" + "\n".join(
        offenders
    )
