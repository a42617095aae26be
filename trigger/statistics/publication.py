"""The publication: the four statutory figures per area on one A4 page, through the documents engine.

Rendered from templates/pdf/statistics-publication.html (which extends the letterhead layout of every document:
organisation, date, page X of Y, protective marking) with the app's Jinja environment and no request context, so
the CLI could produce it too. OFFICIAL: aggregate figures with no personal data, meant for a council website.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from trigger.documents.contexts import lines, long_date, process_name
from trigger.domain.statistics import COUNTING_RULES
from trigger.extensions import db
from trigger.models import Area, Organisation
from trigger.pdf import render_pdf
from trigger.statistics import services

TEMPLATE = "pdf/statistics-publication.html"
TIMEOUT_S = 20
MAX_PAGES = 1  # the publication is one page; more areas than fit would be refused, not spilled over


def prepare(period, area: Area | None, *, today: date) -> tuple[str, str]:
    """(HTML, title) of the publication."""
    rows, total = services.statutory_figures(period, area)
    org = db.session.get(Organisation, 1)
    title = f"{process_name(org)} statistics: {period.label}"
    html = current_app.jinja_env.get_template(TEMPLATE).render(
        title=title,
        lang="en",
        org_name=org.name if org else "",
        org_address=lines(org.address) if org else [],
        logo_data_uri=None,
        marking="OFFICIAL",
        draft=False,
        large_print=False,
        generated_on=today,
        case_ref=f"Published statistics {period.start.isoformat()} to {period.end.isoformat()}",
        period=period,
        scope=area.name if area is not None else "All areas",
        rows=rows,
        total=total,
        rules=COUNTING_RULES[:4],
        long_date=long_date,
    )
    return html, title


def render(period, area: Area | None, *, today: date) -> bytes:
    html, title = prepare(period, area, today=today)
    return render_pdf(html, title=title, lang="en", timeout_s=TIMEOUT_S, max_pages=MAX_PAGES)
