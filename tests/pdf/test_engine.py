"""The PDF engine: what a reader of the PDF sees, what it may fetch, and how it fails.

Templates are rendered with plain Jinja (autoescaping on, as in the app), so these tests
need neither Flask nor a database. PDFs are inspected with pypdf.
"""

from __future__ import annotations

import ast
import base64
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import jinja2
import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from trigger.pdf import PdfFailure, PdfRenderError, engine, render_document, render_pdf

ROOT = Path(__file__).resolve().parents[2]
PASSWD_LINE = b"root:x:0:0"

LETTER = """{% extends "pdf/_base.html" %}
{% block content %}
<div class="recipient"><address>Ms Jane Example<br>12 Acacia Avenue<br>Northtown NT1 2AB</address></div>
<h1>Your Community Trigger application</h1>
<p>Dear Ms Example,</p>
{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>{% endfor %}
{% if second_page %}<p class="page-break">We will write to you again within 10 working days.</p>{% endif %}
{{ extra | safe }}
{% endblock %}"""


@pytest.fixture(scope="module")
def jinja_env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(ROOT / "templates"), autoescape=True)


@pytest.fixture
def letter_html(jinja_env):
    def render(source: str = LETTER, **context) -> str:
        values = dict(
            title="Acknowledgement of your application",
            org_name="Northshire District Council",
            org_address="Council Offices\nHigh Street\nNorthtown NT1 1AA",
            case_ref="CT-2025-0042",
            generated_on=date(2025, 11, 25),
            paragraphs=["Thank you for your application for an ASB case review."],
        )
        values.update(context)
        return jinja_env.from_string(source).render(**values)

    return render


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def decoded_streams(pdf: bytes) -> list[bytes]:
    """Every stream in the file, decompressed: where an embedded /etc/passwd would hide."""
    reader = read(pdf)
    streams = []
    for generation, numbers in reader.xref.items():
        for number in numbers:
            obj = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(obj, StreamObject):
                streams.append(obj.get_data())
    return streams


def embedded_files(pdf: bytes) -> list[str]:
    """/EmbeddedFiles in the catalog and /FileAttachment annotations on any page."""
    reader = read(pdf)
    found = []
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/EmbeddedFiles")
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment")
    return found


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in read(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 94, 165)).save(buffer, "PNG")
    return buffer.getvalue()


# ---- What the reader sees ---------------------------------------------------------------


def test_letter_shows_body_reference_marking_and_page_x_of_y(letter_html):
    pdf = render_pdf(letter_html(second_page=True), title="Acknowledgement")

    first, second = page_texts(pdf)
    assert "Thank you for your application for an ASB case review." in first
    assert "Northshire District Council" in first
    assert "Our reference: CT-2025-0042" in first
    assert "Date: 25 November 2025" in first
    assert first.count("OFFICIAL") == 2  # centred at the top and at the bottom
    assert "Page 1 of 2" in first
    assert "We will write to you again within 10 working days." in second
    assert "Case reference: CT-2025-0042" in second  # running header from page 2
    assert second.count("OFFICIAL") == 2
    assert "Page 2 of 2" in second


def test_pdf_is_tagged_with_title_and_language(letter_html):
    pdf = render_pdf(letter_html(), title="Acknowledgement of your application")

    reader = read(pdf)
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title == "Acknowledgement of your application"
    assert reader.xmp_metadata.dc_title["x-default"] == "Acknowledgement of your application"
    assert b"pdfuaid" in b"".join(decoded_streams(pdf))


def test_title_and_language_come_from_the_caller(letter_html):
    html = letter_html(title="Template title", lang="cy")

    reader = read(render_pdf(html, title="Llythyr cydnabod", lang="cy"))

    assert reader.metadata.title == "Llythyr cydnabod"
    assert reader.trailer["/Root"]["/Lang"] == "cy"


def test_tables_are_tagged_with_header_cells(letter_html):
    table = (
        '<table><caption>Actions</caption><thead><tr><th scope="col">Action</th>'
        '<th scope="col">Owner</th></tr></thead><tbody><tr><td>Visit</td><td>Police</td>'
        "</tr></tbody></table>"
    )
    reader = read(render_pdf(letter_html(extra=table), title="Plan"))

    types = []

    def walk(node):
        node = node.get_object()
        types.append(node.get("/S"))
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, IndirectObject) and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert {"/Table", "/TH", "/TD"} <= set(types)


