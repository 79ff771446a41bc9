"""Detect and parse a file: its Header, and each invoice's header, sums groups and notes."""

from __future__ import annotations

from lxml import etree

from payables.einvoice.ee_einvoice.attachments import attachments
from payables.einvoice.ee_einvoice.parties import party, payment_means, payment_terms
from payables.einvoice.ee_einvoice.reader import Reader, extension_text
from payables.einvoice.ee_einvoice.rows import lines
from payables.einvoice.ee_einvoice.sums import (
    check_footer,
    derived_breakdown,
    document_allowances,
    totals,
    vat_breakdown,
)
from payables.einvoice.errors import LimitExceeded, MalformedDocument, UnsupportedFormat
from payables.einvoice.model import Invoice, ParsedDocument, ParseLimits
from payables.einvoice.sniff import head
from payables.einvoice.values import Children, Parent, find_at, findall_at, text_at
from payables.einvoice.xmlsafe import local_name, parse_xml, path_of, root_tag

FORMAT = "ee-einvoice"
VERSIONS = frozenset({"1.1", "1.11", "1.2"})

# BT-3: the description's invoice types.
_TYPE_CODES = {"DEB": "380", "CRE": "381"}
# Extension names that carry EN 16931 terms (the 1.2.EN way) or an order number.
_EXTENSION_TERMS = {
    "bt-10": "buyer_reference",
    "bt-11": "project_reference",
    "bt-13": "order_reference",
    "bt-14": "sales_order_reference",
    "bt-19": "accounting_cost",
    "ordernumber": "order_reference",
    "order number": "order_reference",
    "purchase order": "order_reference",
    "tellimus": "order_reference",
    "tellimuse number": "order_reference",
    "tellimuse nr": "order_reference",
}


def detect(data: bytes) -> bool:
    """Whether the bytes are an Estonian e-invoice file: an ``E_Invoice`` root element.

    >>> detect(b'<?xml version="1.0"?><!-- e-arve --><E_Invoice><Header/></E_Invoice>')
    True
    >>> detect(b'<?xml version="1.0"?><Finvoice Version="3.0"/>')
    False
    """
    return root_tag(head(data)) == "E_Invoice"


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read every invoice of the file, and check them against the Footer's control sums."""
    root = parse_xml(data, limits=limits)
    if local_name(root) != "E_Invoice":
        raise UnsupportedFormat(
            f"Not an Estonian e-invoice: the root element is {local_name(root)!r}",
            location=f"/{local_name(root)}",
        )
    reader = Reader(limits)
    if etree.QName(root).namespace:
        reader.note(
            "EE-NAMESPACE", "warning", "E_Invoice has no namespace; it was ignored", "/E_Invoice"
        )
        for element in root.iter():
            element.tag = etree.QName(element).localname
    version = _header(reader, root)
    elements = findall_at(root, "Invoice")
    if not elements:
        raise MalformedDocument("The file holds no Invoice element", location="/E_Invoice")
    if len(elements) > limits.max_invoices:
        raise LimitExceeded(
            f"The file holds {len(elements)} invoices; the limit is {limits.max_invoices}"
        )
    invoices = tuple(_invoice(reader, element) for element in elements)
    check_footer(reader, root, elements, invoices)
    return ParsedDocument(
        format=FORMAT,
        version=version,
        invoices=invoices,
        findings=tuple(dict.fromkeys(reader.findings)),
    )


def _header(reader: Reader, root: etree._Element) -> str:
    header = find_at(root, "Header")
    if header is None:
        reader.note("EE-HEADER", "warning", "The file has no Header", "/E_Invoice")
        return ""
    version = text_at(header, "Version")
    if version not in VERSIONS:
        reader.note(
            "EE-VERSION",
            "warning",
            f"Unknown e-invoice standard version {version!r}: read as 1.2",
            "/E_Invoice/Header/Version",
        )
    if text_at(header, "Test").upper() == "YES":
        reader.note("EE-TEST-FILE", "warning", "The file is marked as a test", "/E_Invoice/Header")
    return version


