"""The admin screens of every master data kind open, with data, for a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payables.masterdata.tests.kinds import KINDS, KindCase


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_change_page_of_a_record_opens_for_a_superuser(api, admin_client, kind: KindCase):
    kind.setup(api)
    created = api.post(kind.path, kind.payload).json()
    meta = kind.model._meta
    listed = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert listed.status_code == 200
    assert kind.code in listed.content.decode()
    page = admin_client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[created["id"]])
    )
    assert page.status_code == 200
