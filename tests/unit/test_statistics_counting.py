"""The statutory figures and timeliness, counted by trigger.domain.statistics against hand-counted fixtures.

One small made-up partnership (areas 1 and 2) whose events sit on the edges the counting rules must get right:
the first and last day of a financial year, an application received in March and decided in April, a withdrawn
application, a "not met" reconsidered after an escalation, follow-up meetings, and a case reopened after an
upheld escalation (with and without a new meeting).
"""

from __future__ import annotations

from datetime import date

import pytest

from trigger.domain.charts import bar_chart
from trigger.domain.statistics import (
    ActionRow,
    Application,
    Closure,
    DeadlineRow,
    Decision,
    EscalationRow,
    HeldMeeting,
    Period,
    PeriodError,
    Referral,
    actions_by_agency,
    escalation_figures,
    financial_year,
    financial_year_of,
    parse_date_parts,
    percent,
    statutory_figures,
    timeliness,
)

FY2025 = financial_year(2025)  # 1 April 2025 to 31 March 2026
FY2026 = financial_year(2026)  # 1 April 2026 to 31 March 2027

APPLICATIONS = [
    Application(1, 1, date(2026, 3, 31)),  # last day of FY2025
    Application(2, 1, date(2026, 4, 1)),  # first day of FY2026
    Application(3, 2, date(2027, 3, 31)),  # last day of FY2026
    Application(4, 2, date(2027, 4, 1)),  # FY2027
    Application(5, 1, date(2026, 5, 1)),  # withdrawn before a decision
    Application(6, 2, date(2026, 3, 20)),  # received in March, decided "not met" in April
    Application(7, 1, date(2026, 4, 20)),  # not met, escalated, not met again
    Application(8, 1, date(2026, 3, 1)),  # not met in FY2025 and again in FY2026
]
DECISIONS = [
    Decision(6, 2, date(2026, 4, 2), not_met=True),
    Decision(7, 1, date(2026, 5, 1), not_met=True),
    Decision(7, 1, date(2026, 7, 1), not_met=True),  # the reconsideration: not counted again
    Decision(8, 1, date(2026, 3, 15), not_met=True),
    Decision(8, 1, date(2026, 6, 1), not_met=True),  # a repeat: the case was counted in FY2025
    Decision(2, 1, date(2026, 4, 10), not_met=False),  # met: never counted as not met
]
CLOSURES = [
    Closure(5, 1, date(2026, 5, 10), decided=False),  # withdrawn
    Closure(6, 2, date(2026, 6, 1), decided=True),  # closed after "not met": not withdrawn
]
MEETINGS = [
    # case 9: a review with recommendations, then a follow-up meeting (not a second review)
    HeldMeeting(9, 1, 91, date(2026, 6, 1), has_recommendations=True),
    HeldMeeting(9, 1, 92, date(2026, 9, 1), has_recommendations=True),
    # case 10: reviewed in FY2025; its follow-up in FY2026 is not a review
    HeldMeeting(10, 2, 101, date(2026, 3, 30), has_recommendations=True),
    HeldMeeting(10, 2, 102, date(2026, 5, 1), has_recommendations=False),
    # case 11: reviewed, escalation upheld on 15 June, a new meeting held: a second review
    HeldMeeting(11, 1, 111, date(2026, 5, 1), has_recommendations=False),
    HeldMeeting(11, 1, 112, date(2026, 7, 20), has_recommendations=True),
    HeldMeeting(11, 1, 113, date(2026, 8, 20), has_recommendations=True),  # follow-up after the new review
    # case 12: reviewed, escalation upheld, no new meeting yet: one review only
    HeldMeeting(12, 2, 121, date(2027, 3, 31), has_recommendations=False),  # last day of the year counts
]
REFERRALS = [Referral(11, date(2026, 6, 15)), Referral(12, date(2026, 8, 1))]


def figures(period):
    return statutory_figures(period, [1, 2], APPLICATIONS, DECISIONS, MEETINGS, REFERRALS, CLOSURES)


