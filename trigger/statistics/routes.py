"""The statistics page, its CSV export and the publication (CSV and one-page PDF). Thin: parse, call, render.

All four read the same selection from the query string (GET: asking for figures changes nothing, so there is no
form to protect from cross-site posting). Bad input re-shows the page with a GOV.UK error summary (400), never a
500. Every download is audited like the other exports (trigger.exports).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from trigger import audit
from trigger.authz import VIEW_STATISTICS, allow
from trigger.deadlines.dates import london_today
from trigger.domain.statistics import COUNTING_RULES, PUBLICATION_HEADER
from trigger.exports.services import csv_text, filename
from trigger.restorative.figures import figures as restorative_figures
from trigger.pdf import PdfRenderError
from trigger.statistics import publication, selection as selections, services

bp = Blueprint("statistics", __name__)


def _page(selection, report=None, status=200, problem=None):
    today = london_today()
    restorative = None
    if report is not None:  # the restorative pathway's figures, beside the statutory ones (DOMAIN.md 7a)
        restorative = restorative_figures(
            selection.area.id if selection.area is not None else None, selection.period.start, selection.period.end
        )
    return render_template(
        "statistics/index.html",
        selection=selection,
        report=report,
        areas=services.all_areas(),
        years=services.years_offered(today),
        rules=COUNTING_RULES,
        kind_label=services.kind_label,
        problem=problem,
        restorative=restorative,
    ), status


def _csv(name: str, header: list[str], rows: list[list[object]]) -> Response:
    response = Response("".join(csv_text(header, rows)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _selection():
    return selections.from_args(request.args, london_today())


def _described(selection) -> dict:
    return {
        "from": selection.period.start.isoformat(),
        "to": selection.period.end.isoformat(),
        "area": selection.area.name if selection.area is not None else "All areas",
    }


@bp.route("/statistics")
@allow(VIEW_STATISTICS)
def index():
    selection = _selection()
    if not selection.ok:
        return _page(selection, status=400)
    return _page(selection, services.build_report(selection.period, selection.area))


@bp.route("/statistics/export.csv")
@allow(VIEW_STATISTICS)
def export_csv():
    selection = _selection()
    if not selection.ok:
        return _page(selection, status=400)
    report = services.build_report(selection.period, selection.area)
    audit.record(
        "export.statistics",
        "statistics",
        None,
        f"Exported the statistics ({report.period.label}, {report.scope_label}) as CSV",
        _described(selection),
    )
    return _csv(filename("statistics", on=london_today()), services.REPORT_HEADER, services.report_rows(report))


@bp.route("/statistics/publication.csv")
@allow(VIEW_STATISTICS)
def publication_csv():
    selection = _selection()
    if not selection.ok:
        return _page(selection, status=400)
    rows, total = services.statutory_figures(selection.period, selection.area)
    audit.record(
        "export.statistics_publication",
        "statistics",
        None,
        f"Exported the published figures ({selection.period.label}) as CSV",
        _described(selection),
    )
    return _csv(
        filename("published-figures", on=london_today()), PUBLICATION_HEADER, services.publication_rows(rows, total)
    )


@bp.route("/statistics/publication.pdf")
@allow(VIEW_STATISTICS)
def publication_pdf():
    selection = _selection()
    if not selection.ok:
        return _page(selection, status=400)
    try:
        pdf = publication.render(selection.period, selection.area, today=london_today())
    except PdfRenderError as error:
        return _page(
            selection,
            services.build_report(selection.period, selection.area),
            status=503,
            problem=f"The PDF could not be made: {error}. The CSV has the same figures.",
        )
    audit.record(
        "export.statistics_publication",
        "statistics",
        None,
        f"Exported the published figures ({selection.period.label}) as PDF",
        _described(selection),
    )
    response = Response(pdf, content_type="application/pdf")
    name = filename("published-figures", on=london_today()).removesuffix(".csv") + ".pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
