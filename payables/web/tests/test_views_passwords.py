"""Passwords on the web: your own on the Password page, a forgotten one by e-mail."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from payables.events.models import Event
from payables.masterdata.services import deactivate_user
from payables.tenancy.models import CompanyUser
from payables.web.tests.conftest import PASSWORD
from payables.web.tests.mail_links import links_in, open_link, set_password_through

NEW = "uus-salasõna-kevadeks"


def _sign_in(client: Client, email: str, password: str, **extra: str) -> object:
    return client.post("/sign-in/", {"email": email, "password": password, **extra})


def _change(client: Client, old: str, new: str, again: str | None = None) -> object:
    form = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post("/password/", form)


def _login_of(member: CompanyUser) -> object:
    return CompanyUser.objects.select_related("login").get(pk=member.pk).login


# --- your own password -----------------------------------------------------------------------


def test_the_password_page_is_in_the_menu(client, ann):
    _sign_in(client, "ann@example.com", PASSWORD)
    page = client.get("/")
    assert 'href="/password/"' in page.text
    form = client.get("/password/")
    assert form.status_code == 200
    assert form["Cache-Control"].startswith("max-age=0")  # never_cache
    assert "Current password" in form.text


def test_changing_the_password_keeps_you_signed_in_and_the_old_one_stops(client, ann):
    _sign_in(client, "ann@example.com", PASSWORD)
    answer = _change(client, PASSWORD, NEW)
    assert answer.status_code == 303
    assert answer["Location"] == "/password/"
    assert "Your password is changed." in client.get("/password/").text
    assert client.get("/").status_code == 200  # update_session_auth_hash kept the session
    assert _sign_in(Client(), "ann@example.com", PASSWORD).status_code == 400
    assert _sign_in(Client(), "ann@example.com", NEW)["Location"] == "/"
    [event] = Event.objects.filter(type="user.password_set", subject_id=ann.id).order_by(
        "-sequence"
    )[:1]
    assert event.actor == "user:ANN Ann Example (web)"


def test_other_sessions_end_when_the_password_changes(client, ann):
    elsewhere = Client()
    _sign_in(elsewhere, "ann@example.com", PASSWORD)
    _sign_in(client, "ann@example.com", PASSWORD)
    _change(client, PASSWORD, NEW)
    assert elsewhere.get("/")["Location"].startswith("/sign-in/")


def test_a_wrong_current_password_is_refused_at_its_field(client, ann):
    _sign_in(client, "ann@example.com", PASSWORD)
    answer = _change(client, "not it", NEW)
    assert answer.status_code == 422
    assert answer.context["form"].errors["old_password"] == [
        "Your current password is not this one."
    ]
    assert _login_of(ann).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "again", "field", "message"),
    [
        ("short", None, "new_password1", "too short"),
        ("password123", None, "new_password1", "too common"),
        (NEW, NEW + "x", "new_password2", "The two passwords differ."),
        ("x" * 1001, None, "new_password1", "at most 1000 characters"),
    ],
    ids=["too-short", "common", "mismatch", "huge"],
)
def test_a_new_password_is_checked_by_djangos_validators(client, ann, new, again, field, message):
    _sign_in(client, "ann@example.com", PASSWORD)
    answer = _change(client, PASSWORD, new, again)
    assert answer.status_code == 422
    assert message in " ".join(answer.context["form"].errors[field])
    assert f'aria-describedby="id_{field}-error"' in answer.text
    assert _login_of(ann).check_password(PASSWORD)


def test_the_password_page_needs_sign_in(client, db):
    assert client.get("/password/")["Location"] == "/sign-in/?next=/password/"


# --- forgotten passwords -----------------------------------------------------------------------


def test_the_sign_in_page_links_to_forgot_password(client, db):
    assert 'href="/password/forgot/"' in client.get("/sign-in/").text
    assert client.get("/password/forgot/").status_code == 200


def test_a_forgotten_password_is_set_again_through_the_mailed_link(client, ann, mailoutbox):
    answer = client.post("/password/forgot/", {"email": "ANN@example.com"})
    assert answer.status_code == 303
    assert answer["Location"] == "/sign-in/"
    [mail] = mailoutbox
    assert mail.to == ["ann@example.com"]
    [link] = links_in(mail)
    assert set_password_through(Client(), link, NEW)["Location"] == "/sign-in/"
    assert _sign_in(Client(), "ann@example.com", NEW)["Location"] == "/"
    assert _sign_in(Client(), "ann@example.com", PASSWORD).status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, ann, mailoutbox):
    known = client.post("/password/forgot/", {"email": "ann@example.com"}, follow=True)
    unknown = client.post("/password/forgot/", {"email": "nobody@example.com"}, follow=True)
    assert "a link to set a new password is on its way" in known.text
    assert "a link to set a new password is on its way" in unknown.text
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]


def test_an_inactive_user_gets_no_link(client, ann, actor, mailoutbox):
    deactivate_user(ann, actor=actor)
    assert client.post("/password/forgot/", {"email": "ann@example.com"}).status_code == 303
    assert mailoutbox == []


def test_an_invalid_address_is_refused_at_its_field(client, db):
    answer = client.post("/password/forgot/", {"email": "ann@"})
    assert answer.status_code == 422
    assert "email" in answer.context["form"].errors


def test_a_person_in_two_companies_gets_one_link_per_company(
    client, make_member, other_company, mailoutbox
):
    ours = make_member("ANN")
    theirs = make_member("ANN", company=other_company)
    client.post("/password/forgot/", {"email": "ann@example.com"})
    [mail] = mailoutbox
    assert "several companies" in mail.body
    assert mail.body.index("Acme Ostud OÜ:") < mail.body.index("Other Oy:")
    ours_link, theirs_link = links_in(mail)  # in the order of the company names
    set_password_through(Client(), theirs_link, NEW)
    assert _login_of(theirs).check_password(NEW)
    assert _login_of(ours).check_password(PASSWORD)  # the other company's stays
    assert _sign_in(Client(), "ann@example.com", NEW)["Location"] == "/"  # only theirs matches
    assert open_link(Client(), ours_link).status_code == 200  # still unused


# --- the set-password page ---------------------------------------------------------------------


def test_a_made_up_link_is_refused_with_a_page_saying_so(client, ann):
    answer = client.get("/password/set/MTIz/abc-def/")
    assert answer.status_code == 400
    assert "This link does not work" in answer.text
    assert 'href="/password/forgot/"' in answer.text


def test_the_token_leaves_the_address_bar_before_the_form_shows(client, ann, mailoutbox):
    client.post("/password/forgot/", {"email": "ann@example.com"})
    [link] = links_in(mailoutbox[0])
    redirect = client.get(link)
    assert redirect.status_code == 302
    assert redirect["Location"].endswith("/set-password/")
    form = client.get(redirect["Location"])
    assert "Choose your password" in form.text
    assert "ann@example.com at Acme Ostud OÜ" in form.text


def test_a_weak_password_through_the_link_is_refused_and_the_link_still_works(
    client, ann, mailoutbox
):
    client.post("/password/forgot/", {"email": "ann@example.com"})
    [link] = links_in(mailoutbox[0])
    answer = set_password_through(client, link, "short")
    assert answer.status_code == 422
    assert "too short" in " ".join(answer.context["form"].errors["new_password1"])
    assert set_password_through(client, link, NEW).status_code == 303


def test_a_used_link_is_refused(client, ann, mailoutbox):
    client.post("/password/forgot/", {"email": "ann@example.com"})
    [link] = links_in(mailoutbox[0])
    set_password_through(Client(), link, NEW)
    answer = open_link(Client(), link)
    assert answer.status_code == 400
    assert "was used already" in answer.text


def test_a_superusers_sign_in_has_no_link_page(client, db):
    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    uid = urlsafe_base64_encode(force_bytes(root.pk))
    token = default_token_generator.make_token(root)
    assert client.get(f"/password/set/{uid}/{token}/").status_code == 400
