"""Text that Python's ``str.isdigit`` takes for a number but ``int`` does not ("³", "²").

Found by the Schemathesis run (`make fuzz`): an invoice ref "³" in a batch export was a
500. Digits are ASCII digits wherever a number is read from text.
"""

from __future__ import annotations

import pytest

from payables.einvoice import ee_einvoice
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.ee_support import DISCOUNTS, rule_ids, variant


@pytest.mark.parametrize("ref", ["³", "١٢", "12³"])
def test_an_invoice_ref_of_other_digits_is_not_found(api, make_invoice, ref):
    make_invoice()
    response = api.get(f"/invoices/{ref}")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "invoice_not_found"


def test_a_batch_export_names_a_ref_of_other_digits_as_not_found(api, make_invoice):
    make_invoice()
    response = api.post("/invoices/export", {"invoices": ["³"]})
    assert response.status_code == 200, response.content
    (item,) = response.json()["results"]
    assert item["outcome"] == "error"
    assert item["code"] == "invoice_not_found"


def test_an_estonian_footer_count_of_other_digits_is_a_finding_not_a_crash():
    def superscript(root):
        root.find("Footer/TotalNumberInvoices").text = "²"

    document = ee_einvoice.parse(variant(DISCOUNTS, superscript), limits=ParseLimits())
    assert "EE-FOOTER-COUNT" in rule_ids(document)
