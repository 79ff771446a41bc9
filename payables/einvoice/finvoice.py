"""Finvoice 1.x, 2.0, 2.01 and 3.0 (the Finnish e-invoice of Finanssiala ry) into EN 16931.

Sources: Finvoice implementation guidelines 1.3, 2.01 and 3.0 (finvoice.info), the
Finvoice2.01.xsd and Finvoice3.0.xsd schemas, and the Finvoice 3.0 / EN 16931 mapping.
No namespace, decimal commas, ``Format="CCYYMMDD"`` dates. A file may start with the
SOAP/ebXML transmission frame: two XML documents in one file, each with its own declaration
and encoding (ISO-8859-15 by tradition), so the file is cut into documents before parsing.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from decimal import Decimal
from itertools import pairwise, zip_longest

from lxml import etree

from payables.einvoice.errors import LimitExceeded, MalformedDocument, UnsupportedFormat
from payables.einvoice.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Finding,
    Invoice,
    Line,
    ParsedDocument,
    ParseLimits,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)
from payables.einvoice.xmlsafe import local_name, parse_xml, path_of, root_tag, text, to_decimal

FORMAT = "finvoice"

_SNIFF_BYTES = 64 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_FINVOICE_TAG = re.compile(rb"<Finvoice[\s/>]")
_DECLARATION = re.compile(rb"<\?xml\s")
_ENVELOPE_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?Envelope\s*>")
_ENCODING = re.compile(rb"\A<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"\A<\?xml\s[^>]*\?>")
# Finvoice 1.x files point at Finvoice.dtd. An external DOCTYPE without an internal subset
# declares no entities and is never loaded, so it is dropped; parse_xml refuses any other.
_EXTERNAL_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+Finvoice\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+\s*>"
)
_LEADING = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_SINGLE_BYTE = frozenset({"iso8859-1", "iso8859-15", "cp1252"})

# BT-3: INV02 is the credit note (hyvityslasku, 381) whatever InvoiceTypeCodeUN says; other
# types take InvoiceTypeCodeUN (3.0), else this UNCL1001 code, else 380.
_TYPE_CODES = {"INV06": "325"}
# BT-118 / BT-151: Finvoice 2.x VatCode values outside UNCL5305 (intra-EU goods/services).
_VAT_CODES = {"ZEG": "K", "ZES": "K"}
_AMOUNTS = frozenset({"RowVatExcludedAmount", "RowAmount", "RowVatAmount", "UnitPriceAmount"})


def detect(data: bytes) -> bool:
    """Whether the bytes are Finvoice, bare or behind its SOAP/ebXML transmission frame.

    >>> detect(b'<?xml version="1.0"?><Finvoice Version="3.0"/>')
    True
    >>> detect(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    False
    """
    root = _root_name(data)
    if root == "Finvoice":
        return True
    return root == "Envelope" and _FINVOICE_TAG.search(data, 0, _SNIFF_BYTES) is not None


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read every Finvoice document in the file (a frame and its invoice, or a batch)."""
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"The document has {len(data)} bytes; the limit is {limits.max_bytes}")
    findings: list[Finding] = []
    invoices: list[Invoice] = []
    versions: list[str] = []
    frame_encoding = ""
    for part in _split(data):
        root_name = _root_name(part)
        if root_name == "Envelope":
            frame_encoding = _declared_encoding(part)
            findings.append(
                Finding("FINVOICE-FRAME", "info", "The SOAP/ebXML transmission frame was skipped")
            )
        elif root_name == "Finvoice":
            root = _parse_document(part, limits=limits, findings=findings, inherit=frame_encoding)
            versions.append(root.get("Version", "").strip())
            invoices.append(_invoice(root, findings))
            frame_encoding = ""
        else:
            findings.append(
                Finding(
                    "FINVOICE-FRAME",
                    "warning",
                    "Content that is neither a Finvoice document nor its transmission frame "
                    "was ignored",
                )
            )
    if not invoices:
        raise UnsupportedFormat("The file holds no Finvoice document")
    if len(set(versions)) > 1:
        findings.append(
            Finding("FINVOICE-VERSION", "warning", f"Mixed Finvoice versions: {versions}")
        )
    return ParsedDocument(
        format=FORMAT, version=versions[0], invoices=tuple(invoices), findings=tuple(findings)
    )


