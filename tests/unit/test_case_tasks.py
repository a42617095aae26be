"""The "what happens next" task list (trigger.domain.case_tasks): which tasks, in which order, with which status,
for each stage and role."""

from __future__ import annotations

from trigger.domain.case_tasks import CaseFacts, MeetingFacts, TaskKey, TaskStatus, tasks_for

TO_DO, DONE, CANNOT = TaskStatus.TO_DO, TaskStatus.DONE, TaskStatus.CANNOT_START


def meeting(**changes) -> MeetingFacts:
    values = dict(
        started=False,
        held=False,
        attendees=0,
        uninvited=0,
        minutes_written=False,
        minutes_approved=False,
        reader_chairs=False,
    )
    values.update(changes)
    return MeetingFacts(**values)


def statuses(facts: CaseFacts) -> dict[TaskKey, TaskStatus]:
    return {task.key: task.status for task in tasks_for(facts)}


def test_a_new_application_asks_the_coordinator_to_acknowledge_first_and_blocks_the_meeting_steps():
    tasks = tasks_for(CaseFacts(stage="received", role="coordinator"))
    assert [t.key for t in tasks][:3] == [TaskKey.ACKNOWLEDGE, TaskKey.DECIDE_THRESHOLD, TaskKey.SEND_DECISION_LETTER]
    got = statuses(CaseFacts(stage="received", role="coordinator"))
    assert got[TaskKey.ACKNOWLEDGE] is TO_DO and got[TaskKey.DECIDE_THRESHOLD] is TO_DO
    assert got[TaskKey.SEND_DECISION_LETTER] is CANNOT
    assert got[TaskKey.BOOK_MEETING] is CANNOT and got[TaskKey.ISSUE_OUTCOME] is CANNOT
    book = next(t for t in tasks if t.key is TaskKey.BOOK_MEETING)
    assert book.hint == "After the threshold is met"


def test_after_the_threshold_is_met_booking_is_next_and_invitations_wait_for_the_booking():
    got = statuses(
        CaseFacts(stage="threshold-met", role="coordinator", decided=True, issued=frozenset({"acknowledgement"}))
    )
    assert got[TaskKey.ACKNOWLEDGE] is DONE and got[TaskKey.DECIDE_THRESHOLD] is DONE
    assert got[TaskKey.SEND_DECISION_LETTER] is TO_DO
    assert got[TaskKey.BOOK_MEETING] is TO_DO and got[TaskKey.SEND_INVITATIONS] is CANNOT


def test_invitations_are_done_only_when_everyone_listed_was_invited():
    base = dict(stage="review-scheduled", role="coordinator", decided=True)
    assert statuses(CaseFacts(**base, meeting=meeting()))[TaskKey.SEND_INVITATIONS] is TO_DO  # nobody listed
    assert statuses(CaseFacts(**base, meeting=meeting(attendees=3, uninvited=1)))[TaskKey.SEND_INVITATIONS] is TO_DO
    got = statuses(CaseFacts(**base, meeting=meeting(attendees=3)))
    assert got[TaskKey.SEND_INVITATIONS] is DONE and got[TaskKey.BOOK_MEETING] is DONE
    assert got[TaskKey.TAKE_ATTENDANCE] is CANNOT  # the meeting has not started
    assert statuses(CaseFacts(**base, meeting=meeting(attendees=3, started=True)))[TaskKey.TAKE_ATTENDANCE] is TO_DO


def test_after_the_meeting_the_minutes_plan_and_outcome_letter_follow_in_order():
    base = dict(stage="review-held", role="coordinator", decided=True)
    got = statuses(CaseFacts(**base, meeting=meeting(attendees=2, started=True, held=True)))
    assert got[TaskKey.TAKE_ATTENDANCE] is DONE and got[TaskKey.WRITE_MINUTES] is TO_DO
    assert got[TaskKey.APPROVE_MINUTES] is CANNOT
    assert got[TaskKey.AGREE_ACTIONS] is TO_DO and got[TaskKey.ISSUE_OUTCOME] is TO_DO
    written = tasks_for(
        CaseFacts(**base, actions=2, meeting=meeting(attendees=2, started=True, held=True, minutes_written=True))
    )
    approve = next(t for t in written if t.key is TaskKey.APPROVE_MINUTES)
    assert approve.status is TO_DO and not approve.actionable and approve.hint == "The chair approves them"
    assert next(t for t in written if t.key is TaskKey.AGREE_ACTIONS).status is DONE
    sent = statuses(
        CaseFacts(
            stage="outcome-sent",
            role="coordinator",
            decided=True,
            issued=frozenset({"outcome"}),
            meeting=meeting(held=True, started=True, minutes_written=True, minutes_approved=True),
        )
    )
    assert sent[TaskKey.ISSUE_OUTCOME] is DONE and sent[TaskKey.APPROVE_MINUTES] is DONE


