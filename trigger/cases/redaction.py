"""Other people on a case, for keeping them out of what the applicant reads.

`redactor_for` gathers the names and addresses of everyone on a case who is not the applicant (alleged
perpetrators, other complainants, meeting attendees, chairs, named action owners) for
trigger.domain.need_to_know.Redactor. Letters use it to take them out; the forms that write a wording for the
applicant (actions, recommendations) use `victim_wording_problem` to warn the author before anything is saved.
"""

from __future__ import annotations

from sqlalchemy import select

from trigger.domain.need_to_know import Redactor, wording_problem
from trigger.extensions import db
from trigger.models import Action, ActionPlan, Attendee, Case, Incident, Meeting, Perpetrator, User


def redactor_for(case: Case, keep: list[str]) -> Redactor:
    protected: list[str] = []
    for name, address in db.session.execute(
        select(Perpetrator.name, Perpetrator.address).where(Perpetrator.case_id == case.id)
    ):
        protected += [name, address]
    protected += db.session.scalars(
        select(Incident.complainant_name).where(Incident.case_id == case.id, Incident.complainant_name != "")
    ).all()
    meeting_ids = select(Meeting.id).where(Meeting.case_id == case.id)
    for name, substitute in db.session.execute(
        select(Attendee.name, Attendee.substitute_name).where(Attendee.meeting_id.in_(meeting_ids))
    ):
        protected += [name, substitute]
    protected += db.session.scalars(
        select(User.name).join(Meeting, Meeting.chair_id == User.id).where(Meeting.case_id == case.id)
    ).all()
    protected += db.session.scalars(
        select(User.name)
        .join(Action, Action.owner_user_id == User.id)
        .join(ActionPlan, Action.plan_id == ActionPlan.id)
        .where(ActionPlan.case_id == case.id)
    ).all()
    return Redactor(protected, keep)


def applicant_may_read(case: Case) -> list[str]:
    """What the applicant may read of themselves: their own and the victim's name, address and postcode."""
    return [case.applicant_name, case.victim_name, case.applicant_address, case.applicant_postcode]


def victim_wording_problem(case: Case, wording: str) -> str | None:
    """A message for the author when a wording meant for the applicant names another person or address on the
    case (or any address that is not the applicant's), else None."""
    found = redactor_for(case, keep=applicant_may_read(case)).found(wording)
    return wording_problem(found) if found else None
