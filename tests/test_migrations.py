"""The migrations make the schema the models describe: autogenerate finds nothing to add."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trigger.extensions import db


def test_migrated_database_matches_the_models(app):

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
