from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_user
from sqlalchemy.exc import IntegrityError

from trigger.auth import services as auth_services
from trigger.auth.passwords import password_problems
from trigger.authz import PUBLIC, allow
from trigger.extensions import db
from trigger.setup.forms import SetupForm
from trigger.setup.services import complete_setup, setup_required

bp = Blueprint("setup", __name__)


@bp.route("/setup", methods=["GET", "POST"])
@allow(PUBLIC)
def first_run():
    # Once an account exists this page is gone for good.
    if not setup_required():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        problems = password_problems(form.password.data, email=form.email.data, name=form.name.data)
        if problems:
            form.password.errors.extend(problems)
        else:
            try:
                admin = complete_setup(form.org_name.data, form.name.data, form.email.data, form.password.data)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                abort(404)
            auth_services.start_session(admin)
            login_user(admin)
            flash(
                f"{form.org_name.data} is set up. Next, add your areas, agencies and colleagues' accounts.",
                "success",
            )
            return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("setup/first_run.html", form=form), status
