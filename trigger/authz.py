"""Who may do what: every authorisation rule lives here, and every endpoint names one.

Views are wrapped with `@allow(POLICY)`. A test walks `app.url_map` and fails for any endpoint that has no
policy, so a new route cannot be reachable by accident. Object-level rules (may this user see this case?)
are plain functions here too, used by the loaders in the views and by templates to hide what a user may not do.
Deny by default: a policy returns True only for the roles it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from trigger.extensions import login_manager
from trigger.models import Role


@dataclass(frozen=True)
class Policy:
    """A named rule about the signed-in person (or the anonymous visitor)."""

    name: str
    check: Callable[[Any], bool]
    needs_login: bool = True

    def allows(self, user: Any) -> bool:
        if self.needs_login and not getattr(user, "is_authenticated", False):
            return False
        return bool(self.check(user))


def _has_role(*roles: Role) -> Callable[[Any], bool]:
    return lambda user: user.role in roles


PUBLIC = Policy("anyone, signed in or not", lambda user: True, needs_login=False)
SIGNED_IN = Policy("any signed-in user", lambda user: True)
ADMIN = Policy("administrators", _has_role(Role.ADMIN))
VIEW_AUDIT = Policy("administrators and auditors", _has_role(Role.ADMIN, Role.VIEWER))


def allow(policy: Policy) -> Callable:
    """Declare and enforce who may use a view: 302 to sign-in when signed out, 403 when not permitted."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if policy.needs_login and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not policy.allows(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.trigger_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


def policy_of(view: Callable) -> Policy | None:
    return getattr(view, "trigger_policy", None)
