"""Creating the organisation and its first administrator, exactly once."""

from __future__ import annotations

from sqlalchemy import exists, select

from trigger import audit
from trigger.auth.services import set_password
from trigger.extensions import db
from trigger.models import Organisation, Role, User


def setup_required() -> bool:
    return not db.session.scalar(select(exists().where(User.id.isnot(None))))


def complete_setup(org_name: str, name: str, email: str, password: str) -> User:
    """Create the organisation and the first administrator.

    The organisation row has a fixed id of 1, so a second, concurrent set-up fails on the primary key rather
    than creating a second administrator.
    """
    organisation = Organisation(id=1, name=org_name)
    admin = User(email=email.lower(), name=name, role=Role.ADMIN, active=True)
    set_password(admin, password)
    db.session.add_all([organisation, admin])
    db.session.flush()
    audit.record("setup.completed", "organisation", organisation.id, f"First-run set-up for {org_name}", actor=admin)
    audit.record("user.created", "user", admin.id, f"Created administrator {name}", actor=admin)
    return admin
