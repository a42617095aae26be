"""The outbox and notification pages only have buttons: their forms carry nothing but the CSRF token."""

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """An empty form whose CSRF token makes a POST button (mark as read, retry now) safe."""
