"""Turn already-rendered HTML into a PDF: the one module that uses WeasyPrint.

The Flask layer renders a template from ``templates/pdf/`` and hands the HTML string
to :func:`render_pdf`, which returns the PDF's bytes or raises :class:`PdfRenderError`
with a message that can be shown to a person. Nothing here imports Flask, so the CLI
and the tests use it as it is.

Why a child process
    A hostile or merely enormous document can keep WeasyPrint busy for minutes or
    exhaust memory, and a thread cannot be stopped. So rendering happens in a
    long-lived worker process (``python -P -c ...`` loading this very file), which
    is killed when it overruns ``timeout_s`` and replaced at once. The calling
    process never imports WeasyPrint, so its memory stays flat however many
    documents it produces; the worker is recycled every ``MAX_RENDERS_PER_WORKER``
    renders to bound its own growth. The worker keeps one ``FontConfiguration`` for
    its whole life, so the shipped fonts are loaded once, not once per document.
    Its environment is cut down to what fonts and Python need (no database URL or
    secret key), and ``RLIMIT_AS`` caps its memory.

Why a custom URL fetcher
    Templates contain text typed by members of the public. The fetcher serves only
    files under the static folder, addressed as ``/static/...`` relative to the
    engine's internal base URL (``https://trigger.invalid/``, a name that can never
    resolve), resolved with symlinks and ``..`` followed and checked to stay inside
    the folder, plus ``data:`` URIs. ``http(s)``, ``file:``, ``ftp:`` and everything
    else are refused without a connection being opened. WeasyPrint logs and skips a
    resource whose fetch fails, so a refused image or ``@import`` never breaks the
    render. ``<link rel=attachment>`` and ``<a rel=attachment>`` are additionally
    dropped before the PDF is written: our documents never carry attachments.

The output is PDF/UA-1 (tagged, with ``/Lang`` and a title), A4, laid out by
``templates/pdf/print.css``.
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import math
import mimetypes
import os
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

#: The product's static folder (fonts, logo images), served to documents as /static/...
DEFAULT_STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"

#: Base URL of every document. ``.invalid`` is reserved (RFC 2606): it never resolves,
#: and the fetcher maps this origin's /static/ to the static folder without any I/O.
INTERNAL_ORIGIN = "https://trigger.invalid"
BASE_URL = INTERNAL_ORIGIN + "/"
STATIC_URL_PATH = "/static/"

#: Tagged PDF 1.7 with PDF/UA-1 identification: what screen readers need.
PDF_VARIANT = "pdf/ua-1"

#: A worker is replaced after this many renders, to bound slow growth in WeasyPrint,
#: Pango and fontconfig caches...
MAX_RENDERS_PER_WORKER = 250
#: ...or as soon as it holds more memory than this (after a very long document).
WORKER_RETIRE_RSS_BYTES = 400 * 1024**2
#: Address-space cap for a worker. A warm worker maps about 0.3 GiB and a 165-page
#: minutes document peaks at 0.35 GiB; a document that needs 2 GiB is not one of ours.
WORKER_MEMORY_LIMIT_BYTES = 2 * 1024**3
#: Time a fresh worker may take to import WeasyPrint before the first render.
WORKER_START_TIMEOUT_S = 60.0
#: A static file bigger than this is refused (a logo or a font is far smaller).
MAX_STATIC_FILE_BYTES = 10_000_000
#: How many fetched/refused URLs a render reports back, at most.
MAX_REPORTED_URLS = 50

_HEADER = struct.Struct(">IQ")  # JSON header length, body length
_MAX_HEADER_BYTES = 1_000_000


class PdfFailure(StrEnum):
    """Why a document could not be produced."""

    TIMEOUT = "timeout"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_LARGE = "too_large"
    BUSY = "busy"
    CRASHED = "crashed"
    FAILED = "failed"


# Failures that point at a bug or a broken machine rather than at the document.
_UNEXPECTED = {PdfFailure.CRASHED, PdfFailure.FAILED}


class PdfRenderError(Exception):
    """A document could not be produced; ``str(error)`` is fit to show to a person.

    ``reason`` says why (a :class:`PdfFailure`); ``detail`` holds technical context
    for the log, never for the screen.
    """

    def __init__(self, message: str, *, reason: PdfFailure = PdfFailure.FAILED, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = PdfFailure(reason)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    """A produced PDF and what the renderer did to make it."""

    pdf: bytes
    page_count: int
    #: URLs served to WeasyPrint (static files; data: URIs are shown truncated).
    fetched_urls: tuple[str, ...]
    #: URLs WeasyPrint asked for and the fetcher refused.
    refused_urls: tuple[str, ...]
    #: Wall-clock time spent in the worker, in seconds.
    render_seconds: float


def render_pdf(
    html: str,
    *,
    title: str,
    lang: str = "en",
    static_root: Path = DEFAULT_STATIC_ROOT,
    timeout_s: float = 20,
    max_bytes: int = 20_000_000,
    max_pages: int = 200,
) -> bytes:
    """Render ``html`` (a complete HTML document) to PDF bytes.

    ``title`` and ``lang`` become the PDF's Title and /Lang whatever the HTML says.
    Only ``/static/...`` files under ``static_root`` and ``data:`` URIs are loaded.
    Raises :class:`PdfRenderError` when the render takes longer than ``timeout_s``,
    the HTML or the PDF is larger than ``max_bytes``, the document has more than
    ``max_pages`` pages, or the renderer fails.
    """
    return render_document(
        html,
        title=title,
        lang=lang,
        static_root=static_root,
        timeout_s=timeout_s,
        max_bytes=max_bytes,
        max_pages=max_pages,
    ).pdf


def render_document(
    html: str,
    *,
    title: str,
    lang: str = "en",
    static_root: Path = DEFAULT_STATIC_ROOT,
    timeout_s: float = 20,
    max_bytes: int = 20_000_000,
    max_pages: int = 200,
) -> RenderedPdf:
    """Like :func:`render_pdf`, returning the page count and the URLs fetched and refused."""
    if timeout_s <= 0 or max_bytes <= 0 or max_pages <= 0:
        raise ValueError("timeout_s, max_bytes and max_pages must be positive")
    body = html.encode("utf-8")
    if len(body) > max_bytes:
        raise PdfRenderError(
            f"The document is too large to produce ({_size(len(body))} of text; the limit is {_size(max_bytes)}).",
            reason=PdfFailure.TOO_LARGE,
        )
    request = {
        "title": title,
        "lang": lang,
        "static_root": str(Path(static_root).resolve()),
        "max_bytes": max_bytes,
        "max_pages": max_pages,
        "alarm_s": math.ceil(timeout_s) + 10,
    }
    try:
        header, pdf = _pool().run(request, body, timeout_s=timeout_s, max_bytes=max_bytes)
    except PdfRenderError as error:
        level = logging.ERROR if error.reason in _UNEXPECTED else logging.WARNING
        log.log(level, "PDF %r not produced (%s): %s", title, error.reason, error.detail or error)
        raise
    for url in header["refused_urls"]:
        log.warning("PDF %r: refused to load %s", title, url)
    for message in header["messages"]:
        log.debug("PDF %r: WeasyPrint: %s", title, message)
    return RenderedPdf(
        pdf=pdf,
        page_count=header["page_count"],
        fetched_urls=tuple(header["fetched_urls"]),
        refused_urls=tuple(header["refused_urls"]),
        render_seconds=header["seconds"],
    )


def warm_up() -> None:
    """Start a worker now (WeasyPrint's import takes about a second) instead of on the
    first request; e.g. from a ``post_fork`` server hook."""
    render_pdf("<p>Warm-up</p>", title="Warm-up", timeout_s=WORKER_START_TIMEOUT_S)


def shutdown() -> None:
    """Stop the worker processes (they are restarted on the next render)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()


def _size(size: int) -> str:
    if size < 1_000_000:
        return f"{max(size // 1000, 1)} kB"
    return f"{size / 1_000_000:.1f} MB"


# --------------------------------------------------------------------------------------
# Calling process: a small pool of worker processes.
# --------------------------------------------------------------------------------------

_BOOTSTRAP = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('trigger_pdf_worker', sys.argv[1])\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "sys.modules[spec.name] = module\n"
    "spec.loader.exec_module(module)\n"
    "module._worker_main(int(sys.argv[2]))\n"
)

