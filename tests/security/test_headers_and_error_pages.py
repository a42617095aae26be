"""The security baseline a browser sees on every response, and error pages that leak nothing."""

from tests.conftest import build_app, login
from trigger.authz import PUBLIC, allow
from trigger.models import Role


def test_security_headers_on_pages(client, make_user):
    login(client, make_user(Role.ADMIN))
    for url in ("/login", "/home", "/admin/users", "/does-not-exist"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store", url


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/trigger.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_cookies_are_secure_over_https(database_url, make_user):
    app = build_app(database_url, secure_cookies=True)
    client = app.test_client()
    # Over HTTPS, as in production; Flask-WTF then also checks the Referer is this site.
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/login"})
    user = make_user()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_local_cookies_are_httponly_and_samesite(client, make_user):
    cookie = login(client, make_user()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_error_pages_leak_nothing(database_url):
    app = build_app(database_url)

    @allow(PUBLIC)
    def boom():
        raise RuntimeError("secret internal detail /etc/trigger")

    app.add_url_rule("/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "secret internal detail" not in body and "Traceback" not in body and "RuntimeError" not in body

    not_found = app.test_client().get("/cases/999999")
    assert not_found.status_code in (302, 404)
    assert "Traceback" not in not_found.get_data(as_text=True)
