"""The WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

import sys

from config import ConfigError
from trigger import create_app

try:
    app = create_app()
except ConfigError as error:
    # A clear sentence for the operator instead of a traceback.
    sys.exit(f"Trigger cannot start: {error}")
