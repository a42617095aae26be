"""In-product notifications: each user sees their own, with an unread count in the header, and an email."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from tests.conftest import login, post, text_of
from trigger.extensions import db
from trigger.models import Notification, OutboxMessage, Role
from trigger.notifications.services import notify_role, notify_user


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def nav_count(page_text: str) -> int:
    match = re.search(r"Notifications \((\d+)\)", page_text)
    assert match, "no notifications item in the header"
    return int(match.group(1))


def test_a_user_sees_their_notification_and_gets_an_email(client, make_user):
    chair = make_user(Role.CHAIR, name="Chris Chair", email="chris@example.org")
    notify_user(
        chair, "Meeting for case TV-0003 is tomorrow", "The meeting starts at 10am.\n\nBring the plan.", link="/cases/3"
    )
    db.session.commit()

    login(client, chair)
    home = text_of(client.get("/home"))
    assert nav_count(home) == 1
    page = client.get("/notifications")
    listing = text_of(page)
    assert "You have 1 unread notification." in listing
    assert "New Meeting for case TV-0003 is tomorrow" in listing
    assert "The meeting starts at 10am. Bring the plan." in listing
    assert 'href="/cases/3"' in page.get_data(as_text=True)

    [email] = db.session.scalars(select(OutboxMessage)).all()
    assert email.to_address == "chris@example.org" and email.subject == "Meeting for case TV-0003 is tomorrow"
    assert email.user_id == chair.id and "/cases/3" in email.body


def test_mark_as_read_and_mark_all_as_read(client, make_user):
    rep = make_user(Role.AGENCY_REP)
    for n in range(3):
        notify_user(rep, f"Action {n} is due", "Please update it.", email=False)
    db.session.commit()
    login(client, rep)
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()

    response = post(client, f"/notifications/{first.id}/read", token_from="/notifications")
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "Marked “Action 0 is due” as read." in page
    assert nav_count(page) == 2 and "You have 2 unread notifications." in page

    response = post(client, "/notifications/read-all", token_from="/notifications")
    page = text_of(client.get(response.location))
    assert "Marked 2 notifications as read." in page and nav_count(page) == 0
    assert "Mark all as read" not in page and "New " not in page
    assert count(OutboxMessage) == 0  # email=False


def test_one_user_never_sees_or_touches_another_users_notifications(client, make_user):
    mine = make_user(Role.COORDINATOR, name="Sam Spoc")
    theirs = make_user(Role.ADMIN, name="Ada Admin")
    notify_user(theirs, "Only for Ada: failed emails", "Three emails failed.", email=False)
    secret = notify_user(theirs, "Only for Ada: second", "Body", email=False)
    notify_user(mine, "For Sam", "Body", email=False)
    db.session.commit()

    login(client, mine)
    page = text_of(client.get("/notifications"))
    assert "For Sam" in page and "Only for Ada" not in page and nav_count(page) == 1
    # Not by guessing ids either: 403, and the other user's notification stays unread.
    token_page = "/notifications"
    assert post(client, f"/notifications/{secret.id}/read", token_from=token_page).status_code == 403
    assert post(client, "/notifications/999999/read", token_from=token_page).status_code == 404
    post(client, "/notifications/read-all", token_from=token_page)
    db.session.expire_all()
    assert count(Notification, Notification.user_id == theirs.id, Notification.read_at.is_(None)) == 2


def test_notifications_need_sign_in_and_posts_need_csrf(client, make_user):
    user = make_user(Role.VIEWER)
    notification = notify_user(user, "Hello", "Body", email=False)
    db.session.commit()
    assert client.get("/notifications").status_code == 302
    login(client, user)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None


def test_the_unread_count_in_the_header_is_one_query(app, client, make_user):
    user = make_user(Role.COORDINATOR)
    for n in range(5):
        notify_user(user, f"N{n}", "Body", email=False)
    db.session.commit()
    login(client, user)
    statements = []

    def capture(conn, cursor, statement, *args):
        if "notifications" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert nav_count(text_of(client.get("/home"))) == 5
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(statements) == 1 and "count(" in statements[0].lower()


def test_an_inactive_user_is_notified_in_the_product_but_not_emailed(app, make_user):
    gone = make_user(Role.CHAIR, active=False)
    assert notify_user(gone, "Subject", "Body") is not None
    db.session.commit()
    assert count(Notification) == 1 and count(OutboxMessage) == 0


def test_notify_role_reaches_every_active_user_of_the_role_once(app, make_user):
    chairs = [make_user(Role.CHAIR) for _ in range(3)]
    make_user(Role.CHAIR, active=False)
    make_user(Role.COORDINATOR)
    notified = notify_role(
        Role.CHAIR,
        "Overdue: outcome letter for TV-0009",
        "Body",
        link="/cases/9",
        dedupe_key_prefix="deadline:9:overdue:3",
    )
    db.session.commit()
    assert sorted(n.user_id for n in notified) == sorted(c.id for c in chairs)
    assert sorted(db.session.scalars(select(OutboxMessage.to_address))) == sorted(c.email for c in chairs)
    # The periodic job runs again: nothing new.
    assert (
        notify_role(Role.CHAIR, "Overdue: outcome letter for TV-0009", "Body", dedupe_key_prefix="deadline:9:overdue:3")
        == []
    )
    db.session.commit()
    assert count(Notification) == 3 and count(OutboxMessage) == 3


def test_notify_user_with_a_dedupe_key_notifies_once(app, make_user):
    user = make_user(Role.COORDINATOR)
    assert notify_user(user, "Reminder", "Body", dedupe_key="deadline:1:due-today") is not None
    assert notify_user(user, "Reminder", "Body", dedupe_key="deadline:1:due-today") is None
    db.session.commit()
    assert count(Notification) == 1 and count(OutboxMessage) == 1


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example", "javascript:alert(1)", "cases/1"])
def test_a_notification_only_links_inside_the_product(app, make_user, link):
    user = make_user(Role.COORDINATOR)
    with pytest.raises(ValueError):
        notify_user(user, "Subject", "Body", link=link)
