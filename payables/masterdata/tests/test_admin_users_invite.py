"""Inviting users in the admin: on the add form, and as an action on the list."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payables.events.models import Event
from payables.masterdata.schemas import UserIn
from payables.masterdata.services import create_user, set_user_password
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser
from payables.web.tests.mail_links import links_in, set_password_through

ADD = reverse("admin:tenancy_companyuser_add")
LIST = reverse("admin:tenancy_companyuser_changelist")
FORM = {"code": "E-17", "name": "Mari Maasikas", "email": "mari@example.com", "is_active": "on"}


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks, mailoutbox):
    """Run a request and its after-commit work (the mails); answer the request's answer."""

    def run(request):
        with django_capture_on_commit_callbacks(execute=True):
            answer = request()
        return answer

    return run


def _user(company: Company, code: str, email: str) -> CompanyUser:
    data = UserIn(code=code, name=f"User {code}", email=email).model_dump()
    return create_user(data, actor=Actor.system(company))


def test_the_add_form_offers_an_invitation_ticked_and_the_change_form_does_not(
    admin_client, company
):
    form = admin_client.get(ADD).context["adminform"].form
    assert form.fields["invite"].initial is True
    user = _user(company, "E-1", "jaan@example.com")
    change = reverse("admin:tenancy_companyuser_change", args=[user.pk])
    assert "invite" not in admin_client.get(change).context["adminform"].form.fields


def test_adding_with_the_invitation_ticked_mails_a_link_that_works(
    admin_client, company, committed, mailoutbox
):
    answer = committed(
        lambda: admin_client.post(ADD, FORM | {"company": company.pk, "invite": "on"})
    )
    assert answer.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["mari@example.com"]
    [event] = Event.objects.filter(type="user.invited")
    assert event.actor == "admin:root"
    assert (
        set_password_through(Client(), links_in(mail)[0], "kevadine-meri-2026").status_code == 303
    )


def test_adding_without_the_invitation_sends_nothing(admin_client, company, committed, mailoutbox):
    committed(lambda: admin_client.post(ADD, FORM | {"company": company.pk}))
    assert CompanyUser.objects.filter(code="E-17").exists()
    assert mailoutbox == []


def test_an_invitation_without_email_is_shown_at_the_field_and_nothing_is_stored(
    admin_client, company, committed, mailoutbox
):
    form = FORM | {"company": company.pk, "invite": "on", "email": ""}
    answer = committed(lambda: admin_client.post(ADD, form))
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert errors["email"] == ["An invitation needs an email address."]
    assert not CompanyUser.objects.exists()
    assert mailoutbox == []


def test_the_invite_action_mails_each_selected_user_and_names_who_cannot_be(
    admin_client, company, committed, mailoutbox
):
    users = [_user(company, "E-1", "jaan@example.com"), _user(company, "E-2", "")]
    action = {"action": "invite_selected", "_selected_action": [str(u.pk) for u in users]}
    answer = committed(lambda: admin_client.post(LIST, action, follow=True))
    assert [m.to for m in mailoutbox] == [["jaan@example.com"]]
    shown = [str(m) for m in answer.context["messages"]]
    assert "E-2: email: User 'E-2' has no email address to send the invitation to." in shown
    assert "Sent 1 invitation(s)." in shown


def test_the_change_page_says_whether_a_password_is_set_and_nothing_more(admin_client, company):
    user = _user(company, "E-1", "jaan@example.com")
    change = reverse("admin:tenancy_companyuser_change", args=[user.pk])
    assert "not set yet" in admin_client.get(change).text
    set_user_password(user, "kevadine-meri-2026", actor=Actor.system(company))
    page = admin_client.get(change).text
    assert "not set yet" not in page
    assert "pbkdf2" not in page and "md5" not in page