def _invoice(reader: Reader, element: etree._Element) -> Invoice:
    # Some 40 values are read from these three: their children are indexed once.
    info = Children(find_at(element, "InvoiceInformation"))
    parties = find_at(element, "InvoiceParties")
    payment = Children(find_at(element, "PaymentInfo"))
    main, other = _sum_groups(reader, element, payment)
    sums = Children(main)
    currency = text_at(sums, "Currency") or text_at(payment, "Currency")  # BT-5
    other_currency = text_at(other, "Currency")
    if other_currency == currency:
        other_currency = ""
    notes = [text_at(info, "InvoiceContentText")]  # BT-22
    extensions = _extensions(info, notes)
    rows, row_vat = lines(reader, element, sums, notes)
    notes += [extension_text(e) for e in findall_at(element, "AdditionalInformation")]
    breakdown = vat_breakdown(reader, sums, rows)
    allowances = document_allowances(reader, sums, rows, breakdown)
    if not breakdown:
        breakdown = derived_breakdown(reader, sums, rows, row_vat, allowances)
    return Invoice(
        number=text_at(info, "InvoiceNumber"),  # BT-1
        issue_date=reader.day(info, "InvoiceDate"),  # BT-2
        type_code=_type_code(reader, element, info),  # BT-3
        currency=currency,
        # BT-6: a second InvoiceSumGroup restates the sums in another currency.
        tax_currency=other_currency,
        due_date=reader.day(info, "DueDate") or reader.day(payment, "PayDueDate"),  # BT-9
        buyer_reference=extensions.get("buyer_reference", ""),  # BT-10
        project_reference=extensions.get("project_reference", ""),  # BT-11
        contract_reference=(  # BT-12
            text_at(info, "ContractNumber") or (element.get("sellerContractId") or "").strip()
        ),
        order_reference=extensions.get("order_reference", ""),  # BT-13
        sales_order_reference=extensions.get("sales_order_reference", ""),  # BT-14
        preceding_invoice=text_at(info, "Type/SourceInvoice"),  # BT-25
        accounting_cost=(  # BT-19: the buyer's booking of the whole invoice
            extensions.get("accounting_cost", "") or _document_account(sums)
        ),
        notes=tuple(dict.fromkeys(n for n in notes if n)),  # BT-22
        seller=party(parties, "SellerParty", fallback_id=element.get("sellerRegnumber")),
        buyer=party(parties, "BuyerParty", fallback_id=element.get("regNumber")),
        payee_name=text_at(parties, "FactorParty/Name"),  # BT-59
        payment_means=payment_means(reader, element, info, payment, parties),  # BG-16
        payment_terms=payment_terms(info),  # BT-20
        lines=rows,  # BG-25
        allowances_charges=allowances,  # BG-20 / BG-21
        vat_breakdown=breakdown,  # BG-23
        totals=totals(reader, sums, other if other_currency else None, rows, allowances, breakdown),
        attachments=attachments(reader, element),  # BG-24
    )


def _type_code(reader: Reader, element: etree._Element, info: Parent) -> str:
    """BT-3 from ``Type@type``: DEB is an invoice (380), CRE a credit invoice (381)."""
    found = find_at(info, "Type")
    kind = "" if found is None else (found.get("type") or "").strip().upper()
    if kind not in _TYPE_CODES:
        reader.note(
            "EE-TYPE",
            "warning",
            f"Invoice type {kind or 'missing'!r} is neither DEB nor CRE: read as DEB",
            path_of(found if found is not None else element),
        )
    return _TYPE_CODES.get(kind, "380")


def _sum_groups(
    reader: Reader, element: etree._Element, payment: Parent
) -> tuple[etree._Element | None, etree._Element | None]:
    """The InvoiceSumGroup in the payment currency, and the other one if there are two."""
    groups = findall_at(element, "InvoiceSumGroup")
    if not groups:
        reader.note("EE-SUMS", "warning", "The invoice has no InvoiceSumGroup", path_of(element))
        return None, None
    main, other = groups[0], (groups[1] if len(groups) > 1 else None)
    paid_in = text_at(payment, "Currency")
    if other is not None and text_at(other, "Currency") == paid_in != text_at(main, "Currency"):
        main, other = other, main
    if other is not None:
        reader.note(
            "EE-SUMS-CURRENCY",
            "info",
            f"A second InvoiceSumGroup in {text_at(other, 'Currency') or 'no currency'} "
            "restates the sums; the amounts come from the one in "
            f"{text_at(main, 'Currency') or paid_in}",
            path_of(other),
        )
    for name in ("Balance", "PenaltySum"):
        if find_at(main, name) is not None:
            reader.note(
                "EE-BALANCE",
                "info",
                f"{name} is stated: TotalToPay may include earlier balances or penalties",
                path_of(find_at(main, name)),
            )
    return main, other


def _extensions(info: Parent, notes: list[str]) -> dict[str, str]:
    """Extensions that name an EN 16931 term or an order number; the rest become notes."""
    found: dict[str, str] = {}
    for element in findall_at(info, "Extension"):
        key = (element.get("extensionId") or "").strip()
        if key.lower().startswith("eak"):
            continue  # the operator's own delivery flags (e-arvekeskus), not invoice content
        content = text_at(element, "InformationContent")
        term = _EXTENSION_TERMS.get(key.lower()) or _EXTENSION_TERMS.get(
            text_at(element, "InformationName").lower()
        )
        if term and content and term not in found:
            found[term] = content
        else:
            notes.append(extension_text(element))
    return found


def _document_account(sums: Parent) -> str:
    entry = find_at(sums, "Accounting/JournalEntry")
    return text_at(entry, "GeneralLedger") or text_at(entry, "CostObjective")
