"""Line arithmetic beyond rounding brings an e-invoice in for review, with its finding."""

from __future__ import annotations

import pytest

from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.invoices.models import Invoice

# Ballons: 400 x 0.10 stated as 316.00 (the price should be 0.79); valid otherwise.
NO_NET_PRICE = CORPUS_DIR / "cii/zugferd-corpus/fail-noNetPriceValidation.xml"
needs_corpus = pytest.mark.skipif(not NO_NET_PRICE.exists(), reason="the shared corpus is absent")


@needs_corpus
def test_a_line_net_its_price_does_not_give_is_imported_for_review(api, settings):
    settings.PAYABLES_EINVOICE_SCHEMA_DIR = CORPUS_DIR / "xsd"
    settings.PAYABLES_EINVOICE_RULES_DIR = CORPUS_DIR / "xslt" / "en16931"

    response = api.post(
        "/invoices/import", raw=NO_NET_PRICE.read_bytes(), content_type="application/xml"
    )

    assert response.status_code == 200, response.json()
    [document] = response.json()["documents"]
    assert document["needs_review"] is True
    invoice = Invoice.objects.get(pk=document["invoices"][0]["invoice_id"])
    body = api.get(f"/invoices/{invoice.id}").json()
    assert body["net_amount"] == "316.00"  # the stated amounts are booked
    [finding] = body["review_findings"]
    assert finding["rule_id"] == "PAY-LINE-01"
    assert "316.00" in finding["message"] and "40.00" in finding["message"]
