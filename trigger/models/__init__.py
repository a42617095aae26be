"""All models, imported here so that Alembic and the app see one complete metadata."""

from trigger.models.accounts import LoginAttempt, Role, User, UserSession
from trigger.models.audit import AuditEvent
from trigger.models.base import Base, utcnow
from trigger.models.organisation import Agency, AgencyType, Area, Organisation, ProcessName

__all__ = [
    "Agency",
    "AgencyType",
    "Area",
    "AuditEvent",
    "Base",
    "LoginAttempt",
    "Organisation",
    "ProcessName",
    "Role",
    "User",
    "UserSession",
    "utcnow",
]
