"""The partnership itself: its settings, its areas (districts) and the agencies that take part."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Enum, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from trigger.domain.workdays import Nation
from trigger.models.base import Base, Timestamped


def enum_column(enum_cls: type[StrEnum], name: str, length: int = 40) -> Enum:
    """Store a StrEnum as its value, guarded by a named CHECK constraint on every database."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


DEFAULT_TWO_FACTOR_ROLES = "administrator,coordinator,chair"


class ProcessName(StrEnum):
    """The statutory process has two public names; letters use the one the partnership chooses."""

    COMMUNITY_TRIGGER = "community-trigger"
    ASB_CASE_REVIEW = "asb-case-review"

    @property
    def label(self) -> str:
        return {"community-trigger": "Community Trigger", "asb-case-review": "ASB Case Review"}[self.value]


class Organisation(Timestamped, Base):
    """The single partnership this installation serves (one row, made by the first-run set-up)."""

    __tablename__ = "organisations"
    # One partnership per installation; the fixed id also makes a replayed first-run set-up fail.
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    process_name: Mapped[ProcessName] = mapped_column(
        enum_column(ProcessName, "process_name"), default=ProcessName.ASB_CASE_REVIEW
    )
    #: Roles that must sign in with a second factor (comma-separated role values). Secure by default;
    #: the demo county loads it empty so that its printed passwords work alone.
    two_factor_roles: Mapped[str] = mapped_column(
        String(200), default=DEFAULT_TWO_FACTOR_ROLES, server_default=DEFAULT_TWO_FACTOR_ROLES
    )


class Area(Timestamped, Base):
    """A district or unitary area: its nation decides the bank holidays; later issues hang its policies here."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    nation: Mapped[Nation] = mapped_column(enum_column(Nation, "nation"), default=Nation.ENGLAND_AND_WALES)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgencyType(StrEnum):
    COUNCIL = "council"
    POLICE = "police"
    HEALTH = "health"
    HOUSING = "housing"
    FIRE = "fire"
    PROBATION = "probation"
    YOUTH = "youth"
    SOCIAL_CARE = "social-care"
    VICTIM_SERVICES = "victim-services"
    RESTORATIVE_JUSTICE = "restorative-justice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AGENCY_TYPE_LABELS[self]

    @property
    def is_relevant_body(self) -> bool:
        """The bodies with the statutory duty (2014 Act s.104): council, police, ICB/health board, housing."""
        return self in {AgencyType.COUNCIL, AgencyType.POLICE, AgencyType.HEALTH, AgencyType.HOUSING}


AGENCY_TYPE_LABELS = {
    AgencyType.COUNCIL: "Council",
    AgencyType.POLICE: "Police",
    AgencyType.HEALTH: "ICB / health board",
    AgencyType.HOUSING: "Housing provider",
    AgencyType.FIRE: "Fire and rescue",
    AgencyType.PROBATION: "Probation",
    AgencyType.YOUTH: "Youth services",
    AgencyType.SOCIAL_CARE: "Social care",
    AgencyType.VICTIM_SERVICES: "Victim services",
    AgencyType.RESTORATIVE_JUSTICE: "Restorative justice service",
    AgencyType.OTHER: "Other",
}


class Agency(Timestamped, Base):
    """A partner organisation whose representatives attend meetings and own actions."""

    __tablename__ = "agencies"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    agency_type: Mapped[AgencyType] = mapped_column(enum_column(AgencyType, "agency_type"))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Single sign-on with the agency's own OpenID Connect provider (auth.oidc). The client secret is a
    # credential of the partnership's registration with that provider, kept like the SMTP password.
    sso_issuer: Mapped[str] = mapped_column(String(300), default="", server_default="")
    sso_client_id: Mapped[str] = mapped_column(String(200), default="", server_default="")
    sso_client_secret: Mapped[str] = mapped_column(
        Text, default="", server_default=""
    )  # sealed: trigger.secrets_at_rest
    sso_email_domains: Mapped[str] = mapped_column(String(500), default="", server_default="")  # comma-separated
    sso_provider_name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    #: Off: the agency's people sign in only through its provider.
    local_passwords: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
