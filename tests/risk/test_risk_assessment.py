"""The risk and vulnerability assessment (issue 3): the questionnaire administrators edit, a coordinator's
assessment of a case with its history, and the level shown on the case and meeting pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from tests.cases_helpers import actions, make_case
from tests.conftest import build_app, login, post, text_of
from trigger.extensions import db
from trigger.models import (
    AgencyType,
    AuditEvent,
    Meeting,
    MeetingKind,
    MeetingStatus,
    RiskAssessment,
    RiskCategory,
    RiskLevel,
    RiskQuestion,
    Role,
)

QUESTIONS = [
    ("Does the victim have a disability or long-term illness?", RiskCategory.PERSONAL, 3),
    ("Is the victim isolated or living alone?", RiskCategory.SITUATIONAL, 2),
    ("Has the ASB affected the victim's physical or mental health?", RiskCategory.HEALTH, 3),
    ("Has the victim been targeted repeatedly?", RiskCategory.REPEAT, 3),
    ("Is the ASB motivated by hostility towards a protected characteristic?", RiskCategory.HATE, 3),
]


@pytest.fixture
def questions(app) -> list[RiskQuestion]:
    # Every table is emptied after each test, so the migration's default set is re-made here.
    db.session.execute(RiskQuestion.__table__.delete())
    rows = [
        RiskQuestion(text=t, category=c, weight=w, position=i, active=True)
        for i, (t, c, w) in enumerate(QUESTIONS, start=1)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.fixture
def world(app, make_user, make_agency, make_area, questions):
    area = make_area("Severn Vale")
    police = make_agency("Severn Vale Police", AgencyType.POLICE)
    case = make_case(area, police)
    return {
        "case": case,
        "police": police,
        "coordinator": make_user(Role.COORDINATOR, name="Cora Coordinator"),
        "rep": make_user(Role.AGENCY_REP, agency=police, name="PC Pat Rep"),
        "chair": make_user(Role.CHAIR, name="Charles Chair"),
    }


def answer_all(questions, yes_to: set[int], **extra) -> dict:
    data = {f"q_{q.id}": "yes" if i in yes_to else "no" for i, q in enumerate(questions)}
    data.update(extra)
    return data


def test_the_migration_seeds_a_default_questionnaire(tmp_path):
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    app = build_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT text, category, weight, active FROM risk_questions")).all()
    engine.dispose()
    texts = {row.text for row in rows}
    assert {
        "Does the victim have a disability or long-term illness?",
        "Is the victim isolated or living alone?",
        "Is the victim considering moving home because of the ASB?",
        "Is the ASB motivated by hostility towards a protected characteristic?",
    } <= texts
    assert {row.category for row in rows} == {c.value for c in RiskCategory}
    assert all(row.active and 0 < row.weight <= 10 for row in rows)


# ---- the questionnaire --------------------------------------------------------------------------------------


def test_an_administrator_adds_changes_and_deactivates_questions_audited(admin_client, questions):
    page = text_of(admin_client.get("/admin/risk-questions"))
    assert "Is the victim isolated or living alone?" in page and "Situational vulnerability" in page
    assert "12 or more is High risk" in page

    response = post(
        admin_client,
        "/admin/risk-questions/new",
        {
            "text": "Is the victim a carer for someone else?",
            "category": "situational-vulnerability",
            "weight": "2",
            "position": "",
            "active": "y",
        },
    )
    assert response.status_code == 302
    added = db.session.scalar(select(RiskQuestion).where(RiskQuestion.text.like("Is the victim a carer%")))
    assert added.position == len(QUESTIONS) + 1 and added.weight == 2

    isolated = questions[1]
    response = post(
        admin_client,
        f"/admin/risk-questions/{isolated.id}/edit",
        {"text": isolated.text, "category": "situational-vulnerability", "weight": "4", "position": "2"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(RiskQuestion, isolated.id).active
    page = text_of(admin_client.get("/admin/risk-questions"))
    assert "Inactive" in page
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "risk_question").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["risk_question.created", "risk_question.changed"]
    assert events[1].summary.startswith("Deactivated the risk question")
    assert events[1].details["changes"]["weight"] == [2, 4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "category": "hate-motivation", "weight": "1"}, "Enter the question"),
        (
            {"text": "x" * 301, "category": "hate-motivation", "weight": "1"},
            "The question must be 300 characters or fewer",
        ),
        ({"text": "New?", "category": "", "weight": "1"}, "Choose the kind of risk the question is about"),
        ({"text": "New?", "category": "hate-motivation", "weight": "11"}, "The score must be between 0 and 10"),
        ({"text": "New?", "category": "hate-motivation", "weight": ""}, "Enter the score a “yes” adds"),
        (
            {"text": "is the victim isolated or living alone?", "category": "hate-motivation", "weight": "1"},
            "There is already a question with this wording",
        ),
    ],
)
def test_bad_questions_are_refused_next_to_the_field(admin_client, questions, data, message):
    response = post(admin_client, "/admin/risk-questions/new", data)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and page.startswith("Error:") and "Error: Error:" not in page
    assert db.session.scalar(select(db.func.count()).select_from(RiskQuestion)) == len(QUESTIONS)


def test_only_administrators_edit_the_questionnaire(app, client, world):
    login(client, world["coordinator"])
    assert client.get("/admin/risk-questions").status_code == 403
    assert client.get(f"/admin/risk-questions/{world['case'].id}/edit").status_code == 403


# ---- assessing a case ---------------------------------------------------------------------------------------


def test_a_coordinator_assesses_the_case_and_the_level_is_shown_prominently(client, world, questions):
    case = world["case"]
    login(client, world["coordinator"])
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Risk level: Not assessed yet" in page and "Complete the risk assessment" in page

    form = text_of(client.get(f"/cases/{case.id}/risk"))
    assert "Personal vulnerability" in form and "Is the victim isolated or living alone?" in form
    # disability (3) + health (3) + repeat (3) + hate (3) = 12: High.
    response = post(client, f"/cases/{case.id}/risk", answer_all(questions, {0, 2, 3, 4}, notes="Very frightened."))
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "Risk assessed as High (a score of 12 out of 14)" in page
    assert "Risk level: High" in page
    assert "a score of 12 out of 14" in page and "Reassess the risk" in page
    db.session.expire_all()
    assert db.session.get(type(case), case.id).risk_level is RiskLevel.HIGH
    assessment = db.session.scalar(select(RiskAssessment))
    assert assessment.assessed_by_id == world["coordinator"].id and assessment.notes == "Very frightened."
    assert [a["yes"] for a in assessment.answers] == [True, False, True, True, True]
    assert "risk.assessed" in actions(case.id)


def test_reassessing_keeps_the_history_and_past_answers_survive_question_changes(client, world, questions):
    case = world["case"]
    login(client, world["coordinator"])
    post(client, f"/cases/{case.id}/risk", answer_all(questions, {0, 2, 3, 4}))
    questions[0].text = "Reworded disability question?"
    questions[4].active = False
    db.session.commit()

    response = post(client, f"/cases/{case.id}/risk", answer_all(questions[:4], {1}))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(case), case.id).risk_level is RiskLevel.LOW
    first, second = db.session.scalars(select(RiskAssessment).order_by(RiskAssessment.id)).all()
    assert first.level is RiskLevel.HIGH and first.answers[0]["text"] == QUESTIONS[0][0]
    assert second.level is RiskLevel.LOW and len(second.answers) == 4
    page = text_of(client.get(f"/cases/{case.id}/risk"))
    assert "Is the ASB motivated by hostility" not in page.split("Earlier assessments")[0]
    history = page.split("Earlier assessments")[1]
    assert "High (12 of 14)" in history and "Low (2 of 11)" in history
    timeline = text_of(client.get(f"/cases/{case.id}/timeline"))
    assert "Risk assessed as Low (score 2 of 11), was High" in timeline


def test_every_question_must_be_answered_and_nothing_is_saved_otherwise(client, world, questions):
    case = world["case"]
    login(client, world["coordinator"])
    data = answer_all(questions, {0})
    del data[f"q_{questions[1].id}"]
    data[f"q_{questions[2].id}"] = "maybe"
    response = post(client, f"/cases/{case.id}/risk", data)
    assert response.status_code == 400
    page = text_of(response)
    assert page.startswith("Error:")
    assert "Answer yes or no: Is the victim isolated or living alone?" in page
    assert "Not a valid choice" in page
    assert db.session.scalar(select(RiskAssessment)) is None


def test_the_meeting_page_links_to_a_reassessment_recorded_against_the_meeting(client, world, questions):
    case = world["case"]
    start = datetime.now(UTC) - timedelta(days=1)
    meeting = Meeting(
        case_id=case.id,
        kind=MeetingKind.INITIAL_REVIEW,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Council House",
        chair_id=world["chair"].id,
        status=MeetingStatus.HELD,
        ics_uid=f"{uuid.uuid4()}@test",
    )
    db.session.add(meeting)
    db.session.commit()
    login(client, world["coordinator"])
    page = client.get(f"/cases/{case.id}/meetings/{meeting.id}").get_data(as_text=True)
    link = f"/cases/{case.id}/risk?meeting_id={meeting.id}"
    assert link in page and "Review the risk assessment at this meeting" in text_of(
        client.get(f"/cases/{case.id}/meetings/{meeting.id}")
    )
    assert "This review is for the meeting on" in text_of(client.get(link))
    assert post(client, link, answer_all(questions, {1})).status_code == 302
    assert db.session.scalar(select(RiskAssessment)).meeting_id == meeting.id


def test_who_may_assess(app, client, world, make_user):
    case = world["case"]
    login(client, world["rep"])
    assert "Risk level" in text_of(client.get(f"/cases/{case.id}"))
    assert "Complete the risk assessment" not in text_of(client.get(f"/cases/{case.id}"))
    assert client.get(f"/cases/{case.id}/risk").status_code == 403
    chair = app.test_client()
    login(chair, world["chair"])
    assert chair.get(f"/cases/{case.id}/risk").status_code == 403
    coordinator = app.test_client()
    login(coordinator, world["coordinator"])
    assert coordinator.get("/cases/999999/risk").status_code == 404
