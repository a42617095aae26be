"""Document timings: a one-page letter and 10-page minutes through render_document, against a bare WeasyPrint
render of the same HTML; downloading an issued document; the calling process's memory over 200 renders.

Goals (issue 7): letter p95 < 0.4 s, 10-page minutes p95 < 1 s (warm process), each at most 1.5x the bare
render; download < 20 ms (in-process client); memory flat over 200 renders.

Runs the real app in-process on a fresh SQLite database (or DATABASE_URL).

    .venv/bin/python bench/documents_bench.py [RUNS]
"""

from __future__ import annotations

import gc
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from config import Settings, normalise_database_url  # noqa: E402
from tests.documents_helpers import MINUTES_TEXT, make_doc_world  # noqa: E402
from trigger import create_app  # noqa: E402
from trigger.documents import services  # noqa: E402
from trigger.documents.contexts import load_case_for_documents  # noqa: E402
from trigger.documents.rendering import prepare, render_document  # noqa: E402
from trigger.models import DeliveryMethod, DocumentKind  # noqa: E402

LONG_MINUTES = " ".join([MINUTES_TEXT] * 12) + "\n\n" + " ".join(["The council described its noise monitoring."] * 10)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def timed(function, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return timings


def bare_renderer():
    """WeasyPrint called directly in this process, as the engine's worker calls it (same fetcher, fonts,
    PDF/UA variant), without the worker, the pipes or the context building: the floor we compare with."""
    from weasyprint import HTML

    from trigger.pdf import engine

    fetcher = engine._fetcher_class()(engine.DEFAULT_STATIC_ROOT)

    def render(html: str) -> bytes:
        return HTML(string=html, base_url=engine.BASE_URL, url_fetcher=fetcher, media_type="print").write_pdf(
            font_config=engine._font_config(), pdf_variant=engine.PDF_VARIANT
        )

    return render


def main(runs: int = 30) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    settings = Settings(
        environment="local", secret_key="bench", database_url=normalise_database_url(url), password_hash_profile="test"
    )
    app = create_app({"TRIGGER_SETTINGS": settings})
    results = []
    with app.app_context():
        upgrade()
        world = make_doc_world(minutes_items=21, minutes_text=LONG_MINUTES)
        case = load_case_for_documents(world.case.id)
        letter_kind, minutes_kind = DocumentKind.THRESHOLD_DECISION, DocumentKind.MINUTES_FULL
        pages = {}
        for kind in (letter_kind, minutes_kind):
            pdf = render_document(kind, case, draft=False, large_print=False)  # warm: worker started, fonts loaded
            pages[kind] = len(PdfReader(io.BytesIO(pdf)).pages)

        # Memory of the calling process over 200 renders (before WeasyPrint is imported here for the bare runs).
        gc.collect()
        before = rss_mib()
        for _ in range(200):
            render_document(letter_kind, case, draft=True, large_print=False)
        gc.collect()
        after = rss_mib()

        # Interleaved: each round times the full path (context from the database, Jinja, the engine's worker),
        # the engine alone on the prepared HTML, and bare WeasyPrint on the same HTML, one after the other, so
        # that whatever else the machine is doing weighs on all three alike.
        bare = bare_renderer()
        timings = {}
        for kind in (letter_kind, minutes_kind):
            prepared = prepare(kind, case, draft=False, large_print=False)
            bare(prepared.html)
            full, engine_only, floor = [], [], []
            for _ in range(runs):
                full += timed(lambda: render_document(kind, case, draft=False, large_print=False), 1)
                engine_only += timed(prepared.render, 1)
                floor += timed(lambda: bare(prepared.html), 1)
            timings[kind] = (full, engine_only, floor)
        letter, letter_engine, bare_letter = timings[letter_kind]
        minutes, minutes_engine, bare_minutes = timings[minutes_kind]

        with app.test_request_context():
            from flask_login import login_user

            login_user(world.coordinator)
            document = services.issue(
                DocumentKind.OUTCOME,
                case,
                actor=world.coordinator,
                recipient=services.default_recipient(case, DocumentKind.OUTCOME),
                method=DeliveryMethod.POST,
                large_print=False,
                findings="The agencies could have shared information sooner.",
            ).document
            from trigger.extensions import db

            db.session.commit()
            document_id, case_id, email = document.id, case.id, world.coordinator.email
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post(
        "/login", data={"email": email, "password": "a-long-test-passphrase-42", "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    download_url = f"/cases/{case_id}/documents/{document_id}/download"
    assert client.get(download_url).status_code == 200
    download = timed(lambda: client.get(download_url), 200)

    for name, timings, engine_timings, bare_timings, goal in (
        (f"letter ({pages[letter_kind]} page)", letter, letter_engine, bare_letter, 0.4),
        (f"minutes ({pages[minutes_kind]} pages)", minutes, minutes_engine, bare_minutes, 1.0),
    ):
        ratio = p95(timings) / p95(bare_timings)
        results.append(
            f"| {name} | {statistics.median(timings) * 1000:.0f} ms | {p95(timings) * 1000:.0f} ms | "
            f"{p95(engine_timings) * 1000:.0f} ms | {p95(bare_timings) * 1000:.0f} ms | {ratio:.2f}x | "
            f"{'MET' if p95(timings) < goal and ratio <= 1.5 else 'NOT MET'} (< {goal * 1000:.0f} ms, <= 1.5x) |"
        )
    print(f"documents, {runs} interleaved runs each, {url.split(':')[0]}:")
    print("| document | median | p95 | engine alone p95 | bare WeasyPrint p95 | ratio (p95 / bare p95) | goal |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(results))
    print(
        f"| download of an issued PDF (200 runs) | {statistics.median(download) * 1000:.1f} ms | "
        f"{p95(download) * 1000:.1f} ms | - | - | - | {'MET' if p95(download) < 0.02 else 'NOT MET'} (< 20 ms) |"
    )
    print(
        f"calling process RSS over 200 renders: {before:.1f} MiB -> {after:.1f} MiB "
        f"({after - before:+.1f} MiB) - {'flat' if after - before < 5 else 'GROWING'}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
