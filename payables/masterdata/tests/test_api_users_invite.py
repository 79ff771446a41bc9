"""Inviting users by API: a mail with a set-password link, after commit; then they sign in."""

from __future__ import annotations

import logging
import socket

import pytest
from django.test import Client

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.tenancy.models import CompanyUser
from payables.web.tests.mail_links import links_in, open_link, set_password_through

ANNA = {"code": "E-7", "name": "Anna Kask", "email": "Anna@Example.com", "roles": ["approver"]}
PASSWORD = "sügisene-rabamatk-2026"


@pytest.fixture
def sent(django_capture_on_commit_callbacks, mailoutbox):
    """Run the request's after-commit work (the mail) and answer the mails sent."""

    def run(request: object) -> list:
        with django_capture_on_commit_callbacks(execute=True):
            request()
        return list(mailoutbox)

    return run


def _sign_in(client: Client, email: str, password: str) -> object:
    return client.post("/sign-in/", {"email": email, "password": password})


def test_a_user_created_with_invite_gets_a_link_sets_a_password_and_signs_in(api, sent):
    answers = []
    [mail] = sent(lambda: answers.append(api.post("/users", ANNA | {"invite": True})))
    assert answers[0].status_code == 201, answers[0].content
    assert mail.to == ["anna@example.com"]
    assert "Acme Ostud OÜ" in mail.subject and "Acme Ostud OÜ invites you" in mail.body
    [link] = links_in(mail)

    browser = Client()
    answer = set_password_through(browser, link, PASSWORD)
    assert answer.status_code == 303
    assert answer["Location"] == "/sign-in/"
    signed_in = _sign_in(browser, "anna@example.com", PASSWORD)
    assert signed_in["Location"] == "/"
    assert browser.get("/").context["request"].member.code == "E-7"


def test_an_invitation_records_its_event_without_password_data(api, sent):
    sent(lambda: api.post("/users", ANNA | {"invite": True}))
    user = CompanyUser.objects.get()
    [event] = Event.objects.filter(type="user.invited")
    assert event.subject_id == user.id
    assert event.payload == {"id": str(user.id), "code": "E-7", "email": "anna@example.com"}


def test_without_invite_no_mail_is_sent(api, sent):
    assert sent(lambda: api.post("/users", ANNA)) == []
    assert not Event.objects.filter(type="user.invited").exists()


def test_invite_without_an_email_is_422_at_email_and_stores_nothing(api, sent):
    answers = []
    mails = sent(lambda: answers.append(api.post("/users", ANNA | {"email": "", "invite": True})))
    assert answers[0].status_code == 422
    assert answers[0].json()["detail"][0]["loc"] == ["body", "email"]
    assert mails == []
    assert not CompanyUser.objects.exists()


def test_a_refused_create_sends_no_invitation(api, sent):
    api.post("/users", ANNA | {"code": "E-1"})
    answers = []
    mails = sent(lambda: answers.append(api.post("/users", ANNA | {"invite": True})))
    assert answers[0].status_code == 409  # the email address is taken
    assert mails == []


def test_invite_endpoint_sends_a_fresh_link_and_each_link_works_once(api, sent):
    user = api.post("/users", ANNA).json()
    answers = []
    first, second = sent(
        lambda: answers.extend(api.post(f"/users/{user['id']}/invite") for _ in range(2))
    )
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["id"] == user["id"]
    assert set_password_through(Client(), links_in(first)[0], PASSWORD).status_code == 303
    refused = open_link(Client(), links_in(second)[0])  # the password changed: used up
    assert refused.status_code == 400
    assert "This link does not work" in refused.text


def test_invite_by_code_works_too(api, sent):
    api.post("/users", ANNA)
    assert len(sent(lambda: api.post("/users/E-7/invite"))) == 1


def test_a_user_with_a_password_keeps_it_until_the_link_is_used(api, sent):
    user = api.post("/users", ANNA).json()
    [first] = sent(lambda: api.post(f"/users/{user['id']}/invite"))
    set_password_through(Client(), links_in(first)[0], PASSWORD)
    sent(lambda: api.post(f"/users/{user['id']}/invite"))
    assert _sign_in(Client(), "anna@example.com", PASSWORD)["Location"] == "/"


def test_inviting_an_inactive_user_is_409_and_sends_nothing(api, sent):
    user = api.post("/users", ANNA).json()
    api.post(f"/users/{user['id']}/deactivate")
    answers = []
    assert sent(lambda: answers.append(api.post(f"/users/{user['id']}/invite"))) == []
    assert answers[0].status_code == 409
    assert answers[0].json()["code"] == "user_inactive"


def test_inviting_a_user_without_email_is_409_and_sends_nothing(api, sent):
    user = api.post("/users", ANNA | {"email": ""}).json()
    answers = []
    assert sent(lambda: answers.append(api.post(f"/users/{user['id']}/invite"))) == []
    assert answers[0].status_code == 409
    assert (answers[0].json()["code"], answers[0].json()["field"]) == ("no_email_address", "email")


def test_another_companys_user_is_404(api, other_api, sent):
    theirs = other_api.post("/users", ANNA).json()
    answers = []
    assert sent(lambda: answers.append(api.post(f"/users/{theirs['id']}/invite"))) == []
    assert answers[0].status_code == 404


def test_inviting_needs_the_masterdata_write_scope(company, make_key, sent):
    reader = ApiClient(make_key(company, ["masterdata:read"]))
    ApiClient(make_key(company, ["masterdata:write"], integrator="HR")).post("/users", ANNA)
    answers = []
    assert sent(lambda: answers.append(reader.post("/users/E-7/invite"))) == []
    assert answers[0].status_code == 403


def test_a_deactivated_user_cannot_use_their_link(api, sent):
    user = api.post("/users", ANNA).json()
    [mail] = sent(lambda: api.post(f"/users/{user['id']}/invite"))
    api.post(f"/users/{user['id']}/deactivate")
    refused = open_link(Client(), links_in(mail)[0])
    assert refused.status_code == 400
    assert "This link does not work" in refused.text
    login = CompanyUser.objects.select_related("login").get().login
    assert not login.has_usable_password()


def test_a_link_stops_working_when_the_email_changes(api, sent):
    user = api.post("/users", ANNA).json()
    [mail] = sent(lambda: api.post(f"/users/{user['id']}/invite"))
    api.patch(f"/users/{user['id']}", {"email": "anna.kask@example.com"})
    assert open_link(Client(), links_in(mail)[0]).status_code == 400


def test_an_expired_link_is_refused(api, sent, settings):
    user = api.post("/users", ANNA).json()
    [mail] = sent(lambda: api.post(f"/users/{user['id']}/invite"))
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is older than that
    refused = open_link(Client(), links_in(mail)[0])
    assert refused.status_code == 400
    assert "has expired" in refused.text


def test_a_mail_server_that_fails_is_logged_and_the_invitation_stands(api, sent, settings, caplog):
    with socket.socket() as closed:  # a port nobody listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    user = api.post("/users", ANNA).json()
    answers = []
    with caplog.at_level(logging.ERROR, logger="payables"):
        sent(lambda: answers.append(api.post(f"/users/{user['id']}/invite")))
    assert answers[0].status_code == 200
    assert f"Could not send the invitation mail of user {user['id']}" in caplog.text
    assert Event.objects.filter(type="user.invited").count() == 1
