"""What every template can see: the organisation's name, the navigation for the signed-in role, filters."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from markupsafe import Markup, escape
from flask_login import current_user
from sqlalchemy import select

from trigger.authz import ADMIN, MY_ACTIONS, VIEW_AUDIT, VIEW_CASES, can_read_action, can_read_recommendation
from trigger.domain.need_to_know import restricted_action_line, restricted_recommendation_line
from trigger.domain.wording import for_the_public, with_article
from trigger.models import Role

LONDON = ZoneInfo("Europe/London")


def format_datetime(value: datetime | None) -> str:
    """Times are stored in UTC and shown in Europe/London, e.g. '3 May 2026 at 2:05pm'."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")


_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(value: date | datetime | None) -> str:
    """'3 May 2026'. The month's name from a list: strftime's %B costs several microseconds, and a list page shows a
    date on every row (the names are the C locale's, which strftime uses too: Python never sets LC_TIME)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {_MONTHS[value.month]} {value.year}"


#: A red/amber/green rating's tag colour (the Design System has no amber tag: yellow stands for it).
_RAG_COLOURS = {"red": "red", "amber": "yellow", "green": "green"}


@lru_cache(maxsize=1024, typed=True)  # typed: "<b>" and Markup("<b>") are equal strings, not the same tag
def tag(text, colour: str | None = None, classes: str = "") -> Markup:
    """A GOV.UK tag (templates/macros/components.html exports it as `tag`). Python rather than a Jinja macro: list
    pages show one or two per row, and a macro call costs several times more. Remembered: a list shows the same few
    tags ("Overdue by 2 working days", a stage) on many rows, and the HTML depends on the arguments alone. A tag's
    text is a label, never personal data: the remembered tags outlive the request.

    "blue" is the default tag's colour: GOV.UK Frontend 6 has no govuk-tag--blue, so it gets no modifier class."""
    css = f"govuk-tag govuk-tag--{colour}" if colour and colour != "blue" else "govuk-tag"
    if classes:
        css = f"{css} {classes}"
    return Markup(f'<strong class="{escape(css)}">{escape(text)}</strong>')


@lru_cache(maxsize=1024, typed=True)
def rag_tag(rating, text=None) -> Markup:
    """A red/amber/green rating; the word is always shown, so the rating never depends on colour alone. `rating` is
    "red", "amber" or "green" (any case, or a StrEnum with those values); anything else gives a grey tag. Remembered
    like `tag`, and for the same reason: its text is a status's label ("Overdue by 2 working days"), never personal
    data."""
    key = str(rating).lower() if rating else ""
    return tag(text or key.capitalize() or "Not rated", _RAG_COLOURS.get(key, "grey"), "app-rag")


#: Stand-ins for the ids while a path pattern is made (path_pattern): in the int converter's range, and too long to
#: occur anywhere else in a path.
_ID_MARKS = (2147480011, 2147480012, 2147480013)
_PATTERNS = "trigger.path_patterns"


def path_pattern(endpoint: str, *names: str):
    """``url_for`` for the rows of long lists (the case list, My actions, the dashboard), for routes whose values are
    all integer ids: ``{% set case_path = path_pattern('cases.show', 'case_id') %}`` before the loop, then
    ``case_path(row.case_id)`` gives what ``url_for('cases.show', case_id=row.case_id)`` would, formatted from a
    pattern url_for made once per endpoint. url_for costs about 15 microseconds, and the dashboard's 75 rows called
    it 150 times."""
    key = (endpoint, names, request.script_root)
    patterns = current_app.extensions.setdefault(_PATTERNS, {})
    pattern = patterns.get(key)
    if pattern is None:
        pattern = patterns[key] = _path_pattern(endpoint, names)
    if not pattern:  # a path in which a stand-in was not found exactly once: url_for every time
        return lambda *ids: url_for(endpoint, **dict(zip(names, ids)))
    if len(names) == 1:  # the lists' case: half the cost of the general form
        return lambda id_: pattern.format(int(id_))
    return lambda *ids: pattern.format(*map(int, ids))


def fill(pattern, *ids) -> str:
    """The `fill` filter: ``{{ case_path | fill(row.case_id) }}`` is ``case_path(row.case_id)`` for a path_pattern.
    A filter because Jinja calls a filter directly, and a function in ``{{ }}`` through Context.call, which costs
    about 3 microseconds more a call; the list pages make two or three such calls a row (issue 19)."""
    return pattern(*ids)


def _path_pattern(endpoint: str, names: tuple[str, ...]) -> str:
    marked = url_for(endpoint, **dict(zip(names, _ID_MARKS)))
    if "{" in marked or "}" in marked:
        return ""
    for number, mark in enumerate(_ID_MARKS[: len(names)]):
        if marked.count(str(mark)) != 1:
            return ""
        marked = marked.replace(str(mark), f"{{{number}}}")
    return marked


def pagination_numbers(page: int, pages: int) -> list[int]:
    """The page numbers a pagination shows, in order: the first, the last, and the current page's neighbours
    (the macro in templates/macros/components.html puts an ellipsis where numbers are skipped)."""
    return sorted({n for n in (1, page - 1, page, page + 1, pages) if 1 <= n <= pages})


@lru_cache(maxsize=1)
def _header_statement():
    """The organisation's name and the reader's unread notifications in one statement (every signed-in page shows
    both; two statements cost a round trip and SQLAlchemy's per-statement work more). Built once."""
    from trigger.admin.services import ORGANISATION_NAME_COLUMN
    from trigger.notifications.services import UNREAD_COUNT_COLUMN

    return select(ORGANISATION_NAME_COLUMN, UNREAD_COUNT_COLUMN)


