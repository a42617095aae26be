"""Eager loads never nest an inner join inside an outer one.

A relationship loaded with ``lazy="joined", innerjoin=True`` renders, when its parent is itself reached by a LEFT
OUTER JOIN, as ``LEFT OUTER JOIN (cases JOIN areas ON ...)``. SQLite answers that by building the whole nested join
first: the action update form read every case and every meeting of the county (103 ms of a 105 ms page at scale
10, 5 ms with the joins flat). ``innerjoin="unnested"`` keeps the inner join where the parent is loaded directly and
chains a LEFT OUTER JOIN otherwise.
"""

from sqlalchemy import event

from trigger.extensions import db
from trigger.models.base import Base


def test_no_relationship_nests_an_inner_join_in_an_outer_one():
    nested = [
        f"{mapper.class_.__name__}.{rel.key}"
        for mapper in Base.registry.mappers
        for rel in mapper.relationships
        if rel.lazy == "joined" and rel.innerjoin is True
    ]
    assert nested == [], f"use innerjoin='unnested' for {nested}"


def test_the_action_update_form_loads_its_action_with_flat_joins(app):
    from trigger.actions.services import load_action

    statements: list[str] = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            load_action(1)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert "JOIN cases" in statements[0] and "JOIN (" not in statements[0]
