"""Tolerances and matches in the admin: listed and shown, never edited there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from payables.conftest import ApiClient
from payables.orders.models import InvoiceMatch, MatchTolerance
from payables.orders.tests.matching_cases import invoice_body, post_invoice, row

PO = "PO-2026-001"


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    return client


def test_a_company_s_tolerances_are_listed_and_shown_read_only(admin_client, api: ApiClient):
    assert api.put("/match-tolerances/company", {"price_percent": "2.5"}).status_code == 200
    tolerance = MatchTolerance.objects.get()
    listed = admin_client.get(reverse("admin:orders_matchtolerance_changelist")).text
    assert "2.5000" in listed
    shown = admin_client.get(reverse("admin:orders_matchtolerance_change", args=[tolerance.pk]))
    assert shown.status_code == 200
    assert 'type="submit"' not in shown.text.split('id="content-main"')[1]  # nothing to save
    add = admin_client.get(reverse("admin:orders_matchtolerance_add"))
    assert add.status_code == 403


def test_an_invoice_s_match_is_shown_with_its_rows(
    admin_client, api: ApiClient, make_order, supplier
):
    make_order()
    body = invoice_body(supplier, "INV-ADM", [row("Paper A4, box of 5 reams", "12", "12.50")])
    invoice = post_invoice(api, body | {"order_number": PO})
    match = InvoiceMatch.objects.get(invoice_id=invoice["id"])
    listed = admin_client.get(
        reverse("admin:orders_invoicematch_changelist"), {"status": "discrepancy"}
    ).text
    assert "INV-ADM" in listed
    shown = admin_client.get(reverse("admin:orders_invoicematch_change", args=[match.pk])).text
    assert "over_invoiced" in shown  # the row billed 12 of the 10 ordered
    assert (
        admin_client.post(
            reverse("admin:orders_invoicematch_delete", args=[match.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert InvoiceMatch.objects.filter(pk=match.pk).exists()
