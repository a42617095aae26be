"""Security headers on every response, sign-in wiring and the session cookie rules."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from trigger.extensions import login_manager

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    settings = app.config["TRIGGER_SETTINGS"]
    if settings.behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are server-side rows; see auth.services

    @login_manager.user_loader
    def load_user(token: str):
        from trigger.auth.services import load_session_user

        return load_session_user(token)

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages may carry personal data: never keep them in a shared or browser cache. Static files may be cached.
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
