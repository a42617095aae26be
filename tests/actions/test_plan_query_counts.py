"""The plan page and "My actions" take a fixed number of SQL statements, however many actions there are."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.actions_helpers import make_action, make_case
from tests.conftest import login
from trigger.extensions import db
from trigger.models import ActionUpdate, AgencyType, Role


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _statements_for(client, url: str) -> int:
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def _add_actions(case, agency, rep, n: int) -> None:
    for i in range(n):
        action = make_action(case, agency, description=f"Action number {i}", due_in_days=i - 5)
        db.session.add(
            ActionUpdate(
                action_id=action.id,
                author_id=rep.id,
                author_agency_id=agency.id,
                note=f"Progress {i}",
                status_from=action.status,
                status_to=action.status,
                action_version=1,
            )
        )
    db.session.commit()


def test_query_counts_do_not_grow_with_the_number_of_actions(app, make_area, make_agency, make_user):
    area = make_area()
    police = make_agency("Police", AgencyType.POLICE)
    rep = make_user(Role.AGENCY_REP, agency=police)
    coordinator = make_user(Role.COORDINATOR)
    few_case, many_case = make_case(area), make_case(make_area("Otherbury"))
    _add_actions(few_case, police, rep, 1)

    rep_client, coordinator_client = app.test_client(), app.test_client()
    login(rep_client, rep)
    login(coordinator_client, coordinator)
    mine_one = _statements_for(rep_client, "/my-actions")
    plan_one = _statements_for(coordinator_client, f"/cases/{few_case.id}/plan")

    _add_actions(many_case, police, rep, 30)
    mine_many = _statements_for(rep_client, "/my-actions")
    plan_many = _statements_for(coordinator_client, f"/cases/{many_case.id}/plan")

    assert mine_many == mine_one, (mine_one, mine_many)
    assert plan_many == plan_one, (plan_one, plan_many)
    assert "Action number 29" in rep_client.get("/my-actions").get_data(as_text=True)
