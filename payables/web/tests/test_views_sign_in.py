"""Signing in and out of the web inbox, and who gets in."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from django.test import Client

from payables.masterdata.services.users import deactivate_user
from payables.web.tests.conftest import PASSWORD


def _sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post("/sign-in/", {"email": email, "password": password, **extra})


def _signed_in_as(client: Client):
    return client.get("/").context["request"].member


def test_signs_in_with_email_and_password(client, ann):
    response = _sign_in(client, "ANN@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Ann Example" in page.text
    assert _signed_in_as(client) == ann


def test_wrong_password_is_refused(client, ann):
    response = _sign_in(client, "ann@example.com", "not the password")
    assert response.status_code == 400
    assert "The email address or the password is wrong" in response.text
    assert client.get("/").status_code == 302


def test_unknown_email_is_refused_like_a_wrong_password(client, db):
    response = _sign_in(client, "nobody@example.com")
    assert response.status_code == 400
    assert "The email address or the password is wrong" in response.text


def test_inactive_user_cannot_sign_in(client, ann, actor):
    deactivate_user(ann, actor=actor)
    response = _sign_in(client, "ann@example.com")
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_their_session(client, ann, actor):
    _sign_in(client, "ann@example.com")
    assert client.get("/").status_code == 200
    deactivate_user(ann, actor=actor)
    assert client.get("/")["Location"].startswith("/sign-in/")


def test_same_email_in_two_companies_asks_which_company(client, make_member, other_company):
    make_member("ANN")
    theirs = make_member("ANN", company=other_company)
    response = _sign_in(client, "ann@example.com")
    assert response["Location"] == "/sign-in/company/"
    choice = client.get("/sign-in/company/")
    assert "Acme Ostud OÜ" in choice.text
    assert "Other Oy" in choice.text
    assert client.post("/sign-in/company/", {"member": str(theirs.pk)})["Location"] == "/"
    assert _signed_in_as(client) == theirs


def test_the_company_choice_offers_only_the_matching_people(client, make_member, other_company):
    make_member("ANN")
    make_member("ANN", company=other_company)
    stranger = make_member("EVE", email="eve@example.com")
    _sign_in(client, "ann@example.com")
    response = client.post("/sign-in/company/", {"member": str(stranger.pk)})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert client.get("/").status_code == 302


def test_a_password_of_one_company_signs_in_there_directly(client, make_member, other_company):
    make_member("ANN")
    theirs = make_member("ANN", company=other_company, password="another long passphrase")
    response = _sign_in(client, "ann@example.com", "another long passphrase")
    assert response["Location"] == "/"
    assert _signed_in_as(client) == theirs


def test_the_company_choice_needs_a_pending_sign_in(client, db):
    response = client.get("/sign-in/company/")
    assert response["Location"] == "/sign-in/"


def test_sign_in_returns_to_the_page_asked_for(client, ann):
    response = _sign_in(client, "ann@example.com", next="/invoices/")
    assert response["Location"] == "/invoices/"


def test_sign_in_does_not_redirect_to_another_site(client, ann):
    response = _sign_in(client, "ann@example.com", next="https://evil.example/")
    assert response["Location"] == "/"


def test_sign_out_ends_the_session(client, ann):
    _sign_in(client, "ann@example.com")
    assert client.get("/sign-out/").status_code == 405  # only a POST signs out
    assert client.post("/sign-out/")["Location"] == "/sign-in/"
    assert client.get("/").status_code == 302


def test_every_page_needs_sign_in(client, chain):
    invoice, first, _ = chain
    for path in ["/", "/invoices/", f"/invoices/{invoice.id}/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/sign-in/?next={path}"
    response = client.post(f"/invoices/{invoice.id}/steps/{first.id}/approve/")
    assert response["Location"].startswith("/sign-in/")


def test_forms_need_the_csrf_token(ann):
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "ann@example.com")
    assert response.status_code == 403
    page = client.get("/sign-in/")
    assert 'name="csrfmiddlewaretoken"' in page.text


def test_a_user_of_no_company_is_pointed_at_the_admin(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(admin)
    response = client.get("/")
    assert response.status_code == 403
    assert "not a user of any company" in response.text
    assert 'href="/admin/"' in response.text


def test_the_backend_authenticates_by_email_and_company(ann, make_member, other_company):
    theirs = make_member("ANN", company=other_company)
    assert authenticate(None, email="ann@example.com", password=PASSWORD) is None  # two match
    found = authenticate(
        None, email="ann@example.com", password=PASSWORD, company_id=str(other_company.pk)
    )
    assert found == theirs.login
    assert authenticate(None, email="ann@example.com", password="wrong") is None


def test_the_admin_still_signs_in_by_username(client, db):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
