"""The "forgot password" throttle: how often an address is mailed, and a client may ask."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from payables.masterdata.models import PasswordLinkRequest


def _ask(client: Client, email: str, *, from_address: str = "127.0.0.1", **extra: str):
    return client.post("/password/forgot/", {"email": email}, REMOTE_ADDR=from_address, **extra)


def _hour_passes() -> None:
    """Age the kept requests beyond the throttle's window, as an hour would."""
    PasswordLinkRequest.objects.update(requested_at=timezone.now() - timedelta(minutes=61))


def test_an_address_gets_three_mails_an_hour_and_the_same_answer_after(client, ann, mailoutbox):
    answers = [_ask(client, email) for email in ("ann@example.com", "ANN@example.com ") * 3]
    assert [a.status_code for a in answers] == [303] * 6
    assert len(mailoutbox) == 3
    shown = _ask(client, "ann@example.com", follow=True)
    assert "a link to set a new password is on its way" in shown.text
    assert len(mailoutbox) == 3


def test_unknown_addresses_count_against_their_own_limit_only(client, ann, mailoutbox):
    for _ in range(5):
        assert _ask(client, "nobody@example.com").status_code == 303
    assert _ask(client, "ann@example.com").status_code == 303
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]


def test_an_address_is_mailed_again_an_hour_later(client, ann, mailoutbox):
    for _ in range(4):
        _ask(client, "ann@example.com")
    _hour_passes()
    _ask(client, "ann@example.com")
    assert len(mailoutbox) == 4
    # the old requests are gone: only the last one is kept
    assert PasswordLinkRequest.objects.count() == 1


@override_settings(PAYABLES_PASSWORD_REQUESTS_PER_CLIENT=4)
def test_a_client_asking_too_often_is_refused_with_429_whatever_the_address(
    client, ann, mailoutbox
):
    for n in range(4):
        assert _ask(client, f"someone{n}@example.com").status_code == 303
    refused = _ask(client, "ann@example.com")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "Too many requests for password links from here" in refused.text
    assert 'role="alert"' in refused.text
    assert mailoutbox == []
    assert PasswordLinkRequest.objects.count() == 4  # the refused request is not kept
    assert _ask(Client(), "ann@example.com", from_address="192.0.2.7").status_code == 303
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]
    _hour_passes()
    assert _ask(client, "ann@example.com").status_code == 303


@override_settings(PAYABLES_PASSWORD_REQUESTS_PER_CLIENT=2, PAYABLES_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(client, ann):
    def through_proxy(forwarded: str):
        return _ask(
            client, "ann@example.com", from_address="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )

    assert [through_proxy("198.51.100.1").status_code for _ in range(3)] == [303, 303, 429]
    assert through_proxy("198.51.100.2").status_code == 303


@pytest.mark.parametrize("email", ["ann@", ""])
def test_an_invalid_address_is_refused_at_its_field_and_not_counted(client, db, email):
    assert _ask(client, email).status_code == 422
    assert not PasswordLinkRequest.objects.exists()


def test_no_typed_address_is_kept_only_its_digest(client, db):
    _ask(client, "Stranger@Example.com")
    [kept] = PasswordLinkRequest.objects.all()
    assert kept.address_digest == hashlib.sha256(b"stranger@example.com").hexdigest()
    assert kept.client_address == "127.0.0.1"
    assert "example" not in f"{kept.address_digest} {kept.client_address}"