# --- the file: documents and encodings ---------------------------------------------------


def _root_name(data: bytes) -> str:
    """The local name of the first element, from a look at the first 64 KB."""
    head = data[:_SNIFF_BYTES]
    if head.startswith(_UTF16_BOMS):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return root_tag(head.removeprefix(_UTF8_BOM)).rsplit(":", 1)[-1]


def _split(data: bytes) -> list[bytes]:
    """Cut the file into its XML documents: at each later declaration and after an envelope.

    >>> _split(b'<?xml version="1.0"?><a/>\\n<?xml version="1.0"?><b/>')
    [b'<?xml version="1.0"?><a/>', b'<?xml version="1.0"?><b/>']
    >>> _split(b'<s:Envelope xmlns:s="urn:s"></s:Envelope>\\n<Finvoice/>')
    [b'<s:Envelope xmlns:s="urn:s"></s:Envelope>', b'<Finvoice/>']
    """
    if data.startswith(_UTF16_BOMS):
        return [data]  # frames are ASCII-compatible; a UTF-16 file is one document
    lead = _LEADING.match(data).end()
    cuts = {0, len(data)}
    cuts.update(m.start() for m in _DECLARATION.finditer(data) if m.start() > lead)
    cuts.update(m.end() for m in _ENVELOPE_END.finditer(data))
    parts = (data[start:end].strip() for start, end in pairwise(sorted(cuts)))
    return [part for part in parts if part]


def _declared_encoding(part: bytes) -> str:
    match = _ENCODING.match(part.removeprefix(_UTF8_BOM))
    return match.group(1).decode("ascii") if match else ""


def _parse_document(
    part: bytes, *, limits: ParseLimits, findings: list[Finding], inherit: str
) -> etree._Element:
    part = _readable_encoding(part, findings, inherit=inherit)
    doctype = _EXTERNAL_DOCTYPE.search(part, 0, 4096)
    if doctype:
        part = part[: doctype.start()] + part[doctype.end() :]
        findings.append(
            Finding("FINVOICE-DOCTYPE", "info", "The external DOCTYPE (Finvoice.dtd) was ignored")
        )
    root = parse_xml(part, limits=limits)
    if root.tag != "Finvoice":
        if local_name(root) != "Finvoice":
            raise UnsupportedFormat(f"Expected a Finvoice root element, found {root.tag!r}")
        # Finvoice has no namespace; read a namespaced copy by its local names.
        for element in root.iter():
            element.tag = etree.QName(element).localname
        findings.append(
            Finding("FINVOICE-NAMESPACE", "warning", "Finvoice has no namespace; it was ignored")
        )
    return root