def test_only_the_shipped_font_is_embedded(letter_html):
    extra = "<p><strong>Bold</strong>, <em>italic</em> and <strong><em>both</em></strong>.</p>"
    pdf = render_pdf(letter_html(extra=extra), title="Fonts")

    names = font_names(pdf)
    # "Trigger Sans" is the name print.css gives the shipped Liberation Sans files;
    # no font installed on a machine carries it.
    assert names, "no fonts at all"
    for name in names:
        assert re.fullmatch(r"/[A-Z]{6}\+Trigger-Sans(-Bold|-Italic|-Bold-Italic)?", name), name
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in names} == {
        "Trigger-Sans",
        "Trigger-Sans-Bold",
        "Trigger-Sans-Italic",
        "Trigger-Sans-Bold-Italic",
    }


def test_shipped_fonts_have_their_licence():
    fonts = ROOT / "trigger" / "static" / "fonts"
    assert sorted(path.name for path in fonts.glob("*.ttf")) == [
        "LiberationSans-Bold.ttf",
        "LiberationSans-BoldItalic.ttf",
        "LiberationSans-Italic.ttf",
        "LiberationSans-Regular.ttf",
    ]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "OFL.txt").read_text()
    css = (ROOT / "templates" / "pdf" / "print.css").read_text()
    families = set(re.findall(r"font-family:\s*([^;]+);", css))
    assert families == {'"Trigger Sans"', '"Trigger Sans", sans-serif'}


def test_draft_watermark_only_on_drafts(letter_html):
    draft = page_texts(render_pdf(letter_html(draft=True, second_page=True), title="Draft"))
    issued = page_texts(render_pdf(letter_html(draft=False, second_page=True), title="Final"))

    assert all("DRAFT" in text for text in draft)
    assert not any("DRAFT" in text for text in issued)


def test_sensitive_marking_on_every_page(letter_html):
    pdf = render_pdf(letter_html(marking="OFFICIAL-SENSITIVE", second_page=True), title="Minutes")
    for text in page_texts(pdf):
        assert text.count("OFFICIAL-SENSITIVE") == 2


def test_document_template_can_override_the_marking_block(letter_html):
    source = LETTER.replace(
        "{% block content %}", "{% block marking %}OFFICIAL-SENSITIVE{% endblock %}{% block content %}"
    )
    (text,) = page_texts(render_pdf(letter_html(source), title="Minutes"))
    assert text.count("OFFICIAL-SENSITIVE") == 2


def test_large_print_uses_bigger_text(letter_html):
    paragraphs = ["The review panel will meet on 3 March 2026 at the Council Offices."] * 12
    normal = read(render_pdf(letter_html(paragraphs=paragraphs), title="Letter"))
    large = read(render_pdf(letter_html(paragraphs=paragraphs, large_print=True), title="Letter"))

    assert len(normal.pages) == 1
    assert len(large.pages) >= 2

    def body_font_size(reader):
        sizes = []

        def visit(text, cm, tm, font_dict, font_size):
            if "review panel" in text:
                sizes.append(font_size * tm[0] * cm[0])  # CSS px to PDF points

        reader.pages[0].extract_text(visitor_text=visit)
        return max(sizes)

    assert body_font_size(normal) == pytest.approx(11, abs=0.5)
    assert body_font_size(large) == pytest.approx(16, abs=0.5)


def test_letterhead_logo_and_address_lines(letter_html):
    logo = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()
    html = letter_html(logo_data_uri=logo, org_address=["Town Hall", "", "Southtown ST1 1AA"])
    assert 'alt="Northshire District Council logo"' in html

    result = render_document(html, title="Letter")

    assert result.fetched_urls and result.fetched_urls[0].startswith("data:image/png")
    reader = read(result.pdf)
    xobjects = reader.pages[0]["/Resources"].get("/XObject", {})
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())
    assert "Town Hall\nSouthtown ST1 1AA" in reader.pages[0].extract_text()


def test_base_template_needs_little_context_and_escapes_it(jinja_env):
    html = jinja_env.get_template("pdf/_base.html").render(
        title="Minimal", case_ref="<b>CT-1</b>", org_name="Smith & Jones Housing"
    )
    assert "&lt;b&gt;CT-1&lt;/b&gt;" in html

    (text,) = page_texts(render_pdf(html, title="Minimal"))
    assert "Our reference: <b>CT-1</b>" in text
    assert "Smith & Jones Housing" in text
    assert text.count("OFFICIAL") == 2


