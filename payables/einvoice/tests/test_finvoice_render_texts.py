"""Finvoice 3.0 rendering of hand-built invoices, continued: text that needs escaping or
splitting, the values Finvoice requires that an invoice may lack, links and attachments, and
every model field Finvoice can hold. Each document is checked against the official schema too.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from payables.einvoice import finvoice
from payables.einvoice.model import (
    Address,
    Attachment,
    PaymentMeans,
    VatBreakdown,
)
from payables.einvoice.tests.finvoice_render_support import (
    LIMITS,
    carried,
    round_trip,
    schema_errors,
)
from payables.einvoice.tests.test_finvoice_render import (
    BUYER,
    SELLER,
    SIMPLE,
    invoice,
    line,
    rendered,
    texts,
)
from payables.einvoice.tests.test_ubl_render import every_field_set

D = Decimal


def test_markup_characters_and_other_scripts_are_escaped_and_come_back() -> None:
    seller = dataclasses.replace(SELLER, name="Smith & <Sons> Oy", trading_name="Ünïcødé")
    buyer = dataclasses.replace(BUYER, name="ООО «Ромашка» 株式会社")  # noqa: RUF001 (Cyrillic)
    value = invoice(
        line(1, "10.00", "24", name="Café <crème> & \"brûlée\" 'x' 🍮", note="Ω ≤ 5 > 3"),
        vat=(VatBreakdown("S", D("10.00"), D("2.40"), D(24)),),
        seller=seller,
        buyer=buyer,
        notes=("R&D <test> ëñ 中文",),
    )
    data = finvoice.render(value)
    assert b"Smith &amp; &lt;Sons&gt; Oy" in data
    assert "株式会社".encode() in data
    assert schema_errors(data) == []
    assert round_trip(value) == value


def test_characters_xml_cannot_hold_are_dropped() -> None:
    value = dataclasses.replace(SIMPLE, notes=("Bell\x07 rings",))
    assert round_trip(value).notes == ("Bell rings",)


def test_long_names_and_terms_are_split_over_the_elements_finvoice_repeats() -> None:
    name = "Pitkänimisen Rakennus- ja Kiinteistöpalvelun Osakeyhtiö Etelä-Suomen Alueyksikkö"
    terms = "14 päivää netto. " * 6
    value = dataclasses.replace(
        SIMPLE, seller=dataclasses.replace(SELLER, name=name), payment_terms=terms.strip()
    )
    root = rendered(value)
    assert len(texts(root, "SellerPartyDetails/SellerOrganisationName")) == 2
    assert len(root.findall("InvoiceDetails/PaymentTermsDetails")) == 1
    back = round_trip(value)
    assert back.seller.name == name
    assert back.payment_terms.split() == terms.split()


def test_an_identifier_too_long_for_its_element_is_left_out_not_cut() -> None:
    value = dataclasses.replace(SIMPLE, order_reference="P" * 71, buyer_reference="B-1")
    back = round_trip(value)
    assert (back.order_reference, back.buyer_reference) == ("", "B-1")


# What Finvoice requires ------------------------------------------------------------------


def test_without_an_account_the_required_account_says_none() -> None:
    card = PaymentMeans(code="48")
    value = dataclasses.replace(SIMPLE, payment_means=(card,))
    root = rendered(value)
    account = root.find("EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID")
    assert (account.text, account.get("IdentificationSchemeName")) == ("-", "BBAN")
    assert root.find("SellerInformationDetails") is None
    assert round_trip(value).payment_means == (card,)


def test_without_a_due_date_the_payment_date_is_the_issue_date() -> None:
    value = dataclasses.replace(SIMPLE, due_date=None)
    root = rendered(value)
    assert root.find("InvoiceDetails/PaymentTermsDetails") is None
    assert texts(root, "EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate") == ["20241015"]
    assert round_trip(value).due_date == date(2024, 10, 15)


def test_an_invoice_without_lines_has_one_empty_row() -> None:
    value = dataclasses.replace(SIMPLE, lines=())
    root = rendered(value)
    assert [len(row) for row in root.findall("InvoiceRow")] == [0]
    assert round_trip(value).lines == ()


def test_a_partial_address_is_left_out() -> None:
    value = dataclasses.replace(
        SIMPLE, buyer=dataclasses.replace(BUYER, address=Address(country="EE"))
    )
    root = rendered(value)
    assert root.find("BuyerPartyDetails/BuyerPostalAddressDetails") is None


def test_links_are_written_and_embedded_files_left_out() -> None:
    value = dataclasses.replace(
        SIMPLE,
        attachments=(
            Attachment(id="Timesheet", uri="https://example.com/t/1"),
            Attachment(id="scan", filename="scan.pdf", mime_code="application/pdf", content=b"%"),
        ),
    )
    root = rendered(value)
    assert texts(root, "InvoiceUrlNameText") == ["Timesheet"]
    assert texts(root, "InvoiceUrlText") == ["https://example.com/t/1"]
    assert round_trip(value).attachments == (
        Attachment(id="Timesheet", uri="https://example.com/t/1"),
    )


# Every field ------------------------------------------------------------------------------

# What the writer's docstring says Finvoice cannot carry, for ``every_field_set``.
LEFT_OUT = {
    "customization_id": "",  # BT-24: the transmission's MessageDetails
    "profile_id": "",  # BT-23
    "payee_name": "",  # BT-59
}


def test_every_field_finvoice_can_hold_comes_back() -> None:
    value = every_field_set()
    data = finvoice.render(value)
    assert schema_errors(data) == []
    seller, buyer = value.seller, value.buyer
    expected = dataclasses.replace(
        value,
        **LEFT_OUT,
        seller=dataclasses.replace(
            seller, tax_registration_id="", electronic_address="", electronic_address_scheme=""
        ),
        buyer=dataclasses.replace(
            buyer,
            tax_registration_id="",
            electronic_address="",
            electronic_address_scheme="",
            identifiers=(buyer.identifiers[1], buyer.identifiers[0]),  # the OVT code first
        ),
        # "RF1" is no RF reference; the second payment means has no account to write.
        payment_means=(dataclasses.replace(value.payment_means[0], payment_reference=""),),
        attachments=tuple(Attachment(id=a.id, uri=a.uri) for a in value.attachments if a.uri),
    )
    assert finvoice.parse(data, limits=LIMITS).invoices == (expected,)


def test_every_field_of_a_credit_note_comes_back_with_its_amounts_negated() -> None:
    value = dataclasses.replace(every_field_set(), type_code="381")
    data = finvoice.render(value)
    assert schema_errors(data) == []
    (back,) = finvoice.parse(data, limits=LIMITS).invoices
    assert back.type_code == "381"
    assert carried(back) == carried(value, sign=D(-1))
    assert back.lines[0].allowances_charges[0].amount == D("-2.00")
