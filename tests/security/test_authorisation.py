"""Every endpoint declares who may use it, and every role is refused what it may not do.

These tests walk `app.url_map`, so a route added later is covered without anyone remembering to add it here.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import csrf_from, login
from trigger.authz import policy_of
from trigger.models import Role


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _url(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def test_every_endpoint_declares_a_policy(app):
    missing = [rule.endpoint for rule in _rules(app) if policy_of(app.view_functions[rule.endpoint]) is None]
    assert missing == [], f"endpoints with no @allow(policy): {missing}"


def test_every_url_parameter_is_typed(app):
    untyped = [
        f"{rule.rule} ({name})"
        for rule in _rules(app)
        for name, converter in rule._converters.items()
        if not isinstance(converter, IntegerConverter)
    ]
    assert untyped == [], f"URL parameters without an int converter: {untyped}"


def _requests(app):
    for rule in _rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: "anonymous" if r is None else r.value)
def test_roles_are_refused_what_their_policy_denies(app, make_user, role):
    """Deny by default: for every route and method, each role gets exactly what the route's policy allows."""
    user = make_user(role) if role is not None else None
    checked = 0
    for rule, method in _requests(app):
        policy = policy_of(app.view_functions[rule.endpoint])
        client = app.test_client()
        if user is not None:
            login(client, user)
        data = {}
        if method == "POST":
            data["csrf_token"] = csrf_from(client, "/home" if user else "/login")
        response = client.open(_url(rule), method=method, data=data)
        allowed = policy.allows(user) if user is not None else not policy.needs_login
        where = f"{method} {rule.rule} as {role}"
        if allowed:
            assert response.status_code != 403, where
            assert not (response.status_code == 302 and "/login?next" in response.location), where
        elif user is None:
            assert response.status_code == 302 and "/login" in response.location, where
        else:
            assert response.status_code == 403, where
            assert "You do not have permission to see this page" in response.get_data(as_text=True)
        checked += 1
    assert checked > 20


def test_every_state_changing_route_needs_a_csrf_token(app, make_user):
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    login(client, admin)
    post_rules = [rule for rule in _rules(app) if "POST" in rule.methods]
    assert post_rules
    for rule in post_rules:
        response = client.post(_url(rule), data={})
        assert response.status_code == 400, rule.rule
        assert "The form had expired or was sent from somewhere else" in response.get_data(as_text=True), rule.rule
    assert client.get("/home").status_code == 200  # still signed in: nothing was acted on