def test_static_images_are_served_from_the_static_root(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.png").write_bytes(tiny_png())

    result = render_document(
        '<html lang="en"><img src="/static/img/logo.png" alt="Logo"><p>Hi</p></html>',
        title="Static",
        static_root=tmp_path,
    )

    assert result.fetched_urls == ("https://trigger.invalid/static/img/logo.png",)
    assert result.refused_urls == ()
    xobjects = read(result.pdf).pages[0]["/Resources"]["/XObject"]
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())


# ---- What a hostile document cannot do -------------------------------------------------

INJECTIONS = {
    "img file URL": ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
    "img absolute path": ('<img src="/etc/passwd">', "https://trigger.invalid/etc/passwd"),
    "link attachment": ('<link rel="attachment" href="file:///etc/passwd">', None),
    "a attachment": ('<a rel="attachment" href="file:///etc/hostname">x</a>', None),
    "attachment of a static file": (
        '<a rel="attachment" href="/static/fonts/OFL.txt">licence</a>'
        '<link rel="attachment" href="/static/fonts/OFL.txt">',
        None,
    ),
    "css import": ('<style>@import url("file:///etc/passwd");</style>', "file:///etc/passwd"),
    "stylesheet link": ('<link rel="stylesheet" href="file:///etc/passwd">', "file:///etc/passwd"),
    "css background": ('<p style="background: url(file:///etc/passwd)">x</p>', "file:///etc/passwd"),
    "svg image": (
        '<svg width="20" height="20"><image href="file:///etc/passwd" width="20" height="20"/></svg>',
        "file:///etc/passwd",
    ),
    "cloud metadata": (
        '<img src="http://169.254.169.254/latest/meta-data/">',
        "http://169.254.169.254/latest/meta-data/",
    ),
    "static traversal": ('<img src="/static/../../../../etc/passwd">', "https://trigger.invalid/etc/passwd"),
    "encoded static traversal": (
        '<img src="/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
        "https://trigger.invalid/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ),
    "encoded slash traversal": (
        '<img src="/static/..%2f..%2f..%2f..%2f..%2fetc/passwd">',
        "https://trigger.invalid/static/..%2f..%2f..%2f..%2f..%2fetc/passwd",
    ),
    "base element": ('<base href="file:///etc/"><img src="passwd">', "file:///etc/passwd"),
    "object": ('<object data="file:///etc/passwd"></object>', "file:///etc/passwd"),
    "font face": (
        "<style>@font-face { font-family: X; src: url(file:///etc/passwd) } p { font-family: X }</style>",
        "file:///etc/passwd",
    ),
    "local font": (
        '<style>@font-face { font-family: Y; src: local("DejaVu Sans") } p { font-family: Y }</style>',
        None,
    ),
    "ftp": ('<img src="ftp://example.org/x.png">', "ftp://example.org/x.png"),
}


@pytest.mark.parametrize("markup, refused", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_hostile_markup_loads_nothing_and_still_renders(markup, refused):
    html = f'<html lang="en"><head><title>T</title></head><body>{markup}<p>Body survives.</p></body></html>'

    result = render_document(html, title="Hostile")

    text = "".join(page_texts(result.pdf))
    assert "Body survives." in text
    assert embedded_files(result.pdf) == []
    assert PASSWD_LINE not in result.pdf
    assert not any(PASSWD_LINE in stream for stream in decoded_streams(result.pdf))
    assert "root:x:0:0" not in text
    assert not [url for url in result.fetched_urls if not url.startswith("data:")]
    if refused is not None:
        assert refused in result.refused_urls


def test_stream_decoding_would_see_embedded_text():
    # Guards the check above: decoded_streams() does see text inside compressed streams.
    pdf = render_pdf('<html lang="en"><p>x</p></html>', title="Needle-4711")
    assert b"Needle-4711" not in pdf
    assert any(b"Needle-4711" in stream for stream in decoded_streams(pdf))


def test_refused_urls_are_logged(caplog, monkeypatch):
    # Alembic's fileConfig() in migrations/env.py disables loggers that already exist
    # when another test has migrated a database in this process.
    monkeypatch.setattr(engine.log, "disabled", False)
    with caplog.at_level("WARNING", logger="trigger.pdf.engine"):
        render_pdf('<img src="file:///etc/passwd"><p>x</p>', title="Logged")
    assert "refused to load file:///etc/passwd" in caplog.text


def test_no_connection_is_opened():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    html = f"""<html lang="en"><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">
      <style>@import url(http://127.0.0.1:{port}/a.css);
             body {{ background: url(https://127.0.0.1:{port}/b.png) }}</style></head>
      <body><img src="http://127.0.0.1:{port}/x.png"><p>Offline</p></body></html>"""
    try:
        result = render_document(html, title="Offline")
        listener.settimeout(0.3)
        with pytest.raises(socket.timeout):
            listener.accept()  # a connection, even one already closed, would be queued
    finally:
        listener.close()
    assert f"http://127.0.0.1:{port}/x.png" in result.refused_urls
    assert f"http://127.0.0.1:{port}/a.css" in result.refused_urls
    assert "Offline" in page_texts(result.pdf)[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://trigger.invalid/static/fonts/OFL.txt",
        "https://trigger.invalid/static/fonts/../fonts/OFL.txt",
        "https://trigger.invalid/static/fonts/OFL.txt?v=1#top",
    ],
)
def test_static_urls_inside_the_root_resolve(url):
    root = ROOT / "trigger" / "static"
    assert engine.resolve_static_url(url, root) == (root / "fonts" / "OFL.txt").resolve()


@pytest.mark.parametrize(
    "url",
    [
        "http://trigger.invalid/static/fonts/OFL.txt",
        "https://trigger.invalid:443/static/fonts/OFL.txt",
        "https://user@trigger.invalid/static/fonts/OFL.txt",
        "https://TRIGGER.INVALID/static/fonts/OFL.txt",
        "https://example.org/static/fonts/OFL.txt",
        "https://trigger.invalid/fonts/OFL.txt",
        "https://trigger.invalid/static/../../../etc/passwd",
        "https://trigger.invalid/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "https://trigger.invalid/static//etc/passwd",
        "https://trigger.invalid/static/fonts/OFL.txt%00.png",
        "https://trigger.invalid/static/fonts",
        "https://trigger.invalid/static/fonts/missing.ttf",
        "file:///work/main/trigger/static/fonts/OFL.txt",
        "trigger-static:fonts/OFL.txt",
        "data:text/plain,hello",  # data: is the fetcher's business, not a static path
    ],
)
def test_static_urls_outside_the_root_are_refused(url):
    with pytest.raises(engine.RefusedUrl):
        engine.resolve_static_url(url, ROOT / "trigger" / "static")


def test_symlinks_out_of_the_static_root_are_refused(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "passwd.png").symlink_to("/etc/passwd")
    (root / "etc").symlink_to("/etc", target_is_directory=True)

    result = render_document(
        '<img src="/static/passwd.png"><img src="/static/etc/passwd"><p>Still here</p>',
        title="Links",
        static_root=root,
    )

    assert set(result.refused_urls) == {
        "https://trigger.invalid/static/passwd.png",
        "https://trigger.invalid/static/etc/passwd",
    }
    assert not any(PASSWD_LINE in stream for stream in decoded_streams(result.pdf))


# ---- Limits and failures ---------------------------------------------------------------

SLOW = "<html lang='en'><body>" + "<p>A paragraph of the minutes.</p>" * 30_000 + "</body></html>"


def test_slow_document_is_stopped_and_the_next_one_works():
    render_pdf("<p>Warm</p>", title="Warm")  # time the render, not a worker's start
    started = time.monotonic()
    with pytest.raises(PdfRenderError) as caught:
        render_pdf(SLOW, title="Slow", timeout_s=0.5)
    elapsed = time.monotonic() - started

    assert caught.value.reason is PdfFailure.TIMEOUT
    assert str(caught.value).startswith("The document took longer than 0.5 seconds")
    assert elapsed < 3
    assert render_pdf("<p>Back to normal</p>", title="Normal").startswith(b"%PDF-1.7")


def test_too_many_pages_is_refused():
    html = "<p>1</p>" + "".join(f'<p style="break-before: page">{n}</p>' for n in (2, 3, 4))
    with pytest.raises(PdfRenderError) as caught:
        render_pdf(html, title="Long", max_pages=3)

    assert caught.value.reason is PdfFailure.TOO_MANY_PAGES
    assert str(caught.value) == "The document would have 4 pages, more than the limit of 3."
    assert len(read(render_pdf(html, title="Long", max_pages=4)).pages) == 4


def test_too_large_pdf_is_refused():
    with pytest.raises(PdfRenderError) as caught:
        render_pdf("<p>Small but not that small</p>", title="Big", max_bytes=1_000)
    assert caught.value.reason is PdfFailure.TOO_LARGE
    assert "more than the 1 kB limit" in str(caught.value)


def test_too_large_html_is_refused_before_rendering():
    with pytest.raises(PdfRenderError) as caught:
        render_pdf("<p>" + "x" * 2_000 + "</p>", title="Big", max_bytes=1_000)
    assert caught.value.reason is PdfFailure.TOO_LARGE
    assert str(caught.value).startswith("The document is too large to produce")


def test_memory_hungry_document_fails_cleanly(monkeypatch):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (9000, 9000), "white").save(buffer, "PNG")  # 250 kB, 240 MB decoded
    html = f'<img src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'
    engine.shutdown()
    monkeypatch.setattr(engine, "WORKER_MEMORY_LIMIT_BYTES", 600 * 1024**2)
    try:
        with pytest.raises(PdfRenderError) as caught:
            render_pdf(html, title="Bomb")
        assert caught.value.reason is PdfFailure.TOO_LARGE
        assert render_pdf("<p>Fine</p>", title="Fine").startswith(b"%PDF")
    finally:
        engine.shutdown()  # the next test gets a worker with the normal limit


