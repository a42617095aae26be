"""Rendered pages kept per sign-in, valid until the data changes.

The busiest pages (the case list, a case page, "My actions", the deadlines dashboard) cost 10-30 ms of CPU to
build from the database on a large partnership, and most views of them show exactly what the same person saw a
moment ago. This module lets a view keep the HTML it rendered and serve it again while nothing has changed:

- **What "nothing has changed" means.** The `data_version` table holds one random token. Every transaction that
  writes anything a page could show replaces it, in that same transaction (`_note_writes` below, hooked into
  every flush and every INSERT/UPDATE/DELETE run through the session). A page is served from memory only when
  the token read at the start of the request is the one it was rendered under, so a change made by anyone, in
  any server process or a `flask` command, is seen on the next request. What does not count as a change: the
  audit row each view of a case adds (views are not part of the case's story; the audit trail still gets its row
  on every view, cached or not: trigger.audit.record_view) and a session's "last seen" time.
- **Whose page.** The key holds the sign-in session and its CSRF secret as well as the URL, so a page (with its
  forms' CSRF tokens and the person's own navigation) is only ever served back to the sign-in it was made for:
  nothing is shared between people. A new sign-in starts empty.
- **What else a page depends on**: today's date (deadlines turn overdue at midnight), and, as a backstop for
  anything time-dependent we have not thought of, an entry is used for at most `MAX_AGE_SECONDS`.
- **Never cached**: anything but GET, a request with a message waiting to be shown (a flash), a page rendered
  before the session had its CSRF secret, error pages (a view that aborts stores nothing).

The cache lives in each server process's memory, limited to `PAGE_CACHE_MIB` (least recently used goes first);
`PAGE_CACHE_MIB=0` turns it off. Changes made to the database behind the application's back (by hand in psql)
are not seen until the next change made through it, or a restart.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask import Flask, current_app, g, request, session
from sqlalchemy import TextClause, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from trigger.models import AuditEvent, UserSession
from trigger.models.audit import CASE_VIEWED
from trigger.models.data_version import DataVersion

#: An entry is rebuilt after this long even if nothing changed (see the module's docstring).
MAX_AGE_SECONDS = 300

EXTENSION = "trigger.page_cache"
_WROTE = "trigger.data_version_replaced"
_G_VERSION = "trigger_data_version"
_UNREAD = object()
_DML = re.compile(r"\s*(insert|update|delete|truncate)\b", re.IGNORECASE)


@dataclass(frozen=True)
class KeptPage:
    body: bytes
    #: What the view needs on a repeat without reading the database again (e.g. the case reference for the audit).
    note: dict
    kept_at: float


class PageCache:
    """A least-recently-used map of rendered pages, bounded in bytes; safe to share between threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, KeptPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> KeptPage | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry.kept_at > MAX_AGE_SECONDS:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, body: bytes, note: dict | None = None) -> None:
        size = len(body)
        if size > self.max_bytes // 4:
            return  # one page may not push out everything else
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = KeptPage(body, note or {}, time.monotonic())
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app: Flask) -> None:
    max_bytes = app.config.get("PAGE_CACHE_BYTES", 0)
    if max_bytes > 0:
        app.extensions[EXTENSION] = PageCache(max_bytes)


def cache_of(app: Flask) -> PageCache | None:
    return app.extensions.get(EXTENSION)


@lru_cache(maxsize=1)
def version_column():
    """The data's current version as a column, for a query that runs before any of a page's own (built once:
    statements are immutable)."""
    return select(DataVersion.token).where(DataVersion.id == 1).scalar_subquery()


def remember_version(token: int | None) -> None:
    """Keep the version read with the request's first query (the sign-in session's lookup) for cached_page()."""
    setattr(g, _G_VERSION, token)


@dataclass
class Slot:
    """This request's place in the cache: the page kept there, if any, and the way to keep a new one."""

    cache: PageCache
    key: tuple
    kept: KeptPage | None

    def keep(self, body: str, note: dict | None = None) -> str:
        if "_flashes" not in session:  # a page showing a one-off message is never shown again
            self.cache.put(self.key, body.encode(), note)  # bytes: the memory limit counts what is really held
        return body


def slot() -> Slot | None:
    """Where this request's page is kept, or None when it may not be (see the module's docstring)."""
    from flask_login import current_user

    from trigger.deadlines.services import london_today
    from trigger.extensions import db

    cache = cache_of(current_app)
    secret = session.get("csrf_token")
    if (cache is None or request.method != "GET" or "_flashes" in session or not secret
            or not current_user.is_authenticated):
        return None
    token = g.get(_G_VERSION, _UNREAD)
    if token is _UNREAD:
        token = db.session.scalar(select(DataVersion.token).where(DataVersion.id == 1))
    if token is None:  # a database emptied outside the application: the next write recreates the row
        return None
    sign_in = hashlib.sha256(f"{session.get('_user_id')}\0{secret}".encode()).hexdigest()
    # Both dates: some pages count in the partnership's day, others in the server's.
    key = (request.endpoint, request.full_path, current_user.id, sign_in, token, london_today(), date.today())
    return Slot(cache, key, cache.get(key))


def cached_page(render: Callable[[], str]) -> str | bytes:
    """The page `render()` makes, from memory when this sign-in has seen it since the data last changed."""
    place = slot()
    if place is None:
        return render()
    if place.kept is not None:
        return place.kept.body
    return place.keep(render())


# ---- noticing changes ------------------------------------------------------------------------------------


def _replace_token(session: Session) -> None:
    """Give the data a new version, once per transaction, in the transaction that changes it."""
    if session.info.get(_WROTE):
        return
    session.info[_WROTE] = True
    token = secrets.randbits(62)
    connection = session.connection()
    table = DataVersion.__table__
    if connection.execute(update(table).where(table.c.id == 1).values(token=token)).rowcount == 0:
        connection.execute(insert(table).values(id=1, token=token))


def _changes_pages(session: Session) -> bool:
    if session.deleted:
        return True
    for obj in session.new:
        if not (isinstance(obj, AuditEvent) and obj.action == CASE_VIEWED):
            return True
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        if isinstance(obj, UserSession) and _changed_attributes(obj) <= {"last_seen_at"}:
            continue
        return True
    return False


def _changed_attributes(obj) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


def install(session_class: type[Session]) -> None:
    """Hook the application's session class (not every SQLAlchemy session: Alembic's migrations have their own)."""

    @event.listens_for(session_class, "before_flush")
    def _note_flush(session, flush_context, instances) -> None:
        if not session.info.get(_WROTE) and _changes_pages(session):
            _replace_token(session)

    @event.listens_for(session_class, "do_orm_execute")
    def _note_writes(state) -> None:
        statement = state.statement
        if state.execution_options.get("changes_no_page"):
            return
        if state.is_insert or state.is_update or state.is_delete or (
                isinstance(statement, TextClause) and _DML.match(statement.text)):
            if not state.session.info.get(_WROTE):
                _replace_token(state.session)

    @event.listens_for(session_class, "after_transaction_end")
    def _forget(session, transaction) -> None:
        # Also after a savepoint: if it rolled back, so did its new token, and the next write must set one again.
        session.info.pop(_WROTE, None)
