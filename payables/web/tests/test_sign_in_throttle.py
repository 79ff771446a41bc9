"""Failed sign-ins are throttled per account and per client address (django-axes).

Five failures (``PAYABLES_SIGNIN_FAILURE_LIMIT``) lock the account typed and the address
they came from for fifteen minutes (``PAYABLES_SIGNIN_COOLOFF_MINUTES``) after the last
one: the web sign-in and the admin's answer 429 with the reason on the page, and the
right password is refused too until the cool-off has passed.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from payables.web.tests.conftest import PASSWORD

LOCKED = "Too many failed sign-ins"


def _sign_in(client: Client, email: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post("/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=address)


def _admin_sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", data, REMOTE_ADDR=address)


def _cool_off_passes() -> None:
    """Age the recorded failures beyond the cool-off, as fifteen minutes would."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


def test_six_wrong_passwords_lock_the_account_even_for_the_right_one(client, ann):
    answers = [_sign_in(client, "ann@example.com", f"wrong {n}") for n in range(6)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429, 429]
    assert "The email address or the password is wrong" in answers[3].text
    locked = answers[5]
    assert LOCKED in locked.text
    assert "15 minutes" in locked.text
    assert 'role="alert"' in locked.text  # on the sign-in page, where the error goes
    assert 'value="ann@example.com"' in locked.text  # the form keeps what was typed

    refused = _sign_in(client, "ann@example.com")  # the right password
    assert refused.status_code == 429
    assert LOCKED in refused.text
    assert client.get("/").status_code == 302  # not signed in
    # Attempts while locked are not recorded: they neither extend the lock nor pile up.
    assert AccessAttempt.objects.get().failures_since_start == 5

    _cool_off_passes()
    signed_in = _sign_in(client, "ann@example.com")
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_account_is_locked_from_every_address_and_whatever_the_case(client, ann):
    for n in range(5):
        _sign_in(client, "Ann@Example.com " if n % 2 else "ann@example.com", "wrong", f"10.0.1.{n}")
    elsewhere = _sign_in(Client(), "ANN@example.com", address="10.9.9.9")
    assert elsewhere.status_code == 429
    assert LOCKED in elsewhere.text


def test_an_address_is_locked_whatever_accounts_it_tries(client, ann, bob):
    for n in range(5):
        _sign_in(client, f"guess{n}@example.com", "wrong", "10.0.0.7")
    from_there = _sign_in(Client(), "bob@example.com", address="10.0.0.7")
    assert from_there.status_code == 429
    from_elsewhere = _sign_in(Client(), "bob@example.com", address="10.0.0.8")
    assert from_elsewhere.status_code == 302


def test_failures_below_the_limit_lock_nobody(client, ann):
    for _ in range(4):
        assert _sign_in(client, "ann@example.com", "wrong").status_code == 400
    assert _sign_in(client, "ann@example.com").status_code == 302


def test_failures_older_than_the_cool_off_are_forgotten(client, ann):
    for _ in range(4):
        _sign_in(client, "ann@example.com", "wrong")
    _cool_off_passes()
    assert _sign_in(client, "ann@example.com", "wrong").status_code == 400  # one, not five
    assert _sign_in(client, "ann@example.com").status_code == 302


def test_signing_in_to_several_companies_counts_no_failure(client, make_member, other_company):
    make_member("ANN")
    make_member("ANN", company=other_company)
    for _ in range(6):
        response = _sign_in(Client(), "ann@example.com")
        assert response.status_code == 302
        assert response["Location"] == "/sign-in/company/"
    assert not AccessAttempt.objects.exists()


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=timedelta(minutes=30))
def test_the_limit_and_cool_off_come_from_settings(client, ann):
    assert _sign_in(client, "ann@example.com", "wrong").status_code == 400
    locked = _sign_in(client, "ann@example.com", "wrong")
    assert locked.status_code == 429
    assert "30 minutes" in locked.text


@override_settings(PAYABLES_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, ann, bob):
    def through_proxy(email: str, password: str, forwarded: str):
        data = {"email": email, "password": password}
        return Client().post(
            "/sign-in/", data, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded
        )

    for n in range(5):  # the client spoofs the left entry; the proxy appends the real one
        through_proxy(f"guess{n}@example.com", "wrong", f"203.0.113.{n}, 198.51.100.7")
    assert through_proxy("bob@example.com", PASSWORD, "198.51.100.7").status_code == 429
    # Another client behind the same proxy is not locked out with the first.
    assert through_proxy("bob@example.com", PASSWORD, "198.51.100.8").status_code == 302


def test_without_a_trusted_proxy_forwarded_for_is_ignored(client, ann, bob):
    for n in range(5):
        client.post(
            "/sign-in/",
            {"email": f"guess{n}@example.com", "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert _sign_in(Client(), "bob@example.com", address="10.0.0.9").status_code == 429


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


def test_the_admin_sign_in_is_throttled_too(client, root):
    answers = [_admin_sign_in(client, "root", f"wrong {n}") for n in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    refused = _admin_sign_in(client, "root", PASSWORD)
    assert refused.status_code == 429
    assert LOCKED in refused.text
    assert 'id="login-form"' in refused.text  # the admin's own sign-in page
    assert client.get("/admin/").status_code == 302

    _cool_off_passes()
    assert _admin_sign_in(client, "root", PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_locked_address_is_refused_by_the_admin_too(client, ann, root):
    for n in range(5):
        _sign_in(client, f"guess{n}@example.com", "wrong", "10.0.0.5")
    assert _admin_sign_in(client, "root", PASSWORD, "10.0.0.5").status_code == 429


def test_an_administrator_lifts_a_lock_from_the_command_line(client, ann):
    for _ in range(5):
        _sign_in(client, "ann@example.com", "wrong")
    assert _sign_in(client, "ann@example.com").status_code == 429
    call_command("axes_reset_username", "ann@example.com", stdout=StringIO())
    assert _sign_in(client, "ann@example.com").status_code == 302