def _header_facts() -> tuple[str | None, int | None]:
    """(organisation name, unread notifications or None when nobody is signed in)."""
    from trigger.admin.services import organisation_name
    from trigger.extensions import db

    if not current_user.is_authenticated:
        return organisation_name(), None
    name, unread = db.session.execute(_header_statement(), {"user_id": current_user.id}).one()
    return name, unread


def _nav_items(unread: int | None = None) -> list[tuple[str, str, bool]]:
    # Every signed-in page shows these links: their paths come from patterns made once (path_pattern), not from
    # url_for on every page (issue 19).
    if not current_user.is_authenticated:
        return []
    user = current_user._get_current_object()  # type: ignore[attr-defined]  # once, not through the proxy
    items = [("Home", path_pattern("main.home")())]
    from trigger.authz import DEADLINE_DASHBOARD

    if DEADLINE_DASHBOARD.allows(user):
        items.append(("Deadlines", path_pattern("deadlines.dashboard")()))
    if MY_ACTIONS.allows(user):
        items.append(("My actions", path_pattern("actions.my_actions")()))
    from trigger.authz import MY_MEETINGS

    if MY_MEETINGS.allows(user):
        items.append(("My meetings", path_pattern("meetings.my_meetings")()))
    if user.role is Role.PCC_REVIEWER:
        items.append(("Escalations", path_pattern("escalations.index")()))
    if VIEW_CASES.allows(user):
        items.append(("Cases", path_pattern("cases.index")()))
    from trigger.authz import VIEW_STATISTICS

    if VIEW_STATISTICS.allows(user):
        items.append(("Statistics", path_pattern("statistics.index")()))
    if ADMIN.allows(user):
        items.append(("Administration", path_pattern("admin.index")()))
    elif VIEW_AUDIT.allows(user):
        items.append(("Audit trail", path_pattern("admin.audit_trail")()))
    if unread is None:  # the header's statement failed (an error page): ask on its own
        from trigger.notifications.services import unread_count

        unread = unread_count(user)
    items.append((f"Notifications ({unread})", path_pattern("notifications.index")()))
    items.append(("Your account", path_pattern("auth.change_password")()))
    path = request.path
    return [(label, href, path == href or (href != "/home" and path.startswith(href))) for label, href in items]


def page_url(number: int) -> str:
    """The current page's URL with its filters kept and the page number changed (for pagination).

    What ``url_for(endpoint, **view_args, **filters, page=number)`` gives (page comes last in its query string),
    from one url_for a request: a pagination shows four to six page links."""
    environ = request.environ  # the request's own (in tests, several requests can share one app context and g)
    prefix = environ.get(_PAGE_URL_PREFIX)
    if prefix is None:
        view_args = request.view_args or {}
        # url_for reads names starting with "_" (?_method=POST, ?_external=1) as instructions, and a name that is
        # also a URL part or `endpoint` would be passed twice: such query strings are not filters, so drop them.
        args = {
            key: value
            for key, value in request.args.items()
            if key not in {"page", "endpoint", *view_args} and not key.startswith("_")
        }
        base = url_for(request.endpoint, **view_args, **args)
        prefix = environ[_PAGE_URL_PREFIX] = f"{base}{'&' if '?' in base else '?'}page="
    return f"{prefix}{int(number)}"


def static_path(filename: str) -> str:
    """``url_for('static', filename=filename)``, made once per file (and script root): every page links four."""
    key = (filename, request.script_root)
    paths = current_app.extensions.setdefault(_STATIC_PATHS, {})
    path = paths.get(key)
    if path is None:
        path = paths[key] = url_for("static", filename=filename)
    return path


_STATIC_PATHS = "trigger.static_paths"
_PAGE_URL_PREFIX = "trigger.page_url_prefix"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    # The per-row helpers of the long lists also as filters, which Jinja calls directly (see fill):
    # {{ text | tag(colour) }}, {{ rating | rag_tag(text) }}, {{ case_path | fill(case_id) }}.
    app.jinja_env.filters.update(tag=tag, rag_tag=rag_tag, fill=fill)
    app.jinja_env.filters["with_article"] = with_article  # "an ASB Case Review", "a Community Trigger"
    app.jinja_env.filters["for_the_public"] = for_the_public  # "... Integrated Care Board (NHS health services)"
    app.jinja_env.autoescape = True
    # What stands in for a restricted record on every page and document (trigger.domain.need_to_know).
    app.jinja_env.globals["restricted_action_line"] = restricted_action_line
    app.jinja_env.globals["restricted_recommendation_line"] = restricted_recommendation_line
    app.jinja_env.globals["can_read_action"] = can_read_action
    app.jinja_env.globals["can_read_recommendation"] = can_read_recommendation
    app.jinja_env.globals.update(
        tag_html=tag,
        rag_tag_html=rag_tag,
        pagination_numbers=pagination_numbers,
        path_pattern=path_pattern,
        static_path=static_path,
    )

    @app.context_processor
    def globals_for_templates():
        name, unread = None, None
        try:
            name, unread = _header_facts()
        except Exception:  # a broken database must still be able to render an error page
            from trigger.extensions import db

            db.session.rollback()
        return {"org_name": name or "Trigger", "nav_items": _nav_items(unread), "page_url": page_url}