def test_applications_count_by_the_date_received_including_the_first_and_last_day_of_the_year():
    per_area, total = figures(FY2026)
    assert (per_area[1].applications, per_area[2].applications) == (3, 1)  # cases 2, 5, 7 and case 3
    assert total.applications == 4


def test_march_application_decided_in_april_counts_as_received_in_march_and_not_met_in_april():
    before, before_total = figures(FY2025)
    after, after_total = figures(FY2026)
    assert before[2].applications == 1 and before[2].threshold_not_met == 0  # case 6 received 20 March
    assert after[2].applications == 1 and after[2].threshold_not_met == 1  # case 3 received; case 6 not met
    assert before_total.applications == 3  # cases 1, 6, 8


def test_a_case_counts_once_as_not_met_on_its_first_not_met_decision():
    per_area, total = figures(FY2026)
    assert per_area[1].threshold_not_met == 1  # case 7 (in May); its July repeat and case 8's repeat are not
    assert total.threshold_not_met == 2
    assert figures(FY2025)[0][1].threshold_not_met == 1  # case 8, March 2026


def test_a_withdrawn_application_counts_as_received_and_as_withdrawn_but_never_as_not_met():
    per_area, total = figures(FY2026)
    assert per_area[1].withdrawn == 1 and per_area[2].withdrawn == 0
    assert total.withdrawn == 1


def test_reviews_are_first_meetings_held_and_new_meetings_after_an_upheld_escalation():
    per_area, total = figures(FY2026)
    # area 1: case 9 (June, with recommendations), case 11 twice (May without, July with)
    assert (per_area[1].reviews, per_area[1].reviews_with_recommendations) == (3, 2)
    # area 2: case 12 on 31 March 2027 (without); case 10's follow-up is not a review
    assert (per_area[2].reviews, per_area[2].reviews_with_recommendations) == (1, 0)
    assert (total.reviews, total.reviews_with_recommendations) == (4, 2)
    assert figures(FY2025)[0][2].reviews == 1  # case 10, 30 March 2026


def test_figures_of_consecutive_periods_add_up():
    first_half = Period(date(2026, 4, 1), date(2026, 9, 30))
    second_half = Period(date(2026, 10, 1), date(2027, 3, 31))
    whole = figures(FY2026)[1]
    a, b = figures(first_half)[1], figures(second_half)[1]
    for name in ("applications", "threshold_not_met", "reviews", "reviews_with_recommendations", "withdrawn"):
        assert getattr(a, name) + getattr(b, name) == getattr(whole, name), name


def test_an_area_with_nothing_is_listed_with_zeros():
    per_area, total = statutory_figures(FY2026, [1, 2, 3], APPLICATIONS)
    assert per_area[3].publication_row("Quietshire") == ["Quietshire", 0, 0, 0, 0]


def test_timeliness_counts_deadlines_met_in_the_period_with_percent_and_median():
    rows = [
        DeadlineRow("acknowledge", date(2026, 4, 8), date(2026, 4, 8), 5),  # on the due date: on time
        DeadlineRow("acknowledge", date(2026, 4, 8), date(2026, 4, 9), 6),  # a day late
        DeadlineRow("acknowledge", date(2026, 5, 8), date(2026, 5, 1), 2),
        DeadlineRow("acknowledge", None, date(2026, 5, 1), None),  # due date unknown: not measured
        DeadlineRow("acknowledge", date(2026, 3, 8), date(2026, 3, 31), 20),  # met in the previous year
        DeadlineRow("meeting", date(2026, 6, 1), date(2026, 6, 10), 27),
    ]
    acknowledge, meeting, outcome = timeliness(rows, FY2026, ["acknowledge", "meeting", "outcome"])
    assert (acknowledge.met, acknowledge.on_time, acknowledge.not_measured) == (4, 2, 1)
    assert acknowledge.percent_on_time == 67  # 2 of the 3 measured
    assert acknowledge.median_working_days == 5
    assert (meeting.met, meeting.on_time, meeting.percent_on_time, meeting.median_working_days) == (1, 0, 0, 27)
    assert (outcome.met, outcome.percent_on_time, outcome.median_working_days) == (0, None, None)


