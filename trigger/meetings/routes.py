"""Meeting pages: scheduling, the attendee list, answering an invitation, attendance, the victim's
participation, minutes, recommendations, approval and the agenda template. Thin: the rules are in services.

Every page loads the case and the meeting (404), then checks access (403). Meeting pages carry the
OFFICIAL-SENSITIVE marking: minutes are agency-only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from trigger.authz import (
    ADMIN,
    APPROVE_MINUTES,
    EDIT_MINUTES,
    MANAGE_MEETINGS,
    MY_MEETINGS,
    PUBLIC,
    RECORD_RESPONSES,
    VIEW_CASES,
    allow,
    can_answer_invitation,
    can_approve_minutes,
    can_edit_minutes,
    can_manage_case,
    can_manage_plan,
    can_record_response,
    can_view_case,
    can_view_meeting,
    visible_meetings,
)
from trigger.extensions import db
from trigger.forms import FieldError, attach_error
from trigger.meetings import services
from trigger.meetings.forms import (
    AgendaForm,
    CancelForm,
    ConfirmForm,
    InviteForm,
    MeetingForm,
    PersonForm,
    RecommendationForm,
    RecommendationResponseForm,
    RecommendationSharingForm,
    ResponseForm,
    TookPartForm,
    VictimForm,
    attendance_form,
    minutes_form,
)
from trigger.models import Attendee, AttendeeKind, Case, MeetingKind, MinuteItem
from trigger.restorative.services import consent_withdrawn_for

bp = Blueprint("meetings", __name__)

MARKING = "OFFICIAL-SENSITIVE"


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    return case


def _visible_case(case_id: int) -> Case:
    case = _case_or_404(case_id)
    if not can_view_case(current_user, case):
        abort(403)
    return case


def _managed_case(case_id: int) -> Case:
    case = _case_or_404(case_id)
    if not can_manage_case(current_user, case):
        abort(403)
    return case


def _meeting(case_id: int, meeting_id: int, check=can_view_meeting, *, attendees: bool = True):
    """The case and meeting (404 for either, or for a meeting of another case), then the access check (403).
    ``attendees=False``: a page that shows no attendee list does not load it (services.load_meeting)."""
    case = _case_or_404(case_id)
    meeting = services.load_meeting(meeting_id, attendees=attendees)
    if meeting is None or meeting.case_id != case.id:
        abort(404)
    if not check(current_user, meeting):
        abort(403)
    return case, meeting


def _manage(user, meeting) -> bool:
    return can_manage_case(user, db.session.get(Case, meeting.case_id))


def _render(template: str, status: int = 200, **context):
    return render_template(template, protective_marking=MARKING, **context), status


def _details(form: MeetingForm) -> services.MeetingDetails:
    return services.MeetingDetails(
        kind=form.kind.data,
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        place=form.place.data,
        virtual_link=form.virtual_link.data,
        chair_id=form.chair_id.data,
        is_restorative_conference=form.is_restorative_conference.data,
        recorded_after_the_fact=form.recorded_after_the_fact.data,
    )


# ---- the case's meetings, scheduling ----------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/meetings")
@allow(VIEW_CASES)
def index(case_id: int):
    case = _visible_case(case_id)
    meetings = visible_meetings(current_user, case, services.meetings_of(case))
    return _render(
        "meetings/index.html", case=case, meetings=meetings, can_schedule=can_manage_case(current_user, case)
    )


@bp.route("/cases/<int:case_id>/meetings/new", methods=["GET", "POST"])
@allow(MANAGE_MEETINGS)
def new(case_id: int):
    case = _managed_case(case_id)
    form = MeetingForm()
    form.chair_id.choices = services.chair_choices()
    if request.method == "GET":
        form.kind.data = MeetingKind.INITIAL_REVIEW.value
    if form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(case, _details(form), actor=current_user)
        except FieldError as error:
            attach_error(form, error)
        else:
            if meeting.recorded_after_the_fact:
                flash(
                    "The meeting has been recorded as one that already happened. No invitations were sent.", "success"
                )
            else:
                flash("The meeting has been scheduled. Now choose who to invite.", "success")
            return redirect(url_for("meetings.attendees", case_id=case.id, meeting_id=meeting.id))
    return _render("meetings/form.html", 400 if request.method == "POST" else 200, case=case, form=form, meeting=None)


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>")
@allow(VIEW_CASES)
def show(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id)
    return _render(
        "meetings/show.html",
        case=case,
        meeting=meeting,
        when=services.when_text(meeting),
        can_manage=_manage(current_user, meeting),
        can_edit=can_edit_minutes(current_user, meeting),
        can_approve=can_approve_minutes(current_user, meeting),
        approved=services.is_approved(meeting),
        can_record_response=can_record_response(current_user, meeting),
        started=services.has_started(meeting),
        consent_withdrawn=meeting.is_restorative_conference and consent_withdrawn_for(meeting),
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@allow(MANAGE_MEETINGS)
def edit(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, _manage)
    form = MeetingForm()
    form.chair_id.choices = services.chair_choices()
    if request.method == "GET":
        start, end = services.local(meeting.starts_at), services.local(meeting.ends_at)
        form.kind.data, form.day.data = meeting.kind.value, start.date()
        form.start.data, form.end.data = start.time(), end.time()
        form.place.data, form.virtual_link.data = meeting.place, meeting.virtual_link
        form.chair_id.data = str(meeting.chair_id)
        form.is_restorative_conference.data = meeting.is_restorative_conference
        form.recorded_after_the_fact.data = meeting.recorded_after_the_fact
    if form.validate_on_submit():
        was_recorded = meeting.recorded_after_the_fact
        try:
            changed = services.reschedule_meeting(meeting, case, _details(form))
        except FieldError as error:
            attach_error(form, error)
        else:
            if not changed:
                flash("Nothing was changed.", "info")
            elif meeting.recorded_after_the_fact and not was_recorded:
                flash(
                    f"The meeting is recorded as held on {services.when_text(meeting)}. No updates were sent. "
                    "Now take the attendance.",
                    "success",
                )
            elif meeting.recorded_after_the_fact:
                flash("The meeting has been changed.", "success")
            else:
                flash("The meeting has been changed and everyone invited has been sent the update.", "success")
            return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    return _render(
        "meetings/form.html", 400 if request.method == "POST" else 200, case=case, form=form, meeting=meeting
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@allow(MANAGE_MEETINGS)
def cancel(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, _manage)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_meeting(meeting, case, form.reason.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The meeting has been cancelled and everyone invited has been told.", "success")
            return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    return _render(
        "meetings/cancel.html",
        400 if request.method == "POST" else 200,
        case=case,
        meeting=meeting,
        form=form,
        when=services.when_text(meeting),
    )


# ---- the attendee list ------------------------------------------------------------------------------------


def _person_form(formdata=None) -> PersonForm:
    form = PersonForm() if formdata is None else PersonForm(formdata=formdata)
    form.agency_id.choices = services.active_agency_choices()
    return form


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/attendees", methods=["GET", "POST"])
@allow(MANAGE_MEETINGS)
def attendees(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, _manage)
    invite_form = InviteForm()
    person_form = _person_form()
    status = 200
    send_form = ConfirmForm()
    if request.method == "POST":
        status = 400
        if request.form.get("action") == "send":
            if not send_form.validate_on_submit():
                abort(400)
            try:
                sent = services.send_invitations(meeting, case)
            except FieldError as error:
                flash(error.message, "info")
            else:
                flash(f"The invitation has been emailed to {', '.join(a.name for a in sent)}.", "success")
            return redirect(url_for("meetings.attendees", case_id=case.id, meeting_id=meeting.id))
        if request.form.get("action") == "invite":
            if invite_form.validate_on_submit():
                try:
                    added = services.invite_from_proposals(meeting, case, invite_form.invite.data or [])
                except FieldError as error:
                    invite_form.invite.errors = list(invite_form.invite.errors) + [error.message]
                else:
                    flash(_added_message(meeting, added), "success")
                    return redirect(url_for("meetings.attendees", case_id=case.id, meeting_id=meeting.id))
        elif person_form.validate_on_submit():
            try:
                added = services.add_person(
                    meeting,
                    case,
                    services.PersonDetails(
                        kind=person_form.kind.data,
                        name=person_form.name.data,
                        email=person_form.email.data or "",
                        role_at_meeting=person_form.role_at_meeting.data or "",
                        agency_id=person_form.agency_id.data or "",
                        consent_recorded_on=person_form.consent_recorded_on.data,
                    ),
                )
            except FieldError as error:
                attach_error(person_form, error)
            else:
                flash(_added_message(meeting, [added]), "success")
                return redirect(url_for("meetings.attendees", case_id=case.id, meeting_id=meeting.id))
    invited_users = {a.user_id for a in meeting.attendees if a.user_id}
    invited_inboxes = {a.agency_id for a in meeting.attendees if a.user_id is None and a.agency_id}
    proposals = services.proposed_agencies(case)
    # The agencies the case involves are ticked when the page opens; after a refused post, what was ticked stays.
    ticked = (
        set(invite_form.invite.data or [])
        if request.form.get("action") == "invite"
        else set(proposals.ticked_keys(invited_users, invited_inboxes))
    )
    return _render(
        "meetings/attendees.html",
        status,
        case=case,
        meeting=meeting,
        invite_form=invite_form,
        person_form=person_form,
        proposals=proposals,
        send_form=send_form,
        awaiting=services.awaiting_invitation(meeting),
        invited_users=invited_users,
        invited_inboxes=invited_inboxes,
        ticked=ticked,
        AttendeeKind=AttendeeKind,
        form=invite_form if invite_form.errors else person_form,
    )


def _added_message(meeting, added) -> str:
    if not added:
        return "Everyone you ticked was already on the attendee list."
    names = ", ".join(a.name for a in added)
    if meeting.recorded_after_the_fact or meeting.status.value != "scheduled":
        return f"Added to the attendee list: {names}. No invitations were sent."
    without_email = [a for a in added if not (a.user.email if a.user else a.email)]
    later = [a for a in added if a.kind in services.SENT_LATER and a not in without_email]
    emailed = [a for a in added if a not in without_email and a not in later]
    parts = []
    if emailed:
        parts.append(f"Added to the attendee list and invited by email: {', '.join(a.name for a in emailed)}.")
    if later:
        parts.append(
            f"Added to the attendee list: {', '.join(a.name for a in later)}. Nothing has been sent to "
            "them yet: press “Send the invitations” when you are ready."
        )
    if without_email:
        parts.append(
            f"Added to the attendee list: {', '.join(a.name for a in without_email)}. No email address: "
            "invite them another way."
        )
    return " ".join(parts)


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/attendees/<int:attendee_id>/remove", methods=["POST"])
@allow(MANAGE_MEETINGS)
def remove_attendee(case_id: int, meeting_id: int, attendee_id: int):
    case, meeting = _meeting(case_id, meeting_id, _manage)
    attendee = next((a for a in meeting.attendees if a.id == attendee_id), None)
    if attendee is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.remove_attendee(meeting, case, attendee)
    except FieldError as error:
        flash(error.message, "info")
    else:
        flash(f"{attendee.name} has been removed from the attendee list.", "success")
    return redirect(url_for("meetings.attendees", case_id=case.id, meeting_id=meeting.id))


# ---- answering an invitation (the link in the email; no sign-in) --------------------------------------------


@bp.route("/my-meetings")
@allow(MY_MEETINGS)
def my_meetings():
    from trigger.meetings.mine import my_meetings as load

    return render_template("meetings/mine.html", mine=load(current_user), when_text=services.when_text)


@bp.route("/my-meetings/invitations/<int:attendee_id>", methods=["GET", "POST"])
@allow(MY_MEETINGS)
def answer_invitation(attendee_id: int):
    """The invited person answers in the product, as they could by the emailed link."""
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None:
        abort(404)
    if not can_answer_invitation(current_user, attendee):
        abort(403)
    meeting = services.load_meeting(attendee.meeting_id)
    case = db.session.get(Case, meeting.case_id)
    form = ResponseForm()
    if request.method == "GET" and attendee.status.value in dict(form.response.choices):
        form.response.data = attendee.status.value
        form.substitute_name.data = attendee.substitute_name
    if form.validate_on_submit():
        try:
            services.record_response(attendee, meeting, form.response.data, form.substitute_name.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"Your answer has been recorded: {attendee.status.label.lower()}.", "success")
            return redirect(url_for("meetings.my_meetings"))
    return render_template(
        "meetings/answer.html",
        form=form,
        attendee=attendee,
        meeting=meeting,
        case=case,
        when=services.when_text(meeting),
        open=services.can_still_respond(meeting),
        protective_marking="OFFICIAL-SENSITIVE",
    ), 400 if request.method == "POST" else 200


@bp.route("/meetings/respond", methods=["GET", "POST"])
@allow(PUBLIC)
def respond():
    token = request.args.get("token", "")
    attendee: Attendee | None = services.attendee_for_token(token)
    if attendee is None:
        return render_template("meetings/respond_invalid.html"), 404
    meeting = services.load_meeting(attendee.meeting_id)
    case = db.session.get(Case, meeting.case_id)
    form = ResponseForm()
    if request.method == "GET" and attendee.status.value in dict(form.response.choices):
        form.response.data = attendee.status.value
        form.substitute_name.data = attendee.substitute_name
    if form.validate_on_submit():
        try:
            services.record_response(attendee, meeting, form.response.data, form.substitute_name.data)
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("Thank you: your answer has been recorded.", "success")
            return redirect(url_for("meetings.respond", token=token))
    return render_template(
        "meetings/respond.html",
        form=form,
        attendee=attendee,
        meeting=meeting,
        reference=case.reference,
        when=services.when_text(meeting),
        token=token,
        open=services.can_still_respond(meeting),
    ), 400 if request.method == "POST" else 200


# ---- attendance and the victim's participation --------------------------------------------------------------


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@allow(EDIT_MINUTES)
def attendance(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, can_edit_minutes)
    form = attendance_form(meeting.attendees, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            services.take_attendance(
                meeting, case, {a.id: getattr(form, f"status_{a.id}").data for a in meeting.attendees}
            )
        except FieldError as error:
            form.form_errors.append(error.message)
        else:
            flash("The attendance has been saved.", "success")
            return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    return _render(
        "meetings/attendance.html",
        400 if request.method == "POST" else 200,
        case=case,
        meeting=meeting,
        form=form,
        when=services.when_text(meeting),
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/victim", methods=["GET", "POST"])
@allow(MANAGE_MEETINGS)
def victim(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, _manage)
    form = VictimForm(obj=meeting.victim_participation if request.method == "GET" else None)
    if request.method == "GET" and meeting.victim_participation is not None:
        form.kind.data = meeting.victim_participation.kind.value
    if form.validate_on_submit():
        try:
            services.save_victim_participation(
                meeting,
                case,
                kind=form.kind.data,
                statement=form.statement.data,
                advocate_name=form.advocate_name.data,
                reason_not_invited=form.reason_not_invited.data,
                actor=current_user,
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The victim's participation has been recorded.", "success")
            return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id))
    return _render(
        "meetings/victim.html", 400 if request.method == "POST" else 200, case=case, meeting=meeting, form=form
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/took-part", methods=["GET", "POST"])
@allow(EDIT_MINUTES)
def took_part(case_id: int, meeting_id: int):
    """The chair (or a coordinator) records how the applicant actually took part in the meeting."""
    case, meeting = _meeting(case_id, meeting_id, can_edit_minutes)
    form = TookPartForm()
    if request.method == "GET" and meeting.victim_took_part is not None:
        form.took_part.data = meeting.victim_took_part.value
        form.note.data = meeting.victim_took_part_note
    if form.validate_on_submit():
        try:
            changed = services.record_victim_took_part(
                meeting, case, took_part=form.took_part.data, note=form.note.data, actor=current_user
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                "How the applicant took part has been recorded." if changed else "Nothing was changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id) + "#victim")
    return _render(
        "meetings/took_part.html",
        400 if request.method == "POST" else 200,
        case=case,
        meeting=meeting,
        form=form,
        when=services.when_text(meeting),
    )


# ---- minutes --------------------------------------------------------------------------------------------------


def _minutes_page(case, meeting, *, form=None, conflicts=None, status: int = 200):
    """The minutes of every agenda item on one page; for those who may edit them, one form to write them all."""
    can_edit = can_edit_minutes(current_user, meeting)
    editing = can_edit and services.minutes_editable(meeting)
    if editing and form is None:
        form = minutes_form(meeting.minute_items)
    return _render(
        "meetings/minutes.html",
        status,
        case=case,
        meeting=meeting,
        when=services.when_text(meeting),
        can_edit=can_edit,
        editing=editing,
        form=form,
        conflicts=conflicts or {},
        can_approve=can_approve_minutes(current_user, meeting),
        approved=services.is_approved(meeting),
        can_make_actions=can_manage_plan(current_user, case),
        started=services.has_started(meeting),
        made_actions=services.actions_made_from(meeting),
        confirm_form=ConfirmForm(),
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/minutes")
@allow(VIEW_CASES)
def minutes(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, attendees=False)
    return _minutes_page(case, meeting)


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/minutes", methods=["POST"])
@allow(EDIT_MINUTES)
def save_minutes(case_id: int, meeting_id: int):
    """Save every agenda item the person changed, each as its own revision. A stale item refuses the whole save
    (409): every text the person typed stays on the form, with the version that beat them above it."""
    case, meeting = _meeting(case_id, meeting_id, can_edit_minutes, attendees=False)
    items = meeting.minute_items
    form = minutes_form(items, request.form)
    if not form.validate():
        return _minutes_page(case, meeting, form=form, status=400)
    edits = [
        services.MinuteEdit(item, getattr(form, f"base_{item.id}").data, getattr(form, f"text_{item.id}").data or "")
        for item in items
    ]
    try:
        saved = services.save_minutes(meeting, edits, reason=form.reason.data, actor=current_user)
    except services.StaleMinutes as stale:
        for item in items:
            if item.id in stale.conflicts:
                current = stale.conflicts[item.id]
                getattr(form, f"text_{item.id}").errors.append(services.stale_item_message(item))
                # Saving again (after comparing) builds on the version they have now seen.
                base = getattr(form, f"base_{item.id}")
                base.raw_data, base.data = None, current.number if current else 0
        return _minutes_page(case, meeting, form=form, conflicts=stale.conflicts, status=409)
    except FieldError as error:
        if error.field == "reason":
            form.reason.errors.append(error.message)
        else:
            form.form_errors.append(error.message)
        return _minutes_page(case, meeting, form=form, status=400)
    if not saved:
        flash("Nothing has changed since the minutes were last saved.", "info")
    else:
        titles = ", ".join(f"“{item.agenda_title}”" for item in saved)
        flash(f"The minutes have been saved: {titles}.", "success")
    back_to = request.form.get("return_to", "")
    anchor = f"#item-{back_to}" if back_to.isdigit() and any(str(i.id) == back_to for i in items) else ""
    return redirect(url_for("meetings.minutes", case_id=case.id, meeting_id=meeting.id) + anchor)


def _item(meeting, item_id: int) -> MinuteItem:
    item = next((i for i in meeting.minute_items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/minutes/<int:item_id>/history")
@allow(VIEW_CASES)
def minute_history(case_id: int, meeting_id: int, item_id: int):
    case, meeting = _meeting(case_id, meeting_id, attendees=False)
    item = _item(meeting, item_id)
    return _render(
        "meetings/minute_history.html", case=case, meeting=meeting, item=item, revisions=services.revisions_of(item)
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/recommendations", methods=["GET", "POST"])
@allow(EDIT_MINUTES)
def recommendations(case_id: int, meeting_id: int):
    case, meeting = _meeting(case_id, meeting_id, can_edit_minutes)
    form = RecommendationForm()
    form.agency_id.choices = services.active_agency_choices()
    form.agency_id.choices[0] = ("", "Choose a body")
    if form.validate_on_submit():
        try:
            services.add_recommendation(
                meeting,
                agency_id=form.agency_id.data,
                text=form.text.data,
                actor=current_user,
                restricted=form.restricted.data,
                victim_visible=form.victim_visible.data,
                victim_wording=form.victim_wording.data,
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The recommendation has been added.", "success")
            return redirect(url_for("meetings.minutes", case_id=case.id, meeting_id=meeting.id) + "#recommendations")
    return _render(
        "meetings/recommendation_form.html",
        400 if request.method == "POST" else 200,
        case=case,
        meeting=meeting,
        form=form,
        approved=services.is_approved(meeting),
    )


@bp.route(
    "/cases/<int:case_id>/meetings/<int:meeting_id>/recommendations/<int:recommendation_id>/sharing",
    methods=["GET", "POST"],
)
@allow(EDIT_MINUTES)
def recommendation_sharing(case_id: int, meeting_id: int, recommendation_id: int):
    case, meeting = _meeting(case_id, meeting_id, can_edit_minutes)
    recommendation = next((r for r in meeting.recommendations if r.id == recommendation_id), None)
    if recommendation is None:
        abort(404)
    form = RecommendationSharingForm(obj=recommendation if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = services.change_recommendation_sharing(
                meeting,
                recommendation,
                restricted=form.restricted.data,
                victim_visible=form.victim_visible.data,
                victim_wording=form.victim_wording.data,
                actor=current_user,
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(
                "Who may read the recommendation has been saved." if changed else "Nothing was changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("meetings.minutes", case_id=case.id, meeting_id=meeting.id) + "#recommendations")
    return _render(
        "meetings/recommendation_sharing.html",
        400 if request.method == "POST" else 200,
        case=case,
        meeting=meeting,
        recommendation=recommendation,
        form=form,
    )


@bp.route(
    "/cases/<int:case_id>/meetings/<int:meeting_id>/recommendations/<int:recommendation_id>/response",
    methods=["GET", "POST"],
)
@allow(RECORD_RESPONSES)
def recommendation_response(case_id: int, meeting_id: int, recommendation_id: int):
    case, meeting = _meeting(case_id, meeting_id, can_record_response)
    recommendation = next((r for r in meeting.recommendations if r.id == recommendation_id), None)
    if recommendation is None:
        abort(404)
    form = RecommendationResponseForm()
    if request.method == "GET":
        form.response_text.data = recommendation.response_text
        form.responded_on.data = recommendation.responded_on
    if form.validate_on_submit():
        try:
            services.record_recommendation_response(
                meeting,
                recommendation,
                response_text=form.response_text.data,
                responded_on=form.responded_on.data,
                actor=current_user,
            )
        except FieldError as error:
            attach_error(form, error)
        else:
            flash(f"{recommendation.agency.name}'s response has been recorded.", "success")
            return redirect(url_for("meetings.show", case_id=case.id, meeting_id=meeting.id) + "#responses")
    return _render(
        "meetings/recommendation_response.html",
        400 if request.method == "POST" else 200,
        case=case,
        meeting=meeting,
        recommendation=recommendation,
        form=form,
    )


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/minutes/approve", methods=["GET", "POST"])
@allow(APPROVE_MINUTES)
def approve(case_id: int, meeting_id: int):
    """GET asks the chair to confirm (approving locks the minutes for good); POST approves."""
    case, meeting = _meeting(case_id, meeting_id, can_approve_minutes)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template(
            "meetings/approve.html",
            case=case,
            meeting=meeting,
            form=form,
            when=services.when_text(meeting),
            approved=services.is_approved(meeting),
            protective_marking="OFFICIAL-SENSITIVE",
        )
    if not form.validate_on_submit():
        abort(400)
    try:
        services.approve_minutes(meeting, current_user)
    except FieldError as error:
        flash(error.message, "info")
    else:
        flash("The minutes have been approved. They are now locked: changes are recorded as corrections.", "success")
    return redirect(url_for("meetings.minutes", case_id=case.id, meeting_id=meeting.id))


# ---- the agenda template (administrators) ----------------------------------------------------------------------


@bp.route("/admin/agenda", methods=["GET", "POST"])
@allow(ADMIN)
def agenda():
    form = AgendaForm()
    if request.method == "GET":
        form.items.data = "\n".join(services.agenda_titles())
    if form.validate_on_submit():
        try:
            services.save_agenda(form.items.data.splitlines())
        except FieldError as error:
            attach_error(form, error)
        else:
            flash("The agenda has been saved. New meetings will use it; existing meetings keep theirs.", "success")
            return redirect(url_for("meetings.agenda"))
    return render_template("meetings/agenda.html", form=form), 400 if request.method == "POST" else 200