# What the worker inherits from our environment: enough for Python, fontconfig and
# temporary files, and no secrets (database URL, secret key, mail password...).
_ENV_NAMES = {"PATH", "HOME", "LANG", "LANGUAGE", "TMPDIR", "TZ", "LD_LIBRARY_PATH", "VIRTUAL_ENV", "SYSTEMROOT"}
_ENV_PREFIXES = ("LC_", "PYTHON", "FONTCONFIG", "XDG_")


def _worker_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name in _ENV_NAMES or name.startswith(_ENV_PREFIXES)}


class _WorkerGone(Exception):
    """The worker exited or broke the protocol."""


class _Timeout(Exception):
    """The worker did not answer in time."""


class _Worker:
    """One worker process, spoken to over its stdin/stdout with length-prefixed frames."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", _BOOTSTRAP, str(Path(__file__).resolve()), str(WORKER_MEMORY_LIMIT_BYTES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_worker_env(),
            close_fds=True,
        )
        self.ready = False
        self.renders = 0
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.process.stdout, selectors.EVENT_READ)

    def wait_ready(self, deadline: float) -> None:
        if not self.ready:
            header, _ = self._receive(deadline, max_body=0)
            if not header.get("ready"):
                raise _WorkerGone(f"unexpected greeting {header!r}")
            self.ready = True

    def request(
        self, header: dict[str, Any], body: bytes, deadline: float, max_body: int
    ) -> tuple[dict[str, Any], bytes]:
        encoded = json.dumps(header).encode()
        try:
            self.process.stdin.write(_HEADER.pack(len(encoded), len(body)) + encoded)
            self.process.stdin.write(body)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise _WorkerGone(f"cannot write to worker: {error}") from error
        self.renders += 1
        return self._receive(deadline, max_body)

    def _receive(self, deadline: float, max_body: int) -> tuple[dict[str, Any], bytes]:
        header_size, body_size = _HEADER.unpack(self._read(_HEADER.size, deadline))
        if header_size > _MAX_HEADER_BYTES:
            raise _WorkerGone(f"header of {header_size} bytes")
        header = json.loads(self._read(header_size, deadline))
        if body_size > max_body:
            # Never read an oversized answer; the caller kills this worker.
            header["oversized_body"] = body_size
            return header, b""
        return header, self._read(body_size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, missing = [], size
        fd = self.process.stdout.fileno()
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._selector.select(remaining):
                raise _Timeout()
            chunk = os.read(fd, min(missing, 1 << 20))
            if not chunk:
                raise _WorkerGone(f"worker exited with code {self.process.wait()}")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Ask the worker to finish (end of its input) and reap it."""
        self._selector.close()
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process.stdout.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._selector.close()

    def forget(self) -> None:
        """In a forked child: drop our copies of the pipes, leave the process alone."""
        self._selector.close()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.process.returncode = 0  # silence Popen's "still running" warning


