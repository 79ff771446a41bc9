"""Estonian e-invoice attachments, parties, payment and references, and hostile input."""

from __future__ import annotations

import base64

import pytest

from payables.einvoice import ee_einvoice
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.tests.ee_support import (
    ATTACHMENT,
    CREDIT_NOTE,
    GROUPS,
    THREE_INVOICES,
    parsed,
    rule_ids,
    tree,
    variant,
)

# --- attachments ------------------------------------------------------------------------------


def test_attachment_decodes_byte_exact():
    attachment_file = tree(ATTACHMENT).find("Invoice/AttachmentFile")
    expected = base64.b64decode(attachment_file.findtext("FileBase64"))
    (attachment,) = parsed(ATTACHMENT).invoices[0].attachments
    assert attachment.content == expected
    assert len(attachment.content) == int(attachment_file.findtext("FileSize"))
    assert attachment.content.startswith(b"%PDF-")
    assert (attachment.filename, attachment.mime_code) == (
        "arve_KK-2025-0917.pdf",
        "application/pdf",
    )


def test_an_attachment_over_the_limit_is_refused():
    data = (SAMPLES_DIR / ATTACHMENT).read_bytes()
    with pytest.raises(LimitExceeded) as raised:
        ee_einvoice.parse(data, limits=ParseLimits(max_attachment_bytes=100))
    assert raised.value.findings[0].location.endswith("AttachmentFile/FileBase64")


def test_an_attachment_that_is_not_base64_is_an_error_finding():
    def corrupt(root):
        root.find("Invoice/AttachmentFile/FileBase64").text = "JVBERi0x*not*base64"

    document = ee_einvoice.parse(variant(ATTACHMENT, corrupt), limits=ParseLimits())
    assert document.invoices[0].attachments == ()
    assert [f.severity for f in document.findings if f.rule_id == "EE-ATTACHMENT"] == ["error"]


# --- parties, payment, references --------------------------------------------------------------


def test_seller_and_buyer_identity_and_address():
    invoice = parsed(THREE_INVOICES).invoices[0]
    seller, buyer = invoice.seller, invoice.buyer
    assert (seller.name, seller.registry_id, seller.registry_scheme, seller.vat_id) == (
        "Kirjastus Läänemeri OÜ",
        "10232912",
        "0191",
        "EE107748197",
    )
    assert seller.address.lines == ("Riia tn 24", "II korrus")
    assert (seller.address.city, seller.address.postal_code, seller.address.country) == (
        "Tartu",
        "51010",
        "EE",
    )
    assert (buyer.name, buyer.registry_id, buyer.vat_id, buyer.contact_name) == (
        "Põhjala Puidutööstus AS",
        "11424737",
        "EE104383063",
        "Kadri Tamm",
    )


def test_a_country_written_as_a_name_becomes_its_code():
    leasing = parsed(THREE_INVOICES).invoices[2]
    assert tree(THREE_INVOICES).xpath("string(//Invoice[3]//SellerParty//Country)") == "Eesti"
    assert leasing.seller.address.country == "EE"


def test_payment_goes_to_the_pay_to_account_with_the_reference_number():
    invoice = parsed(THREE_INVOICES).invoices[1]
    assert [
        (m.code, m.iban, m.bic, m.account_name, m.payment_reference) for m in invoice.payment_means
    ] == [("58", "EE841705506629976122", "RIKOEE22", "Rannavärava Logistika AS", "20250731057")]


def test_dates_terms_and_references():
    invoice = parsed(THREE_INVOICES).invoices[1]
    assert (str(invoice.issue_date), str(invoice.due_date), invoice.currency) == (
        "2025-07-31",
        "2025-08-21",
        "EUR",
    )
    assert (invoice.order_reference, invoice.contract_reference) == ("PO-2025-0412", "LEP-2024/118")
    assert parsed(THREE_INVOICES).invoices[0].payment_terms == (
        "14 päeva; Penalty interest 0.05 % per day"
    )


def test_invoice_content_text_is_a_note():
    assert parsed(CREDIT_NOTE).invoices[0].notes == (
        "Kreeditarve arvele BK-2025-0912: tagastatud kaup",
    )


def test_a_date_that_is_not_a_date_gives_a_warning_and_no_date():
    def garble(root):
        root.find("Invoice/InvoiceInformation/InvoiceDate").text = "2025-13-45"

    document = ee_einvoice.parse(variant(CREDIT_NOTE, garble), limits=ParseLimits())
    assert document.invoices[0].issue_date is None
    assert "EE-DATE" in rule_ids(document)


# --- hostile and broken input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", MalformedDocument),
        (b"<E_Invoice><Header>", MalformedDocument),
        (b"<Finvoice/>", UnsupportedFormat),
        (
            b"<E_Invoice><Header><Version>1.2</Version></Header><Footer/></E_Invoice>",
            MalformedDocument,
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE E_Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<E_Invoice>&x;</E_Invoice>",
            UnsafeDocument,
        ),
        (
            b'<!DOCTYPE E_Invoice [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<E_Invoice>&b;</E_Invoice>",
            UnsafeDocument,
        ),
    ],
    ids=["empty", "not-well-formed", "wrong-root", "no-invoice", "xxe", "entity-expansion"],
)
def test_broken_or_hostile_input_raises_an_einvoice_error(data, error):
    with pytest.raises(error) as raised:
        ee_einvoice.parse(data, limits=ParseLimits())
    assert isinstance(raised.value, EInvoiceError)
    assert raised.value.findings


def test_an_amount_that_is_not_a_number_is_refused_with_its_location():
    def garble(root):
        root.find("Invoice/InvoiceSumGroup/TotalSum").text = "kolmsada"

    with pytest.raises(MalformedDocument) as raised:
        ee_einvoice.parse(variant(CREDIT_NOTE, garble), limits=ParseLimits())
    assert raised.value.findings[0].location == "/E_Invoice/Invoice/InvoiceSumGroup/TotalSum"


def test_a_file_over_the_size_limit_is_refused():
    data = (SAMPLES_DIR / GROUPS).read_bytes()
    with pytest.raises(LimitExceeded):
        ee_einvoice.parse(data, limits=ParseLimits(max_bytes=1000))
