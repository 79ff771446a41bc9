"""What is not one readable order is refused, saying why and where; hostile input is bounded."""

from __future__ import annotations

import time

import pytest
from lxml import etree

from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
)
from payables.einvoice.model import ParseLimits
from payables.einvoice.orders import InvalidOrder, NotAnOrder, parse_order
from payables.einvoice.orders.tests.support import (
    EE_PAYLOAD,
    PEPPOL_BASE_QUANTITY,
    PEPPOL_EVERY_FIELD,
    sample,
    variant,
)
from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.tests.hostile_documents import CASES
from payables.einvoice.tests.hostile_documents.xml import UBL_OPEN
from payables.einvoice.ubl.syntax import NS

ORDER_OPEN = UBL_OPEN.replace(b"xsd:Invoice-2", b"xsd:Order-2").replace(b"<Invoice", b"<Order")
INVOICE = "/Payload/PurchaseOrder/E_Invoice/Invoice"


def refusal(data: bytes, error: type[EInvoiceError], **kwargs) -> EInvoiceError:
    with pytest.raises(error) as caught:
        parse_order(data, **kwargs)
    finding = caught.value.findings[0]
    assert finding.severity == "fatal"
    assert finding.rule_id == error.rule_id
    return caught.value


def location(error: EInvoiceError) -> str:
    return error.findings[0].location


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"<Payload><PurchaseOrder><E_Invoice>", "line 1"),
        (
            b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'>\n<a></b>",
            "line 2",
        ),
        (b"", ""),
        (b"not xml at all", "line 1"),
    ],
)
def test_malformed_xml_is_refused_with_its_line(data, where):
    error = refusal(data, MalformedDocument)
    assert location(error) == where


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"<Foo/>", "/Foo"),
        ((SAMPLES_DIR / "ubl-credit-note-without-type-code.xml").read_bytes(), "/CreditNote"),
        ((SAMPLES_DIR / "finvoice-3.0-invoice-utf-8-bom.xml").read_bytes(), "/Finvoice"),
        (b"<Order><cbc:ID xmlns:cbc='urn:x'>1</cbc:ID></Order>", "/Order"),
        (b"<Envelope><Body/></Envelope>", "/Envelope"),
    ],
)
def test_a_document_that_is_not_an_order_is_refused(data, where):
    error = refusal(data, NotAnOrder)
    assert location(error) == where
    assert "not" in error.message.lower()


def _second_invoice(root):
    e_invoice = root.find("PurchaseOrder/E_Invoice")
    e_invoice.insert(2, etree.fromstring(etree.tostring(e_invoice.find("Invoice"))))


def test_two_orders_in_one_payload_are_refused_naming_the_count():
    error = refusal(variant(EE_PAYLOAD, _second_invoice), InvalidOrder)
    assert "2 orders" in error.message
    assert location(error) == f"{INVOICE}[2]"


def _second_purchase_order(root):
    root.append(etree.fromstring(etree.tostring(root.find("PurchaseOrder"))))


def test_two_purchase_orders_in_the_payload_are_refused():
    error = refusal(variant(EE_PAYLOAD, _second_purchase_order), InvalidOrder)
    assert "2 PurchaseOrder" in error.message
    assert location(error) == "/Payload/PurchaseOrder[2]"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"<Payload><Other/></Payload>", "/Payload/PurchaseOrder"),
        (b"<Payload><PurchaseOrder/></Payload>", "/Payload/PurchaseOrder/E_Invoice"),
        (
            b"<Payload><PurchaseOrder><E_Invoice><Header/></E_Invoice></PurchaseOrder></Payload>",
            "/Payload/PurchaseOrder/E_Invoice/Invoice",
        ),
    ],
)
def test_a_payload_without_an_order_is_refused_where_it_is_missing(data, where):
    assert location(refusal(data, InvalidOrder)) == where


def _drop_ee_number(root):
    number = root.find("PurchaseOrder/E_Invoice/Invoice/InvoiceInformation/InvoiceNumber")
    number.getparent().remove(number)


def _drop_ubl_number(root):
    root.remove(root.find("cbc:ID", NS))