class _WorkerPool:
    """Up to ``size`` workers, each rendering one document at a time."""

    def __init__(self, size: int = 1) -> None:
        self.size = size
        self._idle: list[_Worker] = []
        self._live = 0
        self._closed = False
        self._condition = threading.Condition()

    def run(
        self, header: dict[str, Any], body: bytes, *, timeout_s: float, max_bytes: int
    ) -> tuple[dict[str, Any], bytes]:
        worker = self._acquire(timeout_s)
        # in_step: the worker answered in full, so its pipes are in a known state.
        # reusable: and it may render again (not retired for memory).
        in_step = reusable = False
        try:
            try:
                worker.wait_ready(time.monotonic() + WORKER_START_TIMEOUT_S)
            except (_Timeout, _WorkerGone) as error:
                raise PdfRenderError(
                    "The PDF renderer could not be started. Please try again later.",
                    reason=PdfFailure.CRASHED,
                    detail=str(error),
                ) from error
            try:
                answer, pdf = worker.request(header, body, time.monotonic() + timeout_s, max_body=max_bytes)
            except _Timeout:
                raise PdfRenderError(
                    f"The document took longer than {timeout_s:g} seconds to produce and "
                    "was stopped. It may be too long: try splitting it into smaller "
                    "documents.",
                    reason=PdfFailure.TIMEOUT,
                ) from None
            except _WorkerGone as error:
                raise PdfRenderError(
                    "The PDF renderer stopped unexpectedly while producing the document. "
                    "Please try again; if it happens again, the document may be too large.",
                    reason=PdfFailure.CRASHED,
                    detail=str(error),
                ) from error
            if "oversized_body" in answer:  # left unread in the pipe
                raise PdfRenderError(
                    f"The document would be {_size(answer['oversized_body'])}, more than the {_size(max_bytes)} limit.",
                    reason=PdfFailure.TOO_LARGE,
                )
            in_step, reusable = True, not answer["retire"]
            if not answer["ok"]:
                raise PdfRenderError(answer["message"], reason=answer["reason"], detail=answer.get("detail", ""))
            return answer, pdf
        finally:
            self._release(worker, in_step=in_step, reusable=reusable)

    def _acquire(self, timeout_s: float) -> _Worker:
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while True:
                if self._closed:
                    raise PdfRenderError("The PDF renderer is shutting down.", reason=PdfFailure.BUSY)
                if self._idle:
                    return self._idle.pop()
                if self._live < self.size:
                    self._live += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._condition.wait(remaining):
                    raise PdfRenderError(
                        "The PDF renderer is busy with other documents. Please try again in a minute.",
                        reason=PdfFailure.BUSY,
                    )
        try:
            return _Worker()
        except BaseException:
            with self._condition:
                self._live -= 1
                self._condition.notify()
            raise

    def _release(self, worker: _Worker, *, in_step: bool, reusable: bool) -> None:
        if in_step and reusable and worker.renders < MAX_RENDERS_PER_WORKER:
            with self._condition:
                if not self._closed:
                    self._idle.append(worker)
                    self._condition.notify()
                    return
        # Timed out, crashed, oversized or simply old: replace the worker now, so the
        # replacement imports WeasyPrint while the caller deals with the result.
        if in_step:
            worker.close()
        else:
            worker.kill()
        with self._condition:
            if self._closed:
                self._live -= 1
            else:
                try:
                    self._idle.append(_Worker())
                except OSError:
                    log.exception("Could not start a PDF worker")
                    self._live -= 1
            self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
        for worker in idle:
            worker.close()

    def forget(self) -> None:
        for worker in self._idle:
            worker.forget()
        self._idle = []