def test_renderer_error_is_reported_and_the_next_document_works(caplog, monkeypatch):
    monkeypatch.setattr(engine.log, "disabled", False)
    # WeasyPrint 70 divides by zero painting text this size.
    with pytest.raises(PdfRenderError) as caught:
        render_pdf("<p style='font-size: 1e300px'>Huge</p>", title="Broken")

    assert caught.value.reason is PdfFailure.FAILED
    assert str(caught.value) == ("The document could not be produced because of an error in the PDF renderer.")
    assert "ZeroDivisionError" in caught.value.detail
    assert "ZeroDivisionError" in caplog.text
    assert render_pdf("<p>Fine</p>", title="Fine").startswith(b"%PDF")


def test_crashed_worker_is_reported_and_replaced():
    render_pdf("<p>Start a worker</p>", title="Start")
    (worker,) = engine._pool()._idle
    killer = threading.Timer(0.3, os.kill, (worker.process.pid, signal.SIGKILL))
    killer.start()
    with pytest.raises(PdfRenderError) as caught:
        render_pdf(SLOW, title="Victim", timeout_s=10)
    killer.join()

    assert caught.value.reason is PdfFailure.CRASHED
    assert render_pdf("<p>Recovered</p>", title="Recovered").startswith(b"%PDF")


