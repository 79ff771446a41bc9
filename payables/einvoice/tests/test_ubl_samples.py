"""UBL 2.1 hand-made samples map to the model, bad ones are refused, and detection
claims UBL and nothing else.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from payables.einvoice import ubl
from payables.einvoice.errors import (
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import (
    AllowanceCharge,
    ParseLimits,
    PaymentMeans,
)
from payables.einvoice.tests.corpus import SAMPLES_DIR, corpus_files
from payables.einvoice.tests.ubl_support import (
    CREDIT_NOTE_SAMPLE,
    INVOICE_SAMPLE,
    LIMITS,
    invoice_of,
    parsed,
)

# Samples: parse --------------------------------------------------------------------------


def test_credit_note_without_type_code_is_a_381_credit_note() -> None:
    invoice = invoice_of(CREDIT_NOTE_SAMPLE)
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)


def test_credit_note_amounts_stay_positive_as_stated() -> None:
    totals = invoice_of(CREDIT_NOTE_SAMPLE).totals
    assert (totals.payable, totals.tax_total) == (Decimal("24.40"), Decimal("4.40"))


def test_sample_invoice_maps_payment_allowances_and_references() -> None:
    invoice = invoice_of(INVOICE_SAMPLE)
    assert invoice.payment_means == (
        PaymentMeans(
            code="58",
            iban="FI2112345600000785",
            bic="NDEAFIHH",
            payment_reference="RF18539007547034",
        ),
    )
    assert invoice.allowances_charges == (
        AllowanceCharge(
            is_charge=False,
            amount=Decimal("10.00"),
            vat_category="S",
            vat_rate=Decimal(24),
            reason="Volume discount",
            reason_code="95",
        ),
        AllowanceCharge(
            is_charge=True,
            amount=Decimal("5.00"),
            vat_category="S",
            vat_rate=Decimal(14),
            reason="Freight",
            reason_code="FC",
        ),
    )
    assert (invoice.due_date, invoice.order_reference, invoice.payment_terms) == (
        date(2024, 5, 2),
        "PO-88121",
        "30 days net",
    )


def test_lowercase_currency_is_read_upper_case_with_a_warning() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"<cbc:DocumentCurrencyCode>EUR<", b"<cbc:DocumentCurrencyCode>eur<"
    )
    document = ubl.parse(data, limits=LIMITS)
    assert document.invoices[0].currency == "EUR"
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-UBL-CURRENCY", "warning")]


def test_unknown_specification_identifier_is_reported() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
        b"urn:example:local-invoice:1",
    )
    document = ubl.parse(data, limits=LIMITS)
    assert document.profile == ""
    assert [f.rule_id for f in document.findings] == ["PAY-UBL-PROFILE"]


@pytest.mark.parametrize(
    ("original", "broken", "location"),
    [
        (b">179.10<", b">179,10.5<", "PayableAmount"),
        (b"<cbc:ChargeIndicator>true<", b"<cbc:ChargeIndicator>yes<", "ChargeIndicator"),
        (b"<cbc:DueDate>2024-05-02<", b"<cbc:DueDate>02.05.2024<", "DueDate"),
        (b"aXRlbSxxdWFudGl0eQpQ", b"aXRlbSxxdWFudGl0eQp*", "EmbeddedDocumentBinaryObject"),
        (
            b'<cbc:LineExtensionAmount currencyID="EUR">50.00<',
            b"<cbc:LineExtensionAmount><",
            "InvoiceLine[2]",
        ),
    ],
    ids=["amount", "charge-indicator", "date", "base64", "missing-line-amount"],
)
def test_unreadable_value_is_refused_with_its_location(
    original: bytes, broken: bytes, location: str
) -> None:
    data = INVOICE_SAMPLE.read_bytes()
    assert original in data
    with pytest.raises(MalformedDocument) as refused:
        ubl.parse(data.replace(original, broken), limits=LIMITS)
    assert location in refused.value.findings[0].location


def test_attachment_over_the_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded):
        ubl.parse(INVOICE_SAMPLE.read_bytes(), limits=ParseLimits(max_attachment_bytes=16))


def test_not_well_formed_document_is_malformed() -> None:
    with pytest.raises(MalformedDocument):
        ubl.parse(INVOICE_SAMPLE.read_bytes()[:-40], limits=LIMITS)


def test_document_without_lines_parses_as_header_only_and_says_so() -> None:
    data = INVOICE_SAMPLE.read_bytes()
    headless = data[: data.index(b"  <cac:InvoiceLine>")] + b"</Invoice>\n"
    document = ubl.parse(headless, limits=LIMITS)
    assert (document.invoices[0].lines, document.is_header_only) == ((), True)
    assert [f.rule_id for f in document.findings] == ["PAY-UBL-LINES"]


def test_entity_declaration_is_refused_as_unsafe() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"<Invoice ", b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Invoice ', 1
    )
    with pytest.raises(UnsafeDocument):
        ubl.parse(data, limits=LIMITS)


def test_other_xml_is_refused_as_unsupported() -> None:
    data = b'<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>'
    with pytest.raises(UnsupportedFormat):
        ubl.parse(data, limits=LIMITS)


# Detect ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "row"), corpus_files("ubl"))
def test_detect_claims_every_ubl_corpus_file(path: Path, row: dict) -> None:
    assert ubl.detect(path.read_bytes())


@pytest.mark.parametrize(
    ("path", "row"), corpus_files("cii") + corpus_files("finvoice") + corpus_files("facturx-pdf")
)
def test_detect_leaves_other_formats_alone(path: Path, row: dict) -> None:
    assert not ubl.detect(path.read_bytes())


@pytest.mark.parametrize(
    "path",
    [p for prefix in ("cii-", "ee-", "finvoice-") for p in sorted(SAMPLES_DIR.glob(f"{prefix}*"))],
    ids=lambda path: path.name,
)
def test_detect_leaves_other_format_samples_alone(path: Path) -> None:
    assert not ubl.detect(path.read_bytes())


def test_utf16_document_is_detected_and_parsed() -> None:
    data = INVOICE_SAMPLE.read_text(encoding="utf-8").replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )
    encoded = data.encode("utf-16")
    assert ubl.detect(encoded)
    assert ubl.parse(encoded, limits=LIMITS).invoices == parsed(INVOICE_SAMPLE).invoices


def test_detect_claims_ubl_behind_a_doctype_for_the_safe_parser_to_refuse() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"<Invoice ", b'<!DOCTYPE Invoice [<!ENTITY x "y">]>\n<Invoice ', 1
    )
    assert ubl.detect(data)


def test_detect_leaves_a_root_without_the_ubl_namespace_alone() -> None:
    assert not ubl.detect(b'<?xml version="1.0"?>\n<Invoice><cbc:ID>1</cbc:ID></Invoice>')


def test_detect_reads_past_a_bom_and_comments() -> None:
    data = (
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- from ERP -->\n"
        + CREDIT_NOTE_SAMPLE.read_bytes()[39:]
    )
    assert ubl.detect(data)