_POOL: _WorkerPool | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> _WorkerPool:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = _WorkerPool()
        return _POOL


def _forget_pool_after_fork() -> None:
    # A forked child (e.g. a gunicorn worker forked after preloading) must not share
    # its parent's workers: it starts its own on first use.
    global _POOL, _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    if _POOL is not None:
        _POOL.forget()
    _POOL = None


os.register_at_fork(after_in_child=_forget_pool_after_fork)
atexit.register(shutdown)


# --------------------------------------------------------------------------------------
# URL policy (pure, no WeasyPrint).
# --------------------------------------------------------------------------------------


class RefusedUrl(ValueError):
    """The fetcher will not load this URL."""


def resolve_static_url(url: str, static_root: Path) -> Path:
    """Return the file under ``static_root`` that ``url`` names, or raise RefusedUrl.

    Only ``https://trigger.invalid/static/<path>`` qualifies (what ``/static/<path>``
    becomes against the documents' base URL). The path is percent-decoded, then
    resolved with symlinks and ``..`` followed, and must still lie inside the root.
    """
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise RefusedUrl(f"malformed URL {url!r}") from error
    if f"{parts.scheme}://{parts.netloc}" != INTERNAL_ORIGIN:
        raise RefusedUrl(f"only this product's static files may be loaded, not {url!r}")
    path = unquote(parts.path)
    if not path.startswith(STATIC_URL_PATH) or "\x00" in path:
        raise RefusedUrl(f"not under {STATIC_URL_PATH}: {url!r}")
    root = static_root.resolve()
    candidate = (root / path[len(STATIC_URL_PATH) :]).resolve()
    if not candidate.is_relative_to(root):
        raise RefusedUrl(f"outside the static folder: {url!r}")
    if not candidate.is_file():
        raise RefusedUrl(f"no such static file: {url!r}")
    return candidate