def test_worker_is_recycled_after_many_renders(monkeypatch):
    monkeypatch.setattr(engine, "MAX_RENDERS_PER_WORKER", 2)
    engine.shutdown()
    pids = []
    for number in range(3):
        render_pdf(f"<p>{number}</p>", title="Recycle")
        pids.append(engine._pool()._idle[0].process.pid)
    engine.shutdown()
    assert pids[0] != pids[1] == pids[2]


def test_concurrent_callers_each_get_their_document():
    results = {}

    def render(number):
        results[number] = page_texts(render_pdf(f"<p>Document {number}</p>", title=str(number)))

    threads = [threading.Thread(target=render, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {n: text[0].strip() for n, text in results.items()} == {n: f"Document {n}" for n in range(4)}


# ---- Architecture ----------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_engine_imports_weasyprint_and_it_imports_no_flask():
    importers = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "trigger").rglob("*.py") if "weasyprint" in _imports(path)
    }
    assert importers == {"trigger/pdf/engine.py"}
    assert "flask" not in _imports(ROOT / "trigger" / "pdf" / "engine.py")


def test_calling_process_never_loads_weasyprint():
    code = (
        "import sys; from trigger.pdf import render_pdf; "
        "pdf = render_pdf('<p>x</p>', title='x'); "
        "print(pdf[:5].decode(), 'weasyprint' in sys.modules, 'flask' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert output.split() == ["%PDF-", "False", "False"]


@pytest.mark.slow
def test_calling_process_memory_stays_flat(letter_html):
    html = letter_html()

    def rss_kb() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        pytest.skip("no /proc")

    for _ in range(20):
        render_pdf(html, title="Warm")
    before = rss_kb()
    for _ in range(200):
        render_pdf(html, title="Soak")
    assert rss_kb() - before < 8_000