def test_median_of_an_even_count_is_halfway():
    rows = [DeadlineRow("outcome", date(2026, 6, 1), date(2026, 5, 1), n) for n in (3, 4)]
    assert timeliness(rows, FY2026, ["outcome"])[0].median_working_days == 3.5


def test_escalations_received_and_decided_are_counted_by_their_own_dates():
    rows = [
        EscalationRow(date(2026, 3, 20), False, date(2026, 4, 20), date(2026, 4, 10), upheld=True),
        EscalationRow(date(2026, 5, 1), True, date(2026, 5, 29), date(2026, 6, 5), upheld=False),  # decided late
        EscalationRow(date(2027, 3, 1), False, date(2027, 3, 29), None, upheld=None),  # undecided
    ]
    e = escalation_figures(rows, FY2026)
    assert (e.received, e.received_late, e.decided, e.upheld, e.not_upheld) == (2, 1, 2, 1, 1)
    assert (e.decided_on_time, e.percent_on_time) == (1, 50)


def test_actions_completed_on_time_by_agency():
    rows = [
        ActionRow("Police", date(2026, 5, 1), date(2026, 5, 1)),
        ActionRow("Police", date(2026, 5, 1), date(2026, 5, 2)),
        ActionRow("police", date(2026, 5, 1), date(2026, 4, 1)),
        ActionRow("Council", date(2026, 5, 1), date(2026, 3, 1)),  # completed before the period
    ]
    lines = actions_by_agency(rows, FY2026)
    assert [(l.agency, l.completed, l.on_time, l.percent_on_time) for l in lines] == [
        ("Police", 2, 1, 50),
        ("police", 1, 1, 100),
    ]


@pytest.mark.parametrize("part, whole, expected", [(0, 0, None), (1, 3, 33), (2, 3, 67), (1, 2, 50), (1, 8, 13)])
def test_percent_rounds_half_up_and_never_divides_by_zero(part, whole, expected):
    assert percent(part, whole) == expected


def test_financial_years_run_april_to_march():
    assert (FY2026.start, FY2026.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert financial_year_of(date(2027, 3, 31)) == 2026 and financial_year_of(date(2026, 4, 1)) == 2026
    assert FY2026.label == "Financial year 2026-27 (1 April 2026 to 31 March 2027)"
    assert Period(date(2026, 5, 1), date(2026, 5, 31)).label == "1 May 2026 to 31 May 2026"


def test_a_range_the_wrong_way_round_is_refused_with_a_message():
    with pytest.raises(PeriodError, match="end date must be the same as or after the start date"):
        Period(date(2027, 3, 31), date(2026, 4, 1))


@pytest.mark.parametrize(
    "parts, message",
    [
        (("", "", ""), "Enter the start date"),
        (("1", "", "2026"), "must include a month"),
        (("31", "2", "2026"), "must be a real date"),
        (("1", "April", "2026"), "must be a real date"),
        (("1", "4", "26"), "year must include 4 numbers"),
    ],
)
def test_unparseable_dates_get_gov_uk_messages(parts, message):
    with pytest.raises(PeriodError, match=message):
        parse_date_parts("from-day", "start date", *parts)
    assert parse_date_parts("from-day", "start date", " 1", "4 ", "2026") == date(2026, 4, 1)


def test_a_bar_chart_prints_every_value_and_describes_itself():
    chart = bar_chart("Deadlines met on time", [("Acknowledge", 50), ("Meeting", 100), ("Outcome", None)], unit="%")
    assert [(b.shown, b.width) for b in chart.bars] == [("50%", 0.5), ("100%", 1.0), ("none", 0)]
    assert chart.description == "Deadlines met on time. Acknowledge: 50%; Meeting: 100%; Outcome: none."