def test_threshold_not_met_ends_with_the_decision_letter():
    keys = [t.key for t in tasks_for(CaseFacts(stage="threshold-not-met", role="coordinator", decided=True))]
    assert keys == [TaskKey.ACKNOWLEDGE, TaskKey.DECIDE_THRESHOLD, TaskKey.SEND_DECISION_LETTER]


def test_the_chair_sees_the_meeting_work_and_approves_only_their_own_meetings_minutes():
    facts = dict(stage="review-held", role="chair", decided=True)
    tasks = tasks_for(
        CaseFacts(**facts, meeting=meeting(held=True, started=True, minutes_written=True, reader_chairs=True))
    )
    keys = [t.key for t in tasks]
    assert TaskKey.ACKNOWLEDGE not in keys and TaskKey.BOOK_MEETING not in keys and TaskKey.ISSUE_OUTCOME not in keys
    approve = next(t for t in tasks if t.key is TaskKey.APPROVE_MINUTES)
    assert approve.status is TO_DO and approve.actionable
    decide = next(t for t in tasks if t.key is TaskKey.DECIDE_THRESHOLD)
    assert not decide.actionable  # the coordinator records it
    other = tasks_for(CaseFacts(**facts, meeting=meeting(held=True, started=True, minutes_written=True)))
    assert not next(t for t in other if t.key is TaskKey.APPROVE_MINUTES).actionable


def test_an_agency_representative_sees_only_their_agencys_tasks():
    tasks = tasks_for(
        CaseFacts(
            stage="plan-live",
            role="agency-representative",
            decided=True,
            actions=5,
            my_actions=2,
            my_open_actions=1,
            my_invitation_pending=False,
            meeting=meeting(held=True),
        )
    )
    assert [t.key for t in tasks] == [TaskKey.ANSWER_INVITATION, TaskKey.UPDATE_ACTIONS]
    assert tasks[0].status is DONE
    assert tasks[1].status is TO_DO and tasks[1].label == "Update your agency's actions (1 open)"
    finished = statuses(CaseFacts(stage="plan-live", role="agency-representative", my_actions=2, my_open_actions=0))
    assert finished == {TaskKey.UPDATE_ACTIONS: DONE}
    waiting = statuses(CaseFacts(stage="review-scheduled", role="agency-representative", my_invitation_pending=True))
    assert waiting == {TaskKey.ANSWER_INVITATION: TO_DO, TaskKey.UPDATE_ACTIONS: CANNOT}
    assert tasks_for(CaseFacts(stage="received", role="agency-representative")) == []


def test_viewers_and_closed_cases_have_no_tasks_and_pcc_reviewers_only_the_escalation_outcome():
    assert tasks_for(CaseFacts(stage="received", role="viewer")) == []
    assert tasks_for(CaseFacts(stage="closed", role="coordinator")) == []
    assert tasks_for(CaseFacts(stage="escalated", role="pcc-reviewer")) == []
    pcc = tasks_for(CaseFacts(stage="escalated", role="pcc-reviewer", escalation_undecided=True))
    assert [(t.key, t.status, t.actionable) for t in pcc] == [(TaskKey.ESCALATION_OUTCOME, TO_DO, True)]
    coordinator = tasks_for(CaseFacts(stage="escalated", role="coordinator", decided=True, escalation_undecided=True))
    assert coordinator[-1].key is TaskKey.ESCALATION_OUTCOME and not coordinator[-1].actionable
