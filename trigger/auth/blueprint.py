"""The sign-in blueprint: its pages live in routes.py, account_routes.py, link_routes.py and passkey_routes.py."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
