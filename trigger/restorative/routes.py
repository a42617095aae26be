"""Restorative pathway pages. Thin: load (404), check (403), parse the form, call a service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from trigger.authz import (
    PUBLIC,
    REFER_RESTORATIVE,
    RESTORATIVE_FIGURES,
    RESTORATIVE_PAGES,
    RESTORATIVE_QUESTIONS,
    allow,
    can_read_restorative_confidential,
    can_refer_restorative,
    can_view_referral,
    can_work_referral,
)
from trigger.cases.services import load_case
from trigger.deadlines.dates import london_today
from trigger.domain.restorative import LINK_REFUSALS, ParticipantRole
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.notifications.services import absolute_url
from trigger.meetings.services import chair_choices
from trigger.models import Area, Case
from trigger.models.restorative import AgreementItem, FollowUpCheck, RestorativeQuestion
from trigger.restorative import feedback as feedback_service
from trigger.restorative import forms as f
from trigger.restorative import services

bp = Blueprint("restorative", __name__)


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _referral(referral_id: int, *, work: bool = True, confidential: bool = False):
    """404 when there is no such referral, then 403 when this user may not see (or work, or read) it."""
    referral = services.load_referral(referral_id)
    if referral is None:
        abort(404)
    if not can_view_referral(current_user, referral):
        abort(403)
    if work and not can_work_referral(current_user, referral):
        abort(403)
    if confidential and not can_read_restorative_confidential(current_user, referral):
        abort(403)
    return referral, db.session.get(Case, referral.case_id)


def _people(referral, roles=None) -> list[tuple[str, str]]:
    return [("", "Choose a person")] + [
        (str(p.id), f"{p.name} ({p.role.label.lower()})")
        for p in referral.participants
        if roles is None or p.role in roles
    ]


def _step_page(
    referral, case, form, *, title: str, intro: str = "", button: str, act: Callable[[], str], hints: dict | None = None
):
    """The page of one step: show the form; on a valid post run `act` (a service call returning the message)."""
    if form.validate_on_submit():
        try:
            message = act()
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("restorative.show", referral_id=referral.id))
    return render_template(
        "restorative/step.html",
        referral=referral,
        case=case,
        form=form,
        title=title,
        intro=intro,
        button_text=button,
        hints=hints or {},
    ), _status()


# ---- referral and overview ------------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/restorative/new", methods=["GET", "POST"])
@allow(REFER_RESTORATIVE)
def new(case_id: int):
    case = load_case(case_id)
    if case is None:
        abort(404)
    if not can_refer_restorative(current_user, case):
        abort(403)
    form = f.ReferralForm()
    form.agency_id.choices = [("", "Choose the service")] + services.service_choices()
    perpetrators = services.perpetrators_of(case)
    form.perpetrator_ids.choices = [
        (str(p.id), services.perpetrator_label(p, i)) for i, p in enumerate(perpetrators, start=1)
    ]
    form.action_id.choices = [("", "No: a referral on its own")] + services.action_choices(case)
    if form.validate_on_submit():
        data = services.ReferralInput(
            agency_id=form.agency_id.data,
            reason=form.reason.data,
            include_applicant=form.include_applicant.data,
            perpetrator_ids=form.perpetrator_ids.data or [],
            other_harmed=form.other_harmed.data or "",
            neighbours=form.neighbours.data or "",
            action_id=form.action_id.data or "",
        )
        try:
            referral = services.refer(case, data, actor=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"{case.reference} has been referred to {referral.agency.name} for restorative justice. "
                "Next: tell the victim about restorative justice.",
                "success",
            )
            return redirect(url_for("restorative.show", referral_id=referral.id))
    return render_template(
        "restorative/new.html", case=case, form=form, no_service=not form.agency_id.choices[1:]
    ), _status()


@bp.route("/restorative/<int:referral_id>")
@allow(RESTORATIVE_PAGES)
def show(referral_id: int):
    referral, case = _referral(referral_id, work=False)
    confidential = can_read_restorative_confidential(current_user, referral)
    consents = services.consents_of(referral)
    return render_template(
        "restorative/show.html",
        referral=referral,
        case=case,
        summary=services.pathway_summary(referral),
        consents=consents,
        current=services.current_consents(consents),
        facilitators=services.facilitators_of(referral),
        assessments=services.assessments_of(referral),
        preparations=services.preparations_of(referral) if confidential else [],
        preparation_count=len(services.preparations_of(referral)),
        items=services.items_of(referral),
        follow_ups=services.follow_ups_of(referral),
        feedback=services.feedback_of(referral),
        meeting=services.meeting_of(referral),
        can_work=can_work_referral(current_user, referral),
        confidential=confidential,
        can_see_figures=RESTORATIVE_FIGURES.allows(current_user),
        protective_marking="OFFICIAL-SENSITIVE",
    )


# ---- the steps ----------------------------------------------------------------------------------------------------


@bp.route("/restorative/<int:referral_id>/participants", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def participant(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.ParticipantForm()
    form.perpetrator_id.choices = [("", "Choose (only for a person responsible)")] + [
        (str(p.id), services.perpetrator_label(p, i)) for i, p in enumerate(services.perpetrators_of(case), start=1)
    ]

    def act():
        services.add_participant(
            referral,
            case,
            role=form.role.data,
            name=form.name.data,
            perpetrator_id=form.perpetrator_id.data,
            supporter=form.supporter.data,
        )
        return "The person has been added to the referral."

    return _step_page(
        referral,
        case,
        form,
        title="Add a person to the referral",
        button="Add the person",
        act=act,
        hints={"name": "Not needed for a person responsible: their name comes from the case."},
    )


@bp.route("/restorative/<int:referral_id>/told", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def told(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.ToldForm()
    if request.method == "GET":
        form.told_on.data = referral.victim_told_on or london_today()

    def act():
        services.tell_victim(referral, told_on=form.told_on.data, how=form.how.data, answer=form.answer.data)
        return "Recorded that the victim was told about restorative justice."

    return _step_page(
        referral,
        case,
        form,
        title="Telling the victim about restorative justice",
        intro="Victims have a right to be told about restorative justice (the Victims' Code). The "
        "letter “Restorative justice: what it is and how to take part” can go with it.",
        button="Record it",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/assess", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def assess(referral_id: int):
    referral, case = _referral(referral_id)
    questions = services.active_questions()
    form = f.assessment_form(questions)

    def act():
        answers = {q.id: {"yes": True, "no": False}.get(getattr(form, f"q_{q.id}").data) for q in questions}
        assessment = services.assess(
            referral,
            questions,
            answers,
            suitable={"yes": True, "no": False}.get(form.suitable.data),
            reason=form.reason.data,
            actor=current_user,
        )
        return "Assessed: " + ("suitable." if assessment.suitable else "not suitable.")

    return _step_page(
        referral,
        case,
        form,
        title="Suitability and safety assessment",
        button="Save the assessment",
        intro="Assess before any contact between the parties: safety, power imbalance, whether the "
        "person responsible accepts responsibility, capacity and support needs, safeguarding.",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/consent", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def consent(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.ConsentForm()
    form.participant_id.choices = _people(referral)
    if request.method == "GET":
        form.given_on.data = london_today()

    def act():
        services.record_consent(
            referral,
            participant_id=form.participant_id.data,
            given_on=form.given_on.data,
            how=form.how.data,
            actor=current_user,
        )
        return "Consent recorded. It can be withdrawn at any time, without a reason."

    return _step_page(
        referral,
        case,
        form,
        title="Record a participant's consent",
        button="Record consent",
        intro="Ask each participant separately. Nothing proceeds on one side's consent alone.",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/withdraw", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def withdraw(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.WithdrawForm()
    form.participant_id.choices = _people(referral)
    if request.method == "GET":
        form.withdrawn_on.data = london_today()

    def act():
        flagged = services.withdraw_consent(
            referral, participant_id=form.participant_id.data, withdrawn_on=form.withdrawn_on.data, actor=current_user
        )
        return (
            "Consent withdrawn. The booked conference is flagged and the facilitators and the chair have been told."
            if flagged
            else "Consent withdrawn."
        )

    return _step_page(
        referral,
        case,
        form,
        title="Record a withdrawal of consent",
        button="Record the withdrawal",
        intro="Anyone can withdraw at any time, without giving a reason.",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/facilitators", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def facilitator(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.FacilitatorForm()
    form.user_id.choices = [("", "Choose a facilitator")] + services.facilitator_choices(referral)

    def act():
        added = services.add_facilitator(referral, form.user_id.data)
        return f"{added.user.name} is now a facilitator."

    return _step_page(
        referral,
        case,
        form,
        title="Assign a facilitator",
        button="Assign",
        intro="Usually two trained facilitators from the restorative justice service.",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/preparation", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def preparation(referral_id: int):
    referral, case = _referral(referral_id, confidential=True)
    form = f.PreparationForm()
    form.participant_id.choices = _people(referral)
    if request.method == "GET":
        form.contact_on.data = london_today()

    def act():
        services.add_preparation(
            referral,
            participant_id=form.participant_id.data,
            contact_on=form.contact_on.data,
            kind=form.kind.data,
            notes=form.notes.data,
            actor=current_user,
        )
        return "Preparation contact recorded."

    return _step_page(
        referral,
        case,
        form,
        title="Record a preparation contact",
        button="Record the contact",
        intro="Prepare with each participant separately. The notes are seen only by the restorative "
        "justice service and chairs.",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/process", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def process(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.ProcessForm()

    def act():
        services.choose_process(referral, form.kind.data)
        return f"Process chosen: {referral.process.label}."

    return _step_page(referral, case, form, title="Choose the kind of process", button="Save", act=act)


@bp.route("/restorative/<int:referral_id>/book", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def book(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.BookingForm()
    form.chair_id.choices = [("", "Choose the chair")] + chair_choices()

    def act():
        meeting = services.book_conference(
            referral,
            case,
            services.BookingInput(
                day=form.day.data,
                start=form.start.data,
                end=form.end.data,
                place=form.place.data or "",
                virtual_link=form.virtual_link.data or "",
                chair_id=form.chair_id.data,
            ),
            actor=current_user,
        )
        return (
            f"The conference is booked as a restorative conference meeting (meeting {meeting.id}). What people "
            "say in it is not recorded: only attendance and the agreement."
        )

    return _step_page(
        referral,
        case,
        form,
        title="Book the conference",
        button="Book the conference",
        act=act,
        intro="Only with the current consent of the person harmed and the person responsible.",
    )


@bp.route("/restorative/<int:referral_id>/held", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def held(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.HeldForm()
    if request.method == "GET":
        form.held_on.data = london_today()

    def act():
        checks = services.hold(referral, case, held_on=form.held_on.data)
        return (
            "Recorded. Follow-up checks are due on "
            + " and ".join(c.due_on.strftime("%-d %B %Y") for c in checks)
            + "."
        )

    return _step_page(
        referral, case, form, title="Record that the conference (or exchange) took place", button="Record it", act=act
    )


@bp.route("/restorative/<int:referral_id>/items", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def item(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.ItemForm()
    if request.method == "GET":
        responsible = [p for p in referral.participants if p.role is ParticipantRole.RESPONSIBLE]
        if len(responsible) == 1:
            form.responsible.data = responsible[0].name

    def act():
        services.add_item(
            referral,
            kind=form.kind.data,
            responsible=form.responsible.data,
            what=form.what.data,
            victim_wording=form.victim_wording.data,
            due_on=form.due_on.data,
        )
        return "Agreement item added."

    return _step_page(
        referral, case, form, title="Add an item to the outcome agreement", button="Add the item", act=act
    )


def _item(referral, item_id: int) -> AgreementItem:
    found = db.session.get(AgreementItem, item_id)
    if found is None or found.referral_id != referral.id:
        abort(404)
    return found


@bp.route("/restorative/<int:referral_id>/items/<int:item_id>", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def progress(referral_id: int, item_id: int):
    referral, case = _referral(referral_id)
    agreement_item = _item(referral, item_id)
    form = f.ProgressForm(obj=agreement_item if request.method == "GET" else None)
    if request.method == "GET":
        form.status.data = agreement_item.status.value

    def act():
        services.record_progress(referral, agreement_item, status=form.status.data, progress=form.progress.data)
        return "Progress recorded."

    return _step_page(referral, case, form, title=f"Progress: {agreement_item.what[:80]}", button="Save", act=act)


@bp.route("/restorative/<int:referral_id>/follow-ups/<int:check_id>", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def follow_up(referral_id: int, check_id: int):
    referral, case = _referral(referral_id)
    check = db.session.get(FollowUpCheck, check_id)
    if check is None or check.referral_id != referral.id:
        abort(404)
    form = f.FollowUpForm()
    if request.method == "GET":
        form.done_on.data = london_today()

    def act():
        services.complete_follow_up(
            referral, check, done_on=form.done_on.data, notes=form.notes.data, actor=current_user
        )
        return "Follow-up check recorded."

    return _step_page(
        referral,
        case,
        form,
        title=f"Follow-up check due {check.due_on.strftime('%-d %B %Y')}",
        button="Record the check",
        act=act,
    )


@bp.route("/restorative/<int:referral_id>/close", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def close(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.CloseForm()
    if request.method == "GET":
        form.closed_on.data = london_today()

    def act():
        services.close(referral, outcome=form.outcome.data, closed_on=form.closed_on.data)
        return "The restorative pathway is closed."

    return _step_page(referral, case, form, title="Close the restorative pathway", button="Close it", act=act)


# ---- feedback -------------------------------------------------------------------------------------------------


@bp.route("/restorative/<int:referral_id>/feedback-link", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def feedback_link(referral_id: int):
    referral, case = _referral(referral_id)
    form = f.FeedbackLinkForm()
    form.participant_id.choices = _people(referral)
    if form.validate_on_submit():
        try:
            _, token = feedback_service.issue_feedback_link(
                referral, participant_id=form.participant_id.data, actor=current_user
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            link = absolute_url(url_for("restorative.feedback", token=token))  # PUBLIC_URL, never the Host
            return render_template("restorative/link_issued.html", referral=referral, case=case, link=link)
    return render_template(
        "restorative/step.html",
        referral=referral,
        case=case,
        form=form,
        title="Make a feedback link",
        button_text="Make the link",
        hints={},
        intro="A single-use link, valid for 30 days, that needs no account. Send it to the "
        "participant yourself: it is shown once.",
    ), _status()


@bp.route("/restorative/<int:referral_id>/feedback-phone", methods=["GET", "POST"])
@allow(RESTORATIVE_PAGES)
def feedback_phone(referral_id: int):
    referral, case = _referral(referral_id, confidential=True)
    form = f.PhoneFeedbackForm()
    form.participant_id.choices = _people(referral)

    def act():
        feedback_service.record_phone_feedback(
            referral, participant_id=form.participant_id.data, answers=_answers(form), actor=current_user
        )
        return "Feedback recorded."

    return _step_page(
        referral, case, form, title="Record feedback given by phone", button="Record the feedback", act=act
    )


def _answers(form) -> feedback_service.Answers:
    return feedback_service.Answers(
        felt_heard=form.felt_heard.data or "",
        helped=form.helped.data or "",
        recommend=int(form.recommend.data) if (form.recommend.data or "").isdigit() else None,
        comments=form.comments.data or "",
    )


@bp.route("/restorative/feedback", methods=["GET", "POST"])
@allow(PUBLIC)
def feedback():
    token = request.args.get("token", "")
    found, state = feedback_service.feedback_for_token(token)
    if found is None:
        return render_template(
            "restorative/feedback_refused.html",
            message="This feedback link is not valid. "
            "Check you copied all of it, or contact the restorative justice service.",
        ), 404
    if state.value != "valid":
        return render_template("restorative/feedback_refused.html", message=LINK_REFUSALS[state]), 410
    form = f.FeedbackForm()
    if form.validate_on_submit():
        try:
            feedback_service.answer_by_link(token, _answers(form))
        except FieldError as error:
            attach_error(form, error)
        else:
            return render_template("restorative/feedback_thanks.html")
    return render_template("restorative/feedback.html", form=form, token=token), _status()


# ---- administrators: the suitability questions --------------------------------------------------------------


@bp.route("/admin/restorative-questions")
@allow(RESTORATIVE_QUESTIONS)
def questions():
    return render_template("restorative/questions.html", questions=services.all_questions())


@bp.route("/admin/restorative-questions/new", methods=["GET", "POST"])
@bp.route("/admin/restorative-questions/<int:question_id>/edit", methods=["GET", "POST"])
@allow(RESTORATIVE_QUESTIONS)
def edit_question(question_id: int | None = None):
    question = None
    if question_id is not None:
        question = db.session.get(RestorativeQuestion, question_id)
        if question is None:
            abort(404)
    form = f.QuestionForm(obj=question if request.method == "GET" else None)
    if request.method == "GET":
        form.concern_if_yes.data = "no" if question is not None and not question.concern_if_yes else "yes"
    if form.validate_on_submit():
        try:
            saved = services.save_question(
                question,
                text=form.text.data,
                concern_if_yes=form.concern_if_yes.data == "yes",
                position=form.position.data,
                active=form.active.data,
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                f"The question “{saved.text}” has been saved. Past assessments keep the questions they were "
                "answered against.",
                "success",
            )
            return redirect(url_for("restorative.questions"))
    return render_template("restorative/question_form.html", form=form, question=question), _status()


# ---- figures ----------------------------------------------------------------------------------------------------


@bp.route("/restorative/figures")
@allow(RESTORATIVE_FIGURES)
def figures():
    form = f.FiguresForm(request.args)
    areas = list(db.session.scalars(select(Area).order_by(Area.name)))
    form.area_id.choices = [("", "All areas")] + [(str(a.id), a.name) for a in areas]
    today = london_today()
    start = (
        form.start.data
        if form.start.data
        else date(today.year, 4, 1)
        if today.month >= 4
        else date(today.year - 1, 4, 1)
    )
    end = form.end.data if form.end.data else today
    problem = "The start must be on or before the end" if start > end else ""
    area_id = int(form.area_id.data) if (form.area_id.data or "").isdigit() else None
    counts = None if problem else services.figures(area_id, start, end)
    return render_template("restorative/figures.html", form=form, figures=counts, start=start, end=end, problem=problem)
