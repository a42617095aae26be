"""The statistics page, its CSV, the publication (CSV and one-page PDF) and `flask statistics` (issue 14).

One small partnership whose events sit on the counting rules' edges (see tests/unit/test_statistics_counting.py for the
rules themselves): what a coordinator reads on the page and in the files for financial year 2026-27, who is
refused, and the clear messages for a range the wrong way round, an unparseable date and an unknown area.

Expected figures for 1 April 2026 to 31 March 2027, counted by hand:
  Severnbury: applications 1 (case 2; case 1 came on 31 March), threshold not met 1 (case 1, decided 1 April),
              reviews 2 (case 2's first meeting, and its new meeting after an upheld escalation; the follow-up
              meeting does not count), with recommendations 1.
  Ashcombe:   applications 3 (cases 3, 4, 5), withdrawn 1 (case 4), reviews 0 (case 5's meeting is at 00:30 on
              1 April 2027 London time; a scheduled meeting is not held; a restorative
              conference is not a case review).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from tests.conftest import login, text_of
from tests.documents_helpers import pdf_text, read
from trigger.domain.deadlines import DeadlineKind
from trigger.domain.stages import Stage
from trigger.extensions import db
from trigger.models import (
    Action,
    ActionPlan,
    ActionStatus,
    AgencyType,
    AuditEvent,
    Case,
    Channel,
    DecisionOutcome,
    Escalation,
    EscalationOutcome,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlanStatus,
    Recommendation,
    Role,
    ThresholdDecision,
)
from trigger.models.deadlines import CaseDeadline

FY = {"area": "all", "period": "year", "year": "2026"}
HEADER = ["area", "applications", "threshold_not_met", "reviews", "reviews_with_recommendations"]


def _case(ref, area, received_on, **extra):
    case = Case(
        reference=ref,
        area_id=area.id,
        received_on=received_on,
        channel=Channel.PHONE,
        applicant_name="Pat Applicant",
        **extra,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _meeting(case, chair, starts_at, status=MeetingStatus.HELD, restorative=False):
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.INITIAL_REVIEW,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        place="Council House",
        chair_id=chair.id,
        status=status,
        ics_uid=f"{uuid.uuid4()}@test",
        is_restorative_conference=restorative,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world(app, make_area, make_agency, make_user):
    severnbury, ashcombe = make_area("Severnbury"), make_area("Ashcombe")
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    housing = make_agency("=1+1 Housing", AgencyType.HOUSING)  # a name that starts like a formula
    people = {role: make_user(role) for role in Role if role is not Role.AGENCY_REP}
    people[Role.AGENCY_REP] = make_user(Role.AGENCY_REP, agency=police)
    chair = people[Role.CHAIR]

    c1 = _case("ST-1", severnbury, date(2026, 3, 31))
    db.session.add(
        ThresholdDecision(
            case_id=c1.id,
            outcome=DecisionOutcome.NOT_MET,
            reasons="One report",
            decision_maker_name="Sam",
            decided_on=date(2026, 4, 1),
        )
    )
    c2 = _case("ST-2", severnbury, date(2026, 4, 1))
    db.session.add(
        ThresholdDecision(
            case_id=c2.id,
            outcome=DecisionOutcome.MET,
            reasons="Three reports",
            decision_maker_name="Sam",
            decided_on=date(2026, 4, 10),
        )
    )
    first = _meeting(c2, chair, _at(date(2026, 5, 5)))
    db.session.add(Recommendation(meeting_id=first.id, agency_id=police.id, text="Patrol the park"))
    db.session.add(
        Escalation(
            case_id=c2.id,
            escalated_from=Stage.OUTCOME_SENT,
            received_on=date(2026, 6, 1),
            outcome_letter_on=date(2026, 5, 12),
            window_working_days=20,
            window_due_on=date(2026, 6, 10),
            working_days_after_letter=13,
            ground_review_not_proper=True,
            consent_to_share=True,
            consent_on=date(2026, 6, 1),
            reviewing_body="pcc-office",
            decision_due_on=date(2026, 6, 29),
            outcome=EscalationOutcome.UPHELD,
            outcome_reasons="Not all agencies attended",
            points_to_reconsider="Invite housing",
            decided_on=date(2026, 6, 20),
            reopened_stage=Stage.REVIEW_SCHEDULED,
        )
    )
    _meeting(c2, chair, _at(date(2026, 7, 1)))  # the new review after the upheld escalation
    _meeting(c2, chair, _at(date(2026, 8, 1)))  # a follow-up: not a review
    c3 = _case("ST-3", ashcombe, date(2027, 3, 31))
    _meeting(c3, chair, _at(date(2026, 12, 1)), status=MeetingStatus.SCHEDULED)
    c4 = _case(
        "ST-4",
        ashcombe,
        date(2026, 5, 1),
        stage=Stage.CLOSED,
        closure_reason="Withdrawn by the applicant",
        closed_on=date(2026, 5, 5),
        applicant_told_on=date(2026, 5, 5),
    )
    c5 = _case("ST-5", ashcombe, date(2026, 6, 1))
    _meeting(c5, chair, _at(date(2027, 3, 31), 23, 30))  # 00:30 on 1 April 2027 in London: next year
    _meeting(c5, chair, _at(date(2026, 9, 1)), restorative=True)  # a restorative conference is not a review

    db.session.add_all(
        [
            CaseDeadline(
                case_id=c2.id,
                kind=DeadlineKind.ACKNOWLEDGE,
                anchor_on=date(2026, 4, 1),
                due_on=date(2026, 4, 9),
                original_due_on=date(2026, 4, 9),
                met_on=date(2026, 4, 9),
            ),
            CaseDeadline(
                case_id=c4.id,
                kind=DeadlineKind.ACKNOWLEDGE,
                anchor_on=date(2026, 5, 1),
                due_on=date(2026, 5, 11),
                original_due_on=date(2026, 5, 11),
                met_on=date(2026, 5, 13),
            ),
        ]
    )
    plan = ActionPlan(case_id=c2.id, status=PlanStatus.LIVE)
    db.session.add(plan)
    db.session.flush()
    for agency, due, done in (
        (police, date(2026, 6, 1), date(2026, 5, 30)),
        (housing, date(2026, 6, 1), date(2026, 6, 3)),
    ):
        db.session.add(
            Action(
                plan_id=plan.id,
                description="Do it",
                owner_agency_id=agency.id,
                due_on=due,
                original_due_on=due,
                status=ActionStatus.COMPLETED,
                completed_on=done,
            )
        )
    db.session.commit()
    return {"people": people, "severnbury": severnbury, "ashcombe": ashcombe}


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, text_of(response)[:500]
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "no byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:], newline="")))


def test_the_page_shows_the_four_figures_per_area_timeliness_escalations_and_actions(app, world):
    client = signed_in(app, world["people"][Role.COORDINATOR])
    page = client.get("/statistics", query_string=FY)
    text = text_of(page)
    assert page.status_code == 200
    assert "All areas: Financial year 2026-27 (1 April 2026 to 31 March 2027)" in text
    # Area, applications, not met, reviews, with recommendations, withdrawn - areas by name, then all areas.
    assert "Ashcombe 3 0 0 0 1" in text
    assert "Severnbury 1 1 2 1 0" in text
    assert "All areas 4 1 2 1 1" in text
    # Timeliness: two acknowledgements met, one on time (50%), in 4 working days (1 to 9 April 2026, Easter in
    # between) and 7 (1 to 13 May, with the early May bank holiday): a median of 5.5.
    assert "Acknowledge the application 2 1 50% 5.5 0" in text
    assert "Requests received 1" in text and "Upheld (referred back) 1" in text and "Decided on time 1 (100%)" in text
    assert "=1+1 Housing 1 0 0%" in text and "Severn Vale Police 1 1 100%" in text
    # The counting rules are on the page; the charts are SVG with a text alternative and their figures printed.
    assert "counts once, on the date of its first decision that the threshold was not met" in text
    html = page.get_data(as_text=True)
    assert html.count('role="img"') >= 3 and "<desc" in html
    assert "Applications: 4; Threshold not met: 1; Reviews carried out: 2; Reviews with recommendations: 1" in html
    assert '<a class="govuk-service-navigation__link" href="/statistics"' in html


def test_one_area_and_a_date_range(app, world):
    client = signed_in(app, world["people"][Role.CHAIR])
    page = client.get(
        "/statistics",
        query_string={
            "area": world["severnbury"].id,
            "period": "range",
            "from-day": "1",
            "from-month": "4",
            "from-year": "2026",
            "to-day": "30",
            "to-month": "6",
            "to-year": "2026",
        },
    )
    text = text_of(page)
    assert "Severnbury: 1 April 2026 to 30 June 2026" in text
    assert "Severnbury 1 1 1 1 0" in text  # the July review is outside the range
    assert "Ashcombe" not in text.split("The statutory figures")[1].split("How each figure")[0]
    # The download links carry the same selection.
    link = re.search(r'href="(/statistics/publication\.csv\?[^"]+)"', page.get_data(as_text=True)).group(1)
    assert csv_rows(client.get(unescape(link))) == [
        HEADER,
        ["Severnbury", "1", "1", "1", "1"],
        ["All areas", "1", "1", "1", "1"],
    ]


def test_the_csv_export_has_every_figure_escaped_and_is_audited(app, world):
    client = signed_in(app, world["people"][Role.VIEWER])
    rows = csv_rows(client.get("/statistics/export.csv", query_string=FY))
    assert rows[0] == ["section", "area", "measure", "value"]
    assert ["statutory figures", "All areas", "reviews carried out", "2"] in rows
    assert ["statutory figures", "Ashcombe", "withdrawn or closed before a decision", "1"] in rows
    assert ["timeliness", "All areas", "Acknowledge the application: median working days", "5.5"] in rows
    assert ["escalations", "All areas", "upheld", "1"] in rows
    assert ["actions", "'=1+1 Housing", "completed on time", "0"] in rows
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.statistics"))
    assert event is not None and event.details["from"] == "2026-04-01" and event.details["area"] == "All areas"


def test_the_publication_csv_has_the_exact_header_one_row_per_area_then_all_areas(app, world):
    client = signed_in(app, world["people"][Role.PCC_REVIEWER])
    rows = csv_rows(client.get("/statistics/publication.csv", query_string=FY))
    assert rows == [
        HEADER,
        ["Ashcombe", "3", "0", "0", "0"],
        ["Severnbury", "1", "1", "2", "1"],
        ["All areas", "4", "1", "2", "1"],
    ]
    assert db.session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "export.statistics_publication")
    ).endswith("as CSV")


def test_the_publication_pdf_is_one_page_with_the_figures_and_the_counting_rules(app, world, org):
    client = signed_in(app, world["people"][Role.ADMIN])
    response = client.get("/statistics/publication.pdf", query_string=FY)
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert len(read(response.data).pages) == 1
    text = pdf_text(response.data)
    assert "Test Vale Partnership" in text and "OFFICIAL" in text and "Page 1 of 1" in text
    assert "Ashcombe 3 0 0 0" in text and "Severnbury 1 1 2 1" in text and "All areas 4 1 2 1" in text
    assert "How each figure is counted" in text and "Each application counts once, on the date it was received" in text
    assert db.session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "export.statistics_publication")
    ).endswith("as PDF")


URLS = ["/statistics", "/statistics/export.csv", "/statistics/publication.csv"]


def test_agency_representatives_are_refused_and_not_shown_the_link(app, world):
    client = signed_in(app, world["people"][Role.AGENCY_REP])
    for url in URLS + ["/statistics/publication.pdf"]:
        assert client.get(url, query_string=FY).status_code == 403, url
    assert 'href="/statistics"' not in client.get("/home").get_data(as_text=True)
    assert app.test_client().get("/statistics").status_code == 302  # signed out: to the sign-in page
    for role in (Role.ADMIN, Role.COORDINATOR, Role.CHAIR, Role.VIEWER, Role.PCC_REVIEWER):
        assert signed_in(app, world["people"][role]).get("/statistics").status_code == 200, role


@pytest.mark.parametrize(
    "args, message",
    [
        (
            {
                "period": "range",
                "from-day": "31",
                "from-month": "3",
                "from-year": "2027",
                "to-day": "1",
                "to-month": "4",
                "to-year": "2026",
            },
            "The end date must be the same as or after the start date",
        ),
        (
            {
                "period": "range",
                "from-day": "31",
                "from-month": "2",
                "from-year": "2026",
                "to-day": "1",
                "to-month": "4",
                "to-year": "2026",
            },
            "The start date must be a real date",
        ),
        ({"period": "range", "from-day": "1", "from-month": "4", "from-year": "2026"}, "Enter the end date"),
        (
            {
                "period": "range",
                "from-day": "1",
                "from-month": "4",
                "from-year": "1990",
                "to-day": "1",
                "to-month": "4",
                "to-year": "2026",
            },
            "The date range must be 10 years or shorter",
        ),
        ({"area": "9999"}, "Choose an area from the list"),
        ({"area": "Severnbury'--"}, "Choose an area from the list"),
        ({"year": "next"}, "Choose a financial year from the list"),
    ],
)
def test_bad_input_gets_a_clear_message_on_the_form_never_a_500(app, world, args, message):
    client = signed_in(app, world["people"][Role.COORDINATOR])
    for url in URLS:
        page = client.get(url, query_string=args)
        assert page.status_code == 400, url
        text = text_of(page)
        assert "There is a problem" in text and message in text, url
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("export.statistics%"))) is None


def test_the_command_line_prints_the_publication_csv(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["statistics", "--from", "2026-04-01", "--to", "2027-03-31", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        ",".join(HEADER),
        "Ashcombe,3,0,0,0",
        "Severnbury,1,1,2,1",
        "All areas,4,1,2,1",
    ]
    result = runner.invoke(args=["statistics", "--from", "2026-04-01", "--to", "2027-03-31", "--area", "ashcombe "])
    assert result.output.splitlines() == [",".join(HEADER), "Ashcombe,3,0,0,0", "All areas,3,0,0,0"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-04-31", "--to", "2027-03-31"], "is not a date: write it as YYYY-MM-DD"),
        (["--from", "2027-03-31", "--to", "2026-04-01"], "The end date must be the same as or after the start date"),
        (["--from", "2026-04-01", "--to", "2027-03-31", "--area", "Atlantis"], "There is no area called “Atlantis”"),
        (["--from", "2026-04-01", "--to", "2027-03-31", "--format", "xlsx"], "Invalid value for '--format'"),
    ],
)
def test_the_command_line_refuses_bad_dates_and_unknown_areas(app, world, args, message):
    result = app.test_cli_runner().invoke(args=["statistics", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "area,applications" not in result.output


@pytest.mark.parametrize(
    "utc, london_day",
    [
        (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), date(2026, 12, 1)),  # GMT: the same day
        (datetime(2026, 6, 30, 23, 0, tzinfo=UTC), date(2026, 7, 1)),  # BST: midnight in London
        (datetime(2026, 6, 30, 22, 59, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), date(2027, 3, 28)),  # the night the clocks go forward
    ],
)
def test_a_meeting_is_counted_on_its_day_in_london(utc, london_day):
    from trigger.statistics.services import _london_day

    assert _london_day(utc) == london_day


def test_the_restorative_pathway_s_figures_sit_beside_the_statutory_ones(app, world, make_agency):
    from trigger.models import Case
    from trigger.restorative.services import ReferralInput, refer

    service = make_agency("Restorative Severn", AgencyType.RESTORATIVE_JUSTICE)
    coordinator = world["people"][Role.COORDINATOR]
    case = db.session.scalar(db.select(Case).where(Case.reference == "ST-2"))
    refer(
        case,
        ReferralInput(
            agency_id=str(service.id),
            reason="Neighbour dispute that both sides want ended",
            referred_on=date(2026, 6, 3),
        ),
        actor=coordinator,
    )
    db.session.commit()
    text = text_of(signed_in(app, coordinator).get("/statistics", query_string=FY))
    assert "Restorative justice" in text and "Referrals 1" in text and "Agreements reached 0" in text
    later = text_of(signed_in(app, coordinator).get("/statistics", query_string={**FY, "year": "2027"}))
    assert "Referrals 0" in later  # counted by the date it was made