def _describe(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "..."


# --------------------------------------------------------------------------------------
# Worker process: the only code that imports WeasyPrint.
# --------------------------------------------------------------------------------------

_FONT_CONFIG = None
_FETCHER_CLASS = None


def _font_config():
    """The worker's one FontConfiguration: @font-face files are loaded once per process."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _fetcher_class():
    """The URLFetcher subclass, built on first use so that importing us stays cheap."""
    global _FETCHER_CLASS
    if _FETCHER_CLASS is not None:
        return _FETCHER_CLASS
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve static files and data: URIs; refuse everything else, with no I/O."""

        def __init__(self, static_root: Path) -> None:
            # Even the parent's own fetch (used for data: only) refuses other schemes
            # and redirects.
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)
            self.static_root = static_root
            self.fetched: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                self.fetched.append(_describe(url))
                return super().fetch(url, headers)
            try:
                path = resolve_static_url(url, self.static_root)
                if path.stat().st_size > MAX_STATIC_FILE_BYTES:
                    raise RefusedUrl(f"static file too large: {url!r}")
            except RefusedUrl:
                self.refused.append(_describe(url))
                raise
            self.fetched.append(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": content_type})

    _FETCHER_CLASS = StaticOnlyFetcher
    return StaticOnlyFetcher


class _MessageCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < MAX_REPORTED_URLS:
            self.messages.append(record.getMessage()[:500])


def _render_here(request: dict[str, Any], html: str) -> tuple[dict[str, Any], bytes]:
    """Render one document in this process; return the answer header and the PDF."""
    from weasyprint import HTML, LOGGER

    started = time.perf_counter()
    fetcher = _fetcher_class()(Path(request["static_root"]))
    collector = _MessageCollector()
    LOGGER.addHandler(collector)
    pdf, failure = b"", None
    try:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print").render(
            font_config=_font_config(), pdf_variant=PDF_VARIANT
        )
        page_count = len(document.pages)
        if page_count > request["max_pages"]:
            failure = (
                PdfFailure.TOO_MANY_PAGES,
                f"The document would have {page_count} pages, more than the limit of {request['max_pages']}.",
            )
        else:
            document.metadata.title = request["title"]
            document.metadata.lang = request["lang"]
            # Our documents never carry files: drop <link rel=attachment> and
            # <a rel=attachment> even when they name a file the fetcher would serve.
            document.metadata.attachments = []
            for page in document.pages:
                page.links = [link for link in page.links if link[0] != "attachment"]
            # Images (SVG ones included) are fetched while painting, so only now is
            # the list of fetched and refused URLs complete.
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT, attachments=None)
            if (size := len(pdf)) > request["max_bytes"]:
                pdf, failure = (
                    b"",
                    (
                        PdfFailure.TOO_LARGE,
                        f"The document would be {_size(size)}, more than the {_size(request['max_bytes'])} limit.",
                    ),
                )
    finally:
        LOGGER.removeHandler(collector)
    answer: dict[str, Any] = {
        "ok": failure is None,
        "page_count": page_count,
        "fetched_urls": fetcher.fetched[:MAX_REPORTED_URLS],
        "refused_urls": fetcher.refused[:MAX_REPORTED_URLS],
        "messages": collector.messages,
        "seconds": round(time.perf_counter() - started, 4),
    }
    if failure is not None:
        answer["reason"], answer["message"] = failure
    return answer, pdf


def _resident_bytes() -> int:
    """This process's resident memory (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker_main(memory_limit: int) -> None:  # pragma: no cover - runs in the child
    """Serve render requests on stdin/stdout until stdin closes."""
    import resource

    # Frames go to the original stdout; anything printed by a library goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = os.fdopen(os.dup(0), "rb")
    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # Quiet WeasyPrint's own stderr output; messages are returned to the caller.
    logging.getLogger("weasyprint").propagate = False
    logging.getLogger("weasyprint").addHandler(logging.NullHandler())
    import weasyprint  # noqa: F401  (the slow import, done before saying "ready")

    _font_config()
    # WeasyPrint's modules and the fonts are the bulk of this process's objects and live as long as it does.
    # Frozen, they are no longer walked by every full garbage collection, which otherwise added about 30 ms to
    # one render in ten (a one-page letter takes about 45 ms).
    gc.collect()
    gc.freeze()

    def send(header: dict[str, Any], body: bytes = b"") -> None:
        encoded = json.dumps(header).encode()
        out.write(_HEADER.pack(len(encoded), len(body)) + encoded + body)
        out.flush()

    def read_exact(size: int) -> bytes | None:
        data = inp.read(size)
        return data if data is not None and len(data) == size else None

    send({"ready": True})
    while True:
        prefix = read_exact(_HEADER.size)
        if prefix is None:
            return
        header_size, body_size = _HEADER.unpack(prefix)
        request = json.loads(read_exact(header_size) or b"null")
        html = read_exact(body_size)
        if request is None or html is None:
            return
        # Backstop: if the caller died without killing us, SIGALRM ends a runaway render.
        signal.alarm(request["alarm_s"])
        retire = False
        try:
            answer, pdf = _render_here(request, html.decode("utf-8"))
        except MemoryError:
            retire = True
            answer, pdf = (
                {
                    "ok": False,
                    "reason": PdfFailure.TOO_LARGE,
                    "message": "The document needs more memory than the PDF renderer is allowed to use.",
                },
                b"",
            )
        except Exception as error:
            traceback.print_exc()  # to the caller's stderr, for whoever reads the logs
            retire = True  # start afresh rather than trust state left by the failure
            answer, pdf = (
                {
                    "ok": False,
                    "reason": PdfFailure.FAILED,
                    "message": "The document could not be produced because of an error in the PDF renderer.",
                    "detail": f"{type(error).__name__}: {error}"[:2000],
                },
                b"",
            )
        finally:
            signal.alarm(0)
        answer["retire"] = retire or _resident_bytes() > WORKER_RETIRE_RSS_BYTES
        send(answer, pdf)
