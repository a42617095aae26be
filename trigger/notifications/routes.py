"""Pages: each user's own notifications, and the outbox for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.authz import ADMIN, SIGNED_IN, allow, can_see_notification
from trigger.domain.delivery import email_delivery
from trigger.extensions import db
from trigger.models import Notification, OutboxStatus
from trigger.notifications import services
from trigger.notifications.forms import ButtonForm
from trigger.input_guard import requested_page

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
outbox_bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

PER_PAGE = 25


def _page() -> int:
    return requested_page()


# ---- notifications ------------------------------------------------------------------------------------------


@bp.route("")
@allow(SIGNED_IN)
def index():
    user = current_user._get_current_object()
    page = db.paginate(services.notifications_of(user), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("notifications/index.html", page=page, unread=services.unread_count(user), form=ButtonForm())


@bp.route("/<int:notification_id>/read", methods=["POST"])
@allow(SIGNED_IN)
def mark_read(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        abort(404)
    if not can_see_notification(current_user, notification):
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.mark_read(notification)
    flash(f"Marked “{notification.subject}” as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@allow(SIGNED_IN)
def mark_all_read():
    if not ButtonForm().validate_on_submit():
        abort(400)
    marked = services.mark_all_read(current_user._get_current_object())
    flash(f"Marked {marked} notification{'' if marked == 1 else 's'} as read.", "success")
    return redirect(url_for("notifications.index"))


# ---- the outbox (administrators) ------------------------------------------------------------------------------


@outbox_bp.route("")
@allow(ADMIN)
def index():
    raw = request.args.get("status") or ""
    status = OutboxStatus(raw) if raw in {s.value for s in OutboxStatus} else None
    page = db.paginate(services.outbox_messages(status), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "notifications/outbox.html",
        page=page,
        status=status,
        statuses=list(OutboxStatus),
        counts=services.outbox_counts(),
        smtp_configured=services.smtp_configured(),
        not_configured=services.NOT_CONFIGURED,
        email_delivery=email_delivery,
    )


@outbox_bp.route("/<int:message_id>")
@allow(ADMIN)
def message(message_id: int):
    message = services.load_message(message_id)
    if message is None:
        abort(404)
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        form=ButtonForm(),
        smtp_configured=services.smtp_configured(),
        not_configured=services.NOT_CONFIGURED,
    )


@outbox_bp.route("/<int:message_id>/retry", methods=["POST"])
@allow(ADMIN)
def retry(message_id: int):
    message = services.load_message(message_id)
    if message is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.retry_now(message)
    except services.CannotRetry as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("outbox.message", message_id=message.id))
    flash(f"The message to {message.to_address} will be sent again at the next run of the sender.", "success")
    return redirect(url_for("outbox.message", message_id=message.id))
