"""Trigger: Community Trigger (ASB Case Review) case management.

create_app() wires extensions, blueprints, error handlers and the CLI - nothing else. Migrations are never run
from here (`flask db upgrade` does that, and `make run` calls it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing the package must not pull in Flask: trigger.domain is pure
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> "Flask":
    from flask import Flask

    from config import Settings

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    settings = (test_config or {}).get("TRIGGER_SETTINGS") or Settings.from_env(Path(app.instance_path))
    app.config.from_mapping(settings.flask_config())
    if test_config:
        app.config.from_mapping(test_config)

    from trigger import cli, errors, input_guard, involvement, security, templating
    from trigger.extensions import csrf, db, login_manager, migrate

    from trigger.operations import logs

    logs.init_app(app)  # first: its request id and clock start before any other hook runs
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)  # before the blueprints: their <int:...> routes use its bounded converter
    cli.init_app(app)
    involvement.init_app(app)
    _register_blueprints(app)
    from trigger.operations import banner

    banner.init_app(app)
    _commit_per_request(app)
    return app


def _register_blueprints(app: "Flask") -> None:
    from trigger.admin.routes import bp as admin_bp
    from trigger.auth.routes import bp as auth_bp
    from trigger.area_policies.routes import bp as area_policies_bp
    from trigger.main.routes import bp as main_bp
    from trigger.notifications.routes import bp as notifications_bp
    from trigger.notifications.routes import outbox_bp
    from trigger.setup.routes import bp as setup_bp
    from trigger.apply.routes import bp as apply_bp
    from trigger.cases.routes import bp as cases_bp
    from trigger.threshold.routes import bp as threshold_bp

    for blueprint in (main_bp, auth_bp, setup_bp, admin_bp):
        app.register_blueprint(blueprint)
    for blueprint in (notifications_bp, outbox_bp, area_policies_bp):
        app.register_blueprint(blueprint)
    for blueprint in (cases_bp, threshold_bp, apply_bp):
        app.register_blueprint(blueprint)
    from trigger.actions.routes import bp as actions_bp

    app.register_blueprint(actions_bp)
    from trigger.meetings.routes import bp as meetings_bp

    app.register_blueprint(meetings_bp)
    from trigger.deadlines.routes import bp as deadlines_bp

    app.register_blueprint(deadlines_bp)
    from trigger.risk.routes import bp as risk_bp

    app.register_blueprint(risk_bp)
    from trigger.escalations.routes import bp as escalations_bp

    app.register_blueprint(escalations_bp)
    from trigger.documents.routes import bp as documents_bp

    app.register_blueprint(documents_bp)
    from trigger.exports.routes import bp as exports_bp

    app.register_blueprint(exports_bp)
    from trigger.statistics.routes import bp as statistics_bp

    app.register_blueprint(statistics_bp)

    from trigger.governance.routes import bp as governance_bp

    app.register_blueprint(governance_bp)

    from trigger.restorative import documents as restorative_documents
    from trigger.restorative.routes import bp as restorative_bp

    app.register_blueprint(restorative_bp)
    restorative_documents.register()

    from trigger.operations.routes import bp as operations_bp

    app.register_blueprint(operations_bp)


def _commit_per_request(app: "Flask") -> None:
    """One transaction per request: committed when the response is a success or redirect, else rolled back."""
    from trigger.extensions import db, run_writes_before_commit

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400:
            run_writes_before_commit()
            db.session.commit()
        else:
            db.session.rollback()
        return response
