"""The deployment files in deploy/ say what the product expects (README's production section uses them)."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_gunicorn_keeps_its_access_log_off_and_listens_on_loopback_only():
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["accesslog"] is None  # it would log query strings; Trigger logs its own JSON line
    assert settings["bind"].startswith("127.0.0.1:") and settings["workers"] >= 2


def test_nginx_sends_the_headers_behind_proxy_expects_and_logs_no_query_strings():
    conf = (DEPLOY / "nginx.conf").read_text()
    for header in (
        "X-Forwarded-For   $remote_addr",
        "X-Forwarded-Proto $scheme",
        "X-Forwarded-Host  $host",
        "X-Request-Id      $request_id",
    ):
        assert f"proxy_set_header {header};" in conf
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf and "return 301 https://" in conf
    log_format = conf[conf.index("log_format") : conf.index(";", conf.index("log_format"))]
    assert "$uri" in log_format and "$request " not in log_format and "$args" not in log_format


def test_the_systemd_units_run_the_web_server_and_the_jobs_process_from_the_shipped_files():
    web = (DEPLOY / "trigger-web.service").read_text()
    jobs = (DEPLOY / "trigger-jobs.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in web
    assert "ExecStart=/srv/trigger/.venv/bin/flask jobs run" in jobs and "KillSignal=SIGTERM" in jobs
    for unit in (web, jobs):
        assert "EnvironmentFile=/srv/trigger/trigger.env" in unit and "NoNewPrivileges=true" in unit