def test_an_order_without_a_number_is_refused_where_it_is_missing():
    error = refusal(variant(EE_PAYLOAD, _drop_ee_number), InvalidOrder)
    assert location(error) == f"{INVOICE}/InvoiceInformation/InvoiceNumber"
    error = refusal(variant(PEPPOL_EVERY_FIELD, _drop_ubl_number), InvalidOrder)
    assert location(error) == "/Order/cbc:ID"


def _bad_quantity(root):
    root.find("cac:OrderLine/cac:LineItem/cbc:Quantity", NS).text = "ten"


def _bad_date(root):
    root.find("cbc:IssueDate", NS).text = "01.09.2018x"


def _bad_ee_price(root):
    entry = root.find("PurchaseOrder/E_Invoice/Invoice/InvoiceItem/InvoiceItemGroup/ItemEntry")
    entry.find("ItemDetailInfo/ItemPrice").text = "12,5,0"


@pytest.mark.parametrize(
    ("name", "edit", "where"),
    [
        (PEPPOL_BASE_QUANTITY, _bad_quantity, "/*/cac:OrderLine[1]/cac:LineItem/cbc:Quantity"),
        (PEPPOL_BASE_QUANTITY, _bad_date, "/*/cbc:IssueDate"),
        (
            EE_PAYLOAD,
            _bad_ee_price,
            f"{INVOICE}/InvoiceItem/InvoiceItemGroup/ItemEntry[1]/ItemDetailInfo/ItemPrice",
        ),
    ],
)
def test_a_value_that_does_not_read_is_refused_with_its_location(name, edit, where):
    assert location(refusal(variant(name, edit), MalformedDocument)) == where


def as_order(data: bytes) -> bytes:
    """A hostile UBL invoice of the engine's suite, as an order."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = data.decode("utf-16") if utf16 else data.decode("latin-1")
    text = text.replace(UBL_OPEN.decode(), ORDER_OPEN.decode(), 1)
    text = text.replace("<!DOCTYPE Invoice", "<!DOCTYPE Order").replace("</Invoice>", "</Order>")
    return text.encode("utf-16") if utf16 else text.encode("latin-1")


# The suite's XML attacks on a UBL invoice; its PDFs and batch files are other formats.
UBL_CASES = [
    case
    for case in CASES
    if not case.name.startswith("pdf")
    and case.name not in {"finvoice-batch-bomb", "estonian-batch-bomb"}
]


@pytest.mark.parametrize("case", UBL_CASES, ids=[case.name for case in UBL_CASES])
def test_the_hostile_suite_is_refused_as_orders_too(case):
    data = as_order(case.build())
    started = time.perf_counter()
    refusal(data, case.refusal or LimitExceeded)
    assert time.perf_counter() - started < 5


def test_xxe_in_the_estonian_payload_is_refused():
    data = (
        sample(EE_PAYLOAD)
        .replace(
            b"<Payload>",
            b'<!DOCTYPE Payload [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Payload>',
            1,
        )
        .replace(b"<InvoiceNumber>PO-2026-0042<", b"<InvoiceNumber>&x;<", 1)
    )
    refusal(data, UnsafeDocument)


def test_an_estonian_batch_bomb_is_refused_as_too_many_orders():
    invoices = b"<Invoice invoiceId='1'><InvoiceParties/></Invoice>" * 900
    data = (
        b"<Payload><PurchaseOrder><E_Invoice>"
        + invoices
        + b"</E_Invoice></PurchaseOrder></Payload>"
    )
    error = refusal(data, InvalidOrder)
    assert "900 orders" in error.message


def test_order_lines_are_bounded_like_invoice_lines():
    line = b"<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID></cac:LineItem></cac:OrderLine>"
    head = ORDER_OPEN + b"<cbc:ID>1</cbc:ID>"
    assert len(parse_order(head + line * 150 + b"</Order>").lines) == 150  # over max_repeats
    limits = ParseLimits(max_lines=5)
    error = refusal(head + line * 6 + b"</Order>", LimitExceeded, limits=limits)
    assert "more than 5 OrderLine in Order" in error.message


def test_the_size_limit_holds_before_parsing():
    limits = ParseLimits(max_bytes=1000)
    refusal(sample(EE_PAYLOAD), LimitExceeded, limits=limits)