def _readable_encoding(part: bytes, findings: list[Finding], *, inherit: str) -> bytes:
    """Return bytes lxml reads right: the declared encoding, or what the bytes really are.

    A wrong declaration is common in Finvoice (UTF-8 bytes declared ISO-8859-15, Windows-1252
    bytes declared ISO-8859-1, Latin bytes with no declaration); each case is read as what
    the bytes are, with a warning. A Finvoice document without a declaration after its frame
    takes the frame's encoding.
    """
    if part.startswith(_UTF16_BOMS) or part.isascii():
        return part
    declared = _declared_encoding(part)
    if part.startswith(_UTF8_BOM):
        if declared and _codec_name(declared) != "utf-8":
            findings.append(_encoding_finding(f"a UTF-8 byte order mark but declares {declared}"))
        return part
    label = declared or inherit or "UTF-8"
    codec = _codec_name(label)
    if not codec:
        return part  # lxml names the unsupported encoding
    said = f"declares {declared}" if declared else f"has no encoding declaration ({label})"
    try:
        decoded = part.decode(codec)
    except UnicodeDecodeError:
        decoded, actual = _single_byte(part)
        findings.append(_encoding_finding(f"{said} but its bytes are not; read as {actual}"))
        return _as_utf8(decoded)
    if codec in _SINGLE_BYTE and _is_utf8(part):
        findings.append(_encoding_finding(f"{said} but its bytes are UTF-8; read as UTF-8"))
        return _as_utf8(part.decode("utf-8"))
    if codec == "iso8859-1" and _C1_BYTES.search(part):
        try:
            decoded = part.decode("cp1252")
        except UnicodeDecodeError:
            return part
        findings.append(
            _encoding_finding(f"{said} but uses Windows-1252 characters; read as Windows-1252")
        )
        return _as_utf8(decoded)
    if not declared and codec != "utf-8":
        findings.append(
            Finding(
                "FINVOICE-ENCODING",
                "info",
                f"The Finvoice document has no encoding declaration; read as {label} like its "
                "transmission frame",
            )
        )
        return _as_utf8(decoded)
    return part


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def _single_byte(part: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8: Windows-1252 if they use its range, else 8859-15."""
    if _C1_BYTES.search(part):
        try:
            return part.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            pass
    return part.decode("iso8859-15"), "ISO-8859-15"


def _is_utf8(part: bytes) -> bool:
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _as_utf8(decoded: str) -> bytes:
    body = _DECLARATION_TEXT.sub("", decoded, count=1)
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode("utf-8")


def _encoding_finding(what: str) -> Finding:
    return Finding("FINVOICE-ENCODING", "warning", f"The Finvoice document {what}")


# --- reading helpers ---------------------------------------------------------------------


def _text(parent: etree._Element | None, path: str) -> str:
    return text(parent.find(path)) if parent is not None else ""


def _texts(parent: etree._Element | None, path: str) -> list[str]:
    if parent is None:
        return []
    return [value for element in parent.findall(path) if (value := text(element))]


def _amount(parent: etree._Element | None, path: str) -> Decimal | None:
    """A decimal-comma amount, or None when absent or empty."""
    element = parent.find(path) if parent is not None else None
    value = text(element)
    return to_decimal(value, where=path_of(element)) if value else None


def _date(parent: etree._Element | None, path: str, findings: list[Finding]) -> date | None:
    """A ``Format="CCYYMMDD"`` date; a bad one is reported and read as absent."""
    element = parent.find(path) if parent is not None else None
    value = text(element)
    if not value:
        return None
    try:
        return date.fromisoformat(value)  # reads the basic CCYYMMDD form too (Python 3.11)
    except ValueError:
        findings.append(
            Finding("FINVOICE-DATE", "warning", f"Not a CCYYMMDD date: {value!r}", path_of(element))
        )
        return None


def _vat_category(code: str, rate: Decimal | None) -> str:
    """UNCL5305 category; without a code (Finvoice before 3.0) a positive rate means S."""
    code = code.upper()
    if code:
        return _VAT_CODES.get(code, code)
    return "S" if rate is not None and rate > 0 else ""


# --- the invoice -------------------------------------------------------------------------


def _invoice(root: etree._Element, findings: list[Finding]) -> Invoice:
    details = root.find("InvoiceDetails")
    if details is None:
        raise MalformedDocument("The Finvoice document has no InvoiceDetails", location="/Finvoice")
    epi = root.find("EpiDetails")
    instruction = epi.find("EpiPaymentInstructionDetails") if epi is not None else None
    terms = details.findall("PaymentTermsDetails")
    due_dates = [d for t in terms if (d := _date(t, "InvoiceDueDate", findings))]
    lines = _lines(root, findings)
    allowances = _document_allowances(details, findings)
    accounting_total = details.find("InvoiceTotalVatAccountingAmount")
    return Invoice(
        number=_text(details, "InvoiceNumber"),  # BT-1
        issue_date=_date(details, "InvoiceDate", findings),  # BT-2
        type_code=_type_code(details, findings),  # BT-3
        currency=_currency(details),  # BT-5
        tax_currency=(  # BT-6
            accounting_total.get("AmountCurrencyIdentifier", "").strip().upper()
            if accounting_total is not None
            else ""
        ),
        tax_point_date=_date(details, "VatPoint/VatPointDate", findings),  # BT-7
        # BT-9: the due date of the terms, else the payment date of the instruction.
        due_date=due_dates[0] if due_dates else _date(instruction, "EpiDateOptionDate", findings),
        buyer_reference=_text(details, "BuyerReferenceIdentifier"),  # BT-10
        project_reference=_text(details, "ProjectReferenceIdentifier"),  # BT-11
        contract_reference=_text(details, "AgreementIdentifier"),  # BT-12
        order_reference=_text(details, "OrderIdentifier"),  # BT-13
        sales_order_reference=_text(details, "OrderConfirmationIdentifier"),  # BT-14
        preceding_invoice=(  # BT-25
            _text(details, "OriginalInvoiceNumber")
            or _text(details, "OriginalInvoiceReference/InvoiceNumber")
        ),
        accounting_cost=_text(details, "AccountDimensionText"),  # BT-19
        customization_id=_text(  # BT-24 (3.0: "EN16931")
            root, "MessageTransmissionDetails/MessageDetails/SpecificationIdentifier"
        ),
        notes=tuple(_texts(details, "InvoiceFreeText")),  # BT-22
        # The SOAP frame is routing, not the invoice: electronic addresses come only from
        # the document's own MessageTransmissionDetails (3.0 gives them a SchemeID).
        seller=_party(root, "Seller", address_path="MessageSenderDetails/FromIdentifier"),
        buyer=_party(root, "Buyer", address_path="MessageReceiverDetails/ToIdentifier"),
        payment_means=_payment_means(root, epi, instruction),  # BG-16
        payment_terms="\n".join(  # BT-20
            value for t in terms for value in _texts(t, "PaymentTermsFreeText")
        ),
        delivery_date=_date(root, "DeliveryDetails/DeliveryDate", findings),  # BT-72
        lines=lines,  # BG-25
        allowances_charges=allowances,  # BG-20 / BG-21
        vat_breakdown=_vat_breakdown(details, findings),  # BG-23
        totals=_totals(details, instruction, lines, allowances),  # BG-22
        attachments=_attachments(root),  # BG-24
    )


def _type_code(details: etree._Element, findings: list[Finding]) -> str:
    code = _text(details, "InvoiceTypeCode").upper()
    if code not in {"INV01", "INV02"}:
        findings.append(
            Finding(
                "FINVOICE-TYPE",
                "info",
                f"Finvoice type {code or '(none)'} ({_text(details, 'InvoiceTypeText')}) is "
                "neither an invoice (INV01) nor a credit note (INV02)",
                path_of(details) + "/InvoiceTypeCode",
            )
        )
    if code == "INV02":
        return "381"
    return _text(details, "InvoiceTypeCodeUN") or _TYPE_CODES.get(code, "380")


def _currency(details: etree._Element) -> str:
    """The currency of the gross total, else of any amount: Finvoice has no currency field."""
    total = details.find("InvoiceTotalVatIncludedAmount")
    candidates = [total] if total is not None else []
    candidates += details.xpath(".//*[@AmountCurrencyIdentifier]")
    for element in candidates:
        if currency := element.get("AmountCurrencyIdentifier", "").strip():
            return currency.upper()
    return ""


def _party(root: etree._Element, role: str, *, address_path: str) -> Party:
    """Seller (BG-4) or buyer (BG-7): Finvoice names both the same way."""
    details = root.find(f"{role}PartyDetails")
    electronic = root.find(f"MessageTransmissionDetails/{address_path}")
    registry = details.find(f"{role}PartyIdentifier") if details is not None else None
    communication = root.find(f"{role}CommunicationDetails")
    unit_number = _text(root, f"{role}OrganisationUnitNumber")
    return Party(
        name=" ".join(_texts(details, f"{role}OrganisationName")),  # BT-27 / BT-44
        trading_name=_text(details, f"{role}OrganisationTradingName"),  # BT-28 / BT-45
        registry_id=text(registry),  # BT-30 / BT-47 (Finnish Y-tunnus)
        registry_scheme=(registry.get("SchemeID", "").strip() if registry is not None else ""),
        vat_id=_text(details, f"{role}OrganisationTaxCode"),  # BT-31 / BT-48
        identifiers=((unit_number, ""),) if unit_number else (),  # BT-29 / BT-46 (OVT)
        electronic_address=text(electronic),  # BT-34 / BT-49
        electronic_address_scheme=(
            electronic.get("SchemeID", "").strip() if electronic is not None else ""
        ),
        address=_address(details, role),  # BG-5 / BG-8
        contact_name=_text(root, f"{role}ContactPersonName"),  # BT-41 / BT-56
        contact_phone=_text(communication, f"{role}PhoneNumberIdentifier"),  # BT-42 / BT-57
        contact_email=_text(communication, f"{role}EmailaddressIdentifier"),  # BT-43 / BT-58
    )


def _address(details: etree._Element | None, role: str) -> Address:
    element = details.find(f"{role}PostalAddressDetails") if details is not None else None
    if element is None:
        return Address()
    lines = _texts(element, f"{role}StreetName") + _texts(element, f"{role}PostOfficeBoxIdentifier")
    return Address(
        lines=tuple(lines),  # BT-35..36 / BT-50..51
        city=_text(element, f"{role}TownName"),  # BT-37 / BT-52
        postal_code=_text(element, f"{role}PostCodeIdentifier"),  # BT-38 / BT-53
        subdivision=_text(element, f"{role}CountrySubdivision"),  # BT-39 / BT-54
        country=_text(element, "CountryCode").upper(),  # BT-40 / BT-55
    )


def _payment_means(
    root: etree._Element, epi: etree._Element | None, instruction: etree._Element | None
) -> tuple[PaymentMeans, ...]:
    """The EPI payment instruction first, then the seller's other accounts (BG-16, BG-17)."""
    parties = epi.find("EpiPartyDetails") if epi is not None else None
    beneficiary = parties.find("EpiBeneficiaryPartyDetails") if parties is not None else None
    code = _text(instruction, "EpiPaymentMeansCode")  # BT-81 (3.0)
    reference = _text(instruction, "EpiRemittanceInfoIdentifier")  # BT-83
    means = []
    iban = _text(beneficiary, "EpiAccountID")  # BT-84
    bic = _text(parties, "EpiBfiPartyDetails/EpiBfiIdentifier")  # BT-86
    if iban or bic or reference:
        means.append(
            PaymentMeans(
                code=code,
                iban=iban,
                account_name=_text(beneficiary, "EpiNameAddressDetails"),  # BT-85
                bic=bic,
                payment_reference=reference,
            )
        )
    seen = {(m.iban, m.bic) for m in means}
    for account in root.findall("SellerInformationDetails/SellerAccountDetails"):
        iban, bic = _text(account, "SellerAccountID"), _text(account, "SellerBic")
        if iban and (iban, bic) not in seen:
            seen.add((iban, bic))
            means.append(
                PaymentMeans(
                    code=code,
                    iban=iban,  # BT-84
                    account_name=_text(account, "SellerAccountName"),  # BT-85
                    bic=bic,  # BT-86
                    payment_reference=reference,  # BT-83
                )
            )
    return tuple(means)


def _lines(root: etree._Element, findings: list[Finding]) -> tuple[Line, ...]:
    """The rows that carry amounts; text rows and SubInvoiceRow sub-rows are not lines.

    SubInvoiceRow holds sub-rows or subtotals of rows already counted, so it never adds to
    the totals. RowVatExcludedAmount is the line net; RowAmount - RowVatAmount stands in
    only where a (1.x) row lacks it.
    """
    lines: list[Line] = []
    skipped: dict[str, list[etree._Element]] = {"text": [], "sub": [], "no-net": [], "derived": []}
    for row in root.iterchildren("InvoiceRow"):
        has_sub_rows = any(child.tag == "SubInvoiceRow" for child in row)
        if has_sub_rows:
            skipped["sub"].append(row)
        if not any(text(child) for child in row if child.tag in _AMOUNTS):
            if not has_sub_rows:
                skipped["text"].append(row)
            continue
        net = _amount(row, "RowVatExcludedAmount")
        if net is None:
            gross, vat = _amount(row, "RowAmount"), _amount(row, "RowVatAmount")
            if gross is None or vat is None:
                skipped["no-net"].append(row)
                continue
            net = gross - vat
            skipped["derived"].append(row)
        lines.append(_line(row, net, position=len(lines) + 1))
    messages = {
        "text": ("info", "carry only text (no amounts) and are not invoice lines"),
        "sub": ("info", "hold SubInvoiceRow sub-rows or subtotals, which are not counted"),
        "no-net": ("warning", "state an amount but no RowVatExcludedAmount; not counted"),
        "derived": ("info", "lack RowVatExcludedAmount; net taken as RowAmount - RowVatAmount"),
    }
    for kind, rows in skipped.items():
        if rows:
            severity, what = messages[kind]
            findings.append(
                Finding(
                    f"FINVOICE-ROW-{kind.upper()}",
                    severity,
                    f"{len(rows)} InvoiceRow(s) {what}",
                    path_of(rows[0]),
                )
            )
    return tuple(lines)


def _line(row: etree._Element, net: Decimal, *, position: int) -> Line:
    # BT-129 is the invoiced quantity; older documents state only the delivered one.
    quantity = next(
        (q for q in (row.find("InvoicedQuantity"), row.find("DeliveredQuantity")) if text(q)),
        None,
    )
    unit = ""
    if quantity is not None:
        unit = quantity.get("QuantityUnitCodeUN") or quantity.get("QuantityUnitCode") or ""
    has_net_price = bool(_text(row, "UnitPriceNetAmount"))
    rate = _amount(row, "RowVatRatePercent")
    ean = row.find("EanCode")
    return Line(
        id=_text(row, "RowPositionIdentifier") or str(position),  # BT-126
        line_net=net,  # BT-131
        quantity=(  # BT-129
            to_decimal(text(quantity), where=path_of(quantity)) if quantity is not None else None
        ),
        unit_code=unit.strip(),  # BT-130 (UN/ECE Rec 20 where stated, else as written)
        # BT-146 net price; UnitPriceAmount is the gross price (BT-148) beside a net price.
        net_price=_amount(row, "UnitPriceNetAmount" if has_net_price else "UnitPriceAmount"),
        price_base_quantity=_amount(row, "UnitPriceBaseQuantity"),  # BT-149
        gross_price=_amount(row, "UnitPriceAmount") if has_net_price else None,  # BT-148
        name=_text(row, "ArticleName"),  # BT-153
        description=_text(row, "ArticleDescription"),  # BT-154
        seller_item_id=_text(row, "ArticleIdentifier"),  # BT-155
        buyer_item_id=_text(row, "BuyerArticleIdentifier"),  # BT-156
        standard_item_id=text(ean),  # BT-157 (EAN/GTIN)
        standard_item_scheme=(ean.get("SchemeID") or "0160").strip() if text(ean) else "",
        vat_category=_vat_category(_text(row, "RowVatCode"), rate),  # BT-151
        vat_rate=rate,  # BT-152
        allowances_charges=_row_allowances(row),  # BG-27 / BG-28
        accounting_cost=_text(row, "RowAccountDimensionText"),  # BT-133
        note="\n".join(_texts(row, "RowFreeText")),  # BT-127
        order_line_reference=_text(row, "RowOrderPositionIdentifier"),  # BT-132
        # Extension: the seller's proposed ledger account for the buyer's bookkeeping.
        account_code=(
            _text(row, "RowNormalProposedAccountIdentifier")
            or _text(row, "RowShortProposedAccountIdentifier")
        ),
    )


def _row_allowances(row: etree._Element) -> tuple[AllowanceCharge, ...]:
    """Row discounts (BG-27) and charges (BG-28) that state an amount.

    A discount given only as a percentage is already in RowVatExcludedAmount and has no
    amount to carry, so it is left out.
    """
    result = []
    for discount in [row, *row.findall("RowProgressiveDiscountDetails")]:
        amount = _amount(discount, "RowDiscountAmount")  # BT-136
        if amount is not None:
            result.append(
                AllowanceCharge(
                    is_charge=False,
                    amount=amount,
                    base_amount=_amount(discount, "RowDiscountBaseAmount"),  # BT-137
                    percentage=_amount(discount, "RowDiscountPercent"),  # BT-138
                    reason=_text(discount, "RowDiscountTypeText"),  # BT-139
                    reason_code=_text(discount, "RowDiscountTypeCode"),  # BT-140
                )
            )
    for charge in row.findall("RowChargeDetails"):
        amount = _amount(charge, "Amount")  # BT-141
        if amount is not None:
            result.append(
                AllowanceCharge(
                    is_charge=True,
                    amount=amount,
                    base_amount=_amount(charge, "BaseAmount"),  # BT-142
                    percentage=_amount(charge, "Percent"),  # BT-143
                    reason=_text(charge, "ReasonText"),  # BT-144
                    reason_code=_text(charge, "ReasonCode"),  # BT-145
                )
            )
    return tuple(result)


def _document_allowances(
    details: etree._Element, findings: list[Finding]
) -> tuple[AllowanceCharge, ...]:
    """Document-level discounts (BG-20) and charges (BG-21), new in Finvoice 3.0."""
    result = []
    for name, reason, is_charge in (
        ("DiscountDetails", "FreeText", False),
        ("ChargeDetails", "ReasonText", True),
    ):
        for element in details.findall(name):
            amount = _amount(element, "Amount")  # BT-92 / BT-99
            if amount is None:
                findings.append(
                    Finding(
                        "FINVOICE-ALLOWANCE",
                        "warning",
                        f"{name} without an Amount was left out",
                        path_of(element),
                    )
                )
                continue
            rate = _amount(element, "VatRatePercent")  # BT-96 / BT-103
            result.append(
                AllowanceCharge(
                    is_charge=is_charge,
                    amount=amount,
                    base_amount=_amount(element, "BaseAmount"),  # BT-93 / BT-100
                    percentage=_amount(element, "Percent"),  # BT-94 / BT-101
                    vat_category=_vat_category(_text(element, "VatCategoryCode"), rate),
                    vat_rate=rate,
                    reason=_text(element, reason),  # BT-97 / BT-104
                    reason_code=_text(element, "ReasonCode"),  # BT-98 / BT-105
                )
            )
    return tuple(result)


def _vat_breakdown(details: etree._Element, findings: list[Finding]) -> tuple[VatBreakdown, ...]:
    result = []
    for spec in details.findall("VatSpecificationDetails"):
        base = _amount(spec, "VatBaseAmount")  # BT-116
        tax = _amount(spec, "VatRateAmount")  # BT-117
        rate = _amount(spec, "VatRatePercent")  # BT-119
        if base is None or tax is None:
            findings.append(
                Finding(
                    "FINVOICE-VAT",
                    "warning",
                    "VatSpecificationDetails without VatBaseAmount or VatRateAmount was left out",
                    path_of(spec),
                )
            )
            continue
        category = _vat_category(_text(spec, "VatCode"), rate)  # BT-118
        # VatFreeText states the exemption reason (BT-120), which S may not have (BR-S-10).
        reason = " ".join(_texts(spec, "VatFreeText")) if category != "S" else ""
        result.append(
            VatBreakdown(
                category=category,
                taxable_amount=base,
                tax_amount=tax,
                rate=rate,
                exemption_reason=reason,
                exemption_reason_code=_text(spec, "VatExemptionReasonCode"),  # BT-121
            )
        )
    return tuple(result)


def _totals(
    details: etree._Element,
    instruction: etree._Element | None,
    lines: tuple[Line, ...],
    allowances: tuple[AllowanceCharge, ...],
) -> Totals:
    def summed(values: list[Decimal]) -> Decimal | None:
        return sum(values, Decimal(0)) if values else None

    gross = _amount(details, "InvoiceTotalVatIncludedAmount")  # BT-112
    instructed = _amount(instruction, "EpiInstructedAmount")
    stated_rows = _amount(details, "RowsTotalVatExcludedAmount")  # 3.0 states BT-106
    stated_discounts = _amount(details, "DiscountsTotalVatExcludedAmount")
    stated_charges = _amount(details, "ChargesTotalVatExcludedAmount")
    return Totals(
        line_net_total=(  # BT-106
            stated_rows if stated_rows is not None else summed([li.line_net for li in lines])
        ),
        allowance_total=(  # BT-107
            stated_discounts
            if stated_discounts is not None
            else summed([a.amount for a in allowances if not a.is_charge])
        ),
        charge_total=(  # BT-108
            stated_charges
            if stated_charges is not None
            else summed([a.amount for a in allowances if a.is_charge])
        ),
        tax_exclusive=_amount(details, "InvoiceTotalVatExcludedAmount"),  # BT-109
        tax_total=_amount(details, "InvoiceTotalVatAmount"),  # BT-110
        tax_total_accounting=_amount(details, "InvoiceTotalVatAccountingAmount"),  # BT-111
        tax_inclusive=gross,  # BT-112
        prepaid=_amount(details, "InvoicePaidAmount"),  # BT-113
        rounding=_amount(details, "InvoiceTotalRoundoffAmount"),  # BT-114
        payable=instructed if instructed is not None else gross,  # BT-115
    )


def _attachments(root: etree._Element) -> tuple[Attachment, ...]:
    """Links to supporting documents (InvoiceUrlNameText / InvoiceUrlText pairs)."""
    names = [text(e) for e in root.findall("InvoiceUrlNameText")]
    urls = [text(e) for e in root.findall("InvoiceUrlText")]
    return tuple(
        Attachment(id=name or url, uri=url)  # BT-122, BT-124
        for name, url in zip_longest(names, urls, fillvalue="")
        if url
    )
