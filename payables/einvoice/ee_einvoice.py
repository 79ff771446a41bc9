"""Estonian e-invoice (``E_Invoice``, "Eesti e-arve", standards 1.1, 1.11 and 1.2) into EN 16931.

Sources: "Eesti e-arve kirjeldus" / "Description of Estonian e-invoice" ver 1.2 (Pangaliit
and the Ministry of Finance, 2013; kept by ITL since 2019), its schema e-invoice_ver1.2.xsd
and the 1.2.EN mapping to EN 16931. No namespace. One file holds several ``Invoice``
elements between a ``Header`` (standard version) and a ``Footer`` with their count and total.

How amounts are read, where the description leaves room:

- A row's net (BT-131) is its taxable amount ``VAT/SumBeforeVAT``; without it, ``ItemSum``
  (quantity x price, before the row's discounts) less the row's discounts plus its charges.
- ``Addition`` says by ``addCode`` whether it is a discount (DSC) or a charge (CHR); producers
  write ``AddSum`` with either sign, so its magnitude is used, signed like the amount it
  applies to (negative on a credit invoice that states negative amounts).
- ``InvoiceSum`` is the rows' total before invoice-level additions (BT-106); the amount
  without VAT (BT-109) is the sum of the ``VAT/SumBeforeVAT`` bases; ``TotalSum`` is BT-112
  and ``TotalToPay`` BT-115, ``Rounding`` BT-114.
- ``@vatId`` gives the VAT category: TAX is S, or Z at 0 % (EN 16931 wants a positive rate for
  S), TAXEX is E (exempt), NOTTAX is O (outside the scope of VAT, without a rate).
- ``InvoiceTotalGroup`` (a summary of the rows), ``GroupEntry`` and ``InvoiceItemTotalGroup``
  are subtotals: never read as rows.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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

FORMAT = "ee-einvoice"
VERSIONS = frozenset({"1.1", "1.11", "1.2"})

_SNIFF_BYTES = 64 * 1024
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?|(\d{1,2})\.(\d{1,2})\.(\d{4})")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_CENT = Decimal("0.01")

# BT-3: the description's invoice types.
_TYPE_CODES = {"DEB": "380", "CRE": "381"}
# BT-130: units as Estonian invoices write them, to UN/ECE Recommendation 20.
_UNITS = {
    "tk": "H87",
    "tükk": "H87",
    "pcs": "H87",
    "h": "HUR",
    "tund": "HUR",
    "min": "MIN",
    "päev": "DAY",
    "kuu": "MON",
    "kg": "KGM",
    "t": "TNE",
    "l": "LTR",
    "m": "MTR",
    "km": "KMT",
    "m2": "MTK",
    "m²": "MTK",
    "m3": "MTQ",
    "m³": "MTQ",
    "kwh": "KWH",
    "mwh": "MWH",
    "pk": "PK",
    "kast": "BX",
    "rl": "RO",
    "in": "IE",
    "kmpl": "SET",
}
# BT-40 / BT-55: country names the description allows in place of a code.
_COUNTRIES = {
    "eesti": "EE",
    "estonia": "EE",
    "läti": "LV",
    "latvia": "LV",
    "leedu": "LT",
    "lithuania": "LT",
    "soome": "FI",
    "finland": "FI",
    "rootsi": "SE",
    "sweden": "SE",
    "saksamaa": "DE",
    "germany": "DE",
}
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
# AccountingRecord codes that become line dimensions, after the journal entries.
_ACCOUNTING_CODES = (
    ("PartnerCode", "partner_code"),
    ("BusinessCode", "business_code"),
    ("SourceCode", "source_code"),
    ("CashFlowCode", "cash_flow_code"),
    ("ClassificatorCode", "classificator_code"),
)
_JOURNAL_FIELDS = (
    ("GeneralLedgerDetail", "general_ledger_detail"),
    ("CostObjective", "cost_objective"),
    ("Sum", "sum"),
    ("VatSum", "vat_sum"),
    ("VatRate", "vat_rate"),
)
_MIME_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xml": "application/xml",
    "txt": "text/plain",
}


def detect(data: bytes) -> bool:
    """Whether the bytes are an Estonian e-invoice file: an ``E_Invoice`` root element.

    >>> detect(b'<?xml version="1.0"?><!-- e-arve --><E_Invoice><Header/></E_Invoice>')
    True
    >>> detect(b'<?xml version="1.0"?><Finvoice Version="3.0"/>')
    False
    """
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return root_tag(head.removeprefix(b"\xef\xbb\xbf")) == "E_Invoice"


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read every invoice of the file, and check them against the Footer's control sums."""
    root = parse_xml(data, limits=limits)
    if local_name(root) != "E_Invoice":
        raise UnsupportedFormat(
            f"Not an Estonian e-invoice: the root element is {local_name(root)!r}",
            location=f"/{local_name(root)}",
        )
    reader = _Reader(limits)
    if etree.QName(root).namespace:
        reader.note(
            "EE-NAMESPACE", "warning", "E_Invoice has no namespace; it was ignored", "/E_Invoice"
        )
        for element in root.iter():
            element.tag = etree.QName(element).localname
    version = reader.header(root)
    elements = root.findall("Invoice")
    if not elements:
        raise MalformedDocument("The file holds no Invoice element", location="/E_Invoice")
    invoices = tuple(reader.invoice(element) for element in elements)
    reader.footer(root, elements, invoices)
    return ParsedDocument(
        format=FORMAT,
        version=version,
        invoices=invoices,
        findings=tuple(dict.fromkeys(reader.findings)),
    )


def _string(element: etree._Element | None, path: str) -> str:
    return "" if element is None else text(element.find(path))


def _amount(element: etree._Element | None, path: str) -> Decimal | None:
    found = None if element is None else element.find(path)
    value = text(found)
    return to_decimal(value, where=path_of(found)) if value else None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _signed(magnitude: Decimal, like: Decimal | None) -> Decimal:
    """The magnitude with the sign of the amount it belongs to."""
    return -abs(magnitude) if like is not None and like < 0 else abs(magnitude)


class _Reader:
    """Reads the invoices of one file; collects findings and refuses unreadable values."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.findings: list[Finding] = []

    def note(self, rule_id: str, severity: str, message: str, location: str = "") -> None:
        self.findings.append(Finding(rule_id, severity, message, location))

    def day(self, element: etree._Element | None, path: str) -> date | None:
        found = None if element is None else element.find(path)
        value = text(found)
        if not value:
            return None
        match = _DATE.fullmatch(value)
        if match:
            year, month, day = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                pass
        self.note("EE-DATE", "warning", f"Not a date (YYYY-MM-DD): {value!r}", path_of(found))
        return None

    # File ---------------------------------------------------------------------------------

    def header(self, root: etree._Element) -> str:
        header = root.find("Header")
        if header is None:
            self.note("EE-HEADER", "warning", "The file has no Header", "/E_Invoice")
            return ""
        version = _string(header, "Version")
        if version not in VERSIONS:
            self.note(
                "EE-VERSION",
                "warning",
                f"Unknown e-invoice standard version {version!r}: read as 1.2",
                "/E_Invoice/Header/Version",
            )
        if _string(header, "Test").upper() == "YES":
            self.note(
                "EE-TEST-FILE", "warning", "The file is marked as a test", "/E_Invoice/Header"
            )
        return version

    def footer(
        self,
        root: etree._Element,
        elements: list[etree._Element],
        invoices: tuple[Invoice, ...],
    ) -> None:
        """Check the Footer's control sums: a mismatch means invoices were lost or altered."""
        footer = root.find("Footer")
        if footer is None:
            self.note("EE-FOOTER-MISSING", "warning", "The file has no Footer", "/E_Invoice")
            return
        count = _string(footer, "TotalNumberInvoices")
        if not count.isdigit() or int(count) != len(elements):
            self.note(
                "EE-FOOTER-COUNT",
                "error",
                f"The Footer counts {count or 'no'} invoices; the file holds {len(elements)}",
                "/E_Invoice/Footer/TotalNumberInvoices",
            )
        where = "/E_Invoice/Footer/TotalAmount"
        try:
            stated = _amount(footer, "TotalAmount")
        except MalformedDocument:
            stated = None
        # The description sums the invoices' totals; some producers sum the amounts to pay.
        candidates = {
            sum((i.totals.tax_inclusive or Decimal(0) for i in invoices), Decimal(0)),
            sum((i.totals.payable or Decimal(0) for i in invoices), Decimal(0)),
        }
        if stated is None or stated not in candidates:
            totals = sum((i.totals.tax_inclusive or Decimal(0) for i in invoices), Decimal(0))
            self.note(
                "EE-FOOTER-AMOUNT",
                "error",
                f"The Footer's TotalAmount {_string(footer, 'TotalAmount') or 'is missing'}"
                f" does not match the invoices' total {totals}",
                where,
            )

    # Invoice ------------------------------------------------------------------------------

    def invoice(self, element: etree._Element) -> Invoice:
        info = element.find("InvoiceInformation")
        parties = element.find("InvoiceParties")
        payment = element.find("PaymentInfo")
        sums, other = self.sum_groups(element, payment)
        currency = _string(sums, "Currency") or _string(payment, "Currency")  # BT-5
        other_currency = _string(other, "Currency")
        if other_currency == currency:
            other_currency = ""
        notes = [_string(info, "InvoiceContentText")]  # BT-22
        extensions = self.extensions(info, notes)
        lines, row_vat = self.lines(element, sums, notes)
        notes += [self.extension_text(e) for e in element.findall("AdditionalInformation")]
        breakdown = self.vat_breakdown(sums, lines)
        allowances = self.document_allowances(sums, lines, breakdown)
        if not breakdown:
            breakdown = self.derived_breakdown(sums, lines, row_vat, allowances)
        return Invoice(
            number=_string(info, "InvoiceNumber"),  # BT-1
            issue_date=self.day(info, "InvoiceDate"),  # BT-2
            type_code=self.type_code(element, info),  # BT-3
            currency=currency,
            # BT-6: a second InvoiceSumGroup restates the sums in another currency.
            tax_currency=other_currency,
            due_date=self.day(info, "DueDate") or self.day(payment, "PayDueDate"),  # BT-9
            buyer_reference=extensions.get("buyer_reference", ""),  # BT-10
            project_reference=extensions.get("project_reference", ""),  # BT-11
            contract_reference=(  # BT-12
                _string(info, "ContractNumber") or (element.get("sellerContractId") or "").strip()
            ),
            order_reference=extensions.get("order_reference", ""),  # BT-13
            sales_order_reference=extensions.get("sales_order_reference", ""),  # BT-14
            preceding_invoice=_string(info, "Type/SourceInvoice"),  # BT-25
            accounting_cost=(  # BT-19: the buyer's booking of the whole invoice
                extensions.get("accounting_cost", "") or self.document_account(sums)
            ),
            notes=tuple(dict.fromkeys(n for n in notes if n)),  # BT-22
            seller=self.party(parties, "SellerParty", fallback_id=element.get("sellerRegnumber")),
            buyer=self.party(parties, "BuyerParty", fallback_id=element.get("regNumber")),
            payee_name=_string(parties, "FactorParty/Name"),  # BT-59
            payment_means=self.payment_means(element, info, payment, parties),  # BG-16
            payment_terms=self.payment_terms(info),  # BT-20
            lines=lines,  # BG-25
            allowances_charges=allowances,  # BG-20 / BG-21
            vat_breakdown=breakdown,  # BG-23
            totals=self.totals(
                sums, other if other_currency else None, lines, allowances, breakdown
            ),
            attachments=self.attachments(element),  # BG-24
        )

    def type_code(self, element: etree._Element, info: etree._Element | None) -> str:
        """BT-3 from ``Type@type``: DEB is an invoice (380), CRE a credit invoice (381)."""
        found = None if info is None else info.find("Type")
        kind = "" if found is None else (found.get("type") or "").strip().upper()
        if kind not in _TYPE_CODES:
            self.note(
                "EE-TYPE",
                "warning",
                f"Invoice type {kind or 'missing'!r} is neither DEB nor CRE: read as DEB",
                path_of(found if found is not None else element),
            )
        return _TYPE_CODES.get(kind, "380")

    def sum_groups(
        self, element: etree._Element, payment: etree._Element | None
    ) -> tuple[etree._Element | None, etree._Element | None]:
        """The InvoiceSumGroup in the payment currency, and the other one if there are two."""
        groups = element.findall("InvoiceSumGroup")
        if not groups:
            self.note("EE-SUMS", "warning", "The invoice has no InvoiceSumGroup", path_of(element))
            return None, None
        main, other = groups[0], (groups[1] if len(groups) > 1 else None)
        paid_in = _string(payment, "Currency")
        if other is not None and _string(other, "Currency") == paid_in != _string(main, "Currency"):
            main, other = other, main
        if other is not None:
            self.note(
                "EE-SUMS-CURRENCY",
                "info",
                f"A second InvoiceSumGroup in {_string(other, 'Currency') or 'no currency'} "
                "restates the sums; the amounts come from the one in "
                f"{_string(main, 'Currency') or paid_in}",
                path_of(other),
            )
        for name in ("Balance", "PenaltySum"):
            if main.find(name) is not None:
                self.note(
                    "EE-BALANCE",
                    "info",
                    f"{name} is stated: TotalToPay may include earlier balances or penalties",
                    path_of(main.find(name)),
                )
        return main, other

    # Parties and payment ------------------------------------------------------------------

    def party(self, parties: etree._Element | None, role: str, *, fallback_id: str | None) -> Party:
        element = None if parties is None else parties.find(role)
        registry_id = _string(element, "RegNumber") or (fallback_id or "").strip()  # BT-30/47
        contact = None if element is None else element.find("ContactData")
        gln = _string(element, "GLN")
        return Party(
            name=_string(element, "Name"),  # BT-27 / BT-44
            registry_id=registry_id,
            # ISO 6523 ICD 0191: the Estonian business register (8-digit registrikood).
            registry_scheme="0191" if re.fullmatch(r"[1-9]\d{7}", registry_id) else "",
            vat_id=_string(element, "VATRegNumber"),  # BT-31 / BT-48
            identifiers=((gln, "0088"),) if gln else (),  # BT-29 / BT-46 (GLN)
            address=self.address(contact),  # BG-5 / BG-8
            contact_name=_string(contact, "ContactName"),  # BT-41 / BT-56
            contact_phone=_string(contact, "PhoneNumber"),  # BT-42 / BT-57
            contact_email=_string(contact, "E-mailAddress"),  # BT-43 / BT-58
        )

    def address(self, contact: etree._Element | None) -> Address:
        element = None if contact is None else contact.find("LegalAddress")
        if element is None and contact is not None:
            element = contact.find("MailAddress")
        if element is None:
            return Address()
        country = _string(element, "Country")
        code = country.upper() if len(country) == 2 else _COUNTRIES.get(country.lower(), country)
        return Address(
            lines=tuple(  # BT-35 / BT-36
                line for line in (_string(element, f"PostalAddress{n}") for n in (1, 2)) if line
            ),
            city=_string(element, "City"),  # BT-37
            postal_code=_string(element, "PostalCode"),  # BT-38
            country=code,  # BT-40
        )

    def payment_means(
        self,
        element: etree._Element,
        info: etree._Element | None,
        payment: etree._Element | None,
        parties: etree._Element | None,
    ) -> tuple[PaymentMeans, ...]:
        """PayToAccount first, then the seller's other accounts (AccountInfo)."""
        reference = (  # BT-83: the Estonian reference number (viitenumber)
            _string(payment, "PaymentRefId")
            or _string(info, "PaymentReferenceNumber")
            or _string(payment, "PaymentDescription")
        )
        if _string(payment, "Payable").upper() == "NO":
            self.note(
                "EE-NOT-PAYABLE",
                "info",
                "PaymentInfo says the invoice is not to be paid",
                path_of(payment),
            )
        accounts: list[tuple[str, str, str]] = []
        pay_to = _string(payment, "PayToAccount")  # BT-84
        if pay_to:
            accounts.append((pay_to, _string(payment, "PayToName"), _string(payment, "PayToBIC")))
        seller = None if parties is None else parties.find("SellerParty")
        for account in [] if seller is None else seller.findall("AccountInfo"):
            number = _string(account, "IBAN") or _string(account, "AccountNumber")
            if number and number not in {a[0] for a in accounts}:
                accounts.append((number, "", _string(account, "BIC")))
        header = element.getparent().find("Header") if element.getparent() is not None else None
        payee = _string(header, "PayeeAccountNumber")
        if not accounts and payee:
            accounts.append((payee, "", ""))
        if not accounts and reference:
            accounts.append(("", "", ""))
        return tuple(
            PaymentMeans(
                # BT-81: 58 SEPA credit transfer to an IBAN, 30 credit transfer otherwise.
                code="58" if _IBAN.fullmatch(number) else ("30" if number else ""),
                iban=number,
                account_name=name,  # BT-85
                bic=bic,  # BT-86
                payment_reference=reference,
            )
            for number, name, bic in accounts
        )

    def payment_terms(self, info: etree._Element | None) -> str:
        terms = [_string(info, "PaymentTerm")]
        fine = _string(info, "FineRatePerDay")
        if fine:
            terms.append(f"Penalty interest {fine} % per day")
        return "; ".join(t for t in terms if t)

    # Information fields -------------------------------------------------------------------

    @staticmethod
    def extension_text(element: etree._Element) -> str:
        name, content = _string(element, "InformationName"), _string(element, "InformationContent")
        return f"{name}: {content}" if name and content else content

    def extensions(self, info: etree._Element | None, notes: list[str]) -> dict[str, str]:
        """Extensions that name an EN 16931 term or an order number; the rest become notes."""
        found: dict[str, str] = {}
        for element in [] if info is None else info.findall("Extension"):
            key = (element.get("extensionId") or "").strip()
            if key.lower().startswith("eak"):
                continue  # the operator's own delivery flags (e-arvekeskus), not invoice content
            content = _string(element, "InformationContent")
            term = _EXTENSION_TERMS.get(key.lower()) or _EXTENSION_TERMS.get(
                _string(element, "InformationName").lower()
            )
            if term and content and term not in found:
                found[term] = content
            else:
                notes.append(self.extension_text(element))
        return found

    def document_account(self, sums: etree._Element | None) -> str:
        entry = None if sums is None else sums.find("Accounting/JournalEntry")
        return _string(entry, "GeneralLedger") or _string(entry, "CostObjective")

    # Rows ---------------------------------------------------------------------------------

    def lines(
        self, element: etree._Element, sums: etree._Element | None, notes: list[str]
    ) -> tuple[tuple[Line, ...], list[Decimal | None]]:
        """The rows of every InvoiceItemGroup, and each row's VAT sum."""
        item = element.find("InvoiceItem")
        if item is None:
            self.note("EE-ROWS", "warning", "The invoice has no InvoiceItem", path_of(element))
            return (), []
        subtotals = (
            len(item.findall("InvoiceTotalGroup"))
            + len(item.findall("InvoiceItemGroup/GroupEntry"))
            + len(item.findall("InvoiceItemTotalGroup"))
        )
        if subtotals:
            self.note(
                "EE-SUBTOTALS",
                "info",
                f"{subtotals} group summaries and subtotals (InvoiceTotalGroup, GroupEntry, "
                "InvoiceItemTotalGroup) were not read as rows",
                path_of(item),
            )
        for addition in item.findall("InvoiceItemGroup/GroupEntry/Addition"):
            self.note(
                "EE-GROUP-ADDITION",
                "warning",
                "A discount or charge on a group subtotal is not carried into the invoice",
                path_of(addition),
            )
        single_vat = self.single_vat(sums)
        lines: list[Line] = []
        row_vat: list[Decimal | None] = []
        for entry in item.findall("InvoiceItemGroup/ItemEntry"):
            read = self.line(entry, len(lines) + 1, single_vat)
            if read is None:
                notes.append(_string(entry, "Description"))
                self.note(
                    "EE-TEXT-ROW",
                    "info",
                    "A row without amounts was read as a note",
                    path_of(entry),
                )
                continue
            lines.append(read[0])
            row_vat.append(read[1])
        return tuple(lines), row_vat

    def single_vat(self, sums: etree._Element | None) -> tuple[str, Decimal | None] | None:
        """The invoice's one VAT category and rate, for rows and discounts that state none."""
        vats = [] if sums is None else sums.findall("VAT")
        kinds = {self.vat_category(v) for v in vats}
        return kinds.pop() if len(kinds) == 1 else None

    def vat_category(self, vat: etree._Element) -> tuple[str, Decimal | None]:
        """UNCL5305 category and rate from ``@vatId`` (TAX, TAXEX, NOTTAX) and VATRate."""
        vat_id = (vat.get("vatId") or "TAX").strip().upper()
        rate = _amount(vat, "VATRate")
        if vat_id == "TAXEX":
            return "E", rate  # exempt (KMS § 16)
        if vat_id == "NOTTAX":
            return "O", None  # outside the scope of VAT: EN 16931 BR-O-05 allows no rate
        if vat_id != "TAX":
            self.note("EE-VATID", "warning", f"Unknown vatId {vat_id!r}: read as TAX", path_of(vat))
        return ("Z" if rate is not None and rate == 0 else "S"), rate

    def line(
        self,
        entry: etree._Element,
        position: int,
        single_vat: tuple[str, Decimal | None] | None,
    ) -> tuple[Line, Decimal | None] | None:
        """The row and its VAT sum; None for a row that only holds text."""
        details = entry.findall("ItemDetailInfo")
        if len(details) > 1:
            self.note(
                "EE-ITEM-DETAILS",
                "warning",
                f"{len(details)} ItemDetailInfo on one row: the first gives quantity and price",
                path_of(details[1]),
            )
        detail = details[0] if details else None
        quantity = _amount(detail, "ItemAmount")  # BT-129
        price = _amount(detail, "ItemPrice")  # BT-146
        item_sum = _amount(entry, "ItemSum")
        vat = entry.find("VAT")
        base = _amount(vat, "SumBeforeVAT")
        vat_sum = _amount(vat, "VATSum")
        item_total = _amount(entry, "ItemTotal")
        if all(v is None for v in (quantity, price, item_sum, base, vat_sum, item_total)):
            return None
        if item_sum is None and quantity is not None and price is not None:
            item_sum = _cents(quantity * price)
        additions = tuple(
            self.addition(a, base=item_sum, line_level=True) for a in entry.findall("Addition")
        )
        if base is not None:
            net = base
        elif item_sum is not None:
            net = item_sum + sum(
                (a.amount if a.is_charge else -a.amount for a in additions), Decimal(0)
            )
        elif item_total is not None and vat_sum is not None:
            net = item_total - vat_sum
        else:
            net = item_total or Decimal(0)
            self.note(
                "EE-ROW-NET", "warning", "The row states no amount without VAT", path_of(entry)
            )
        category, rate = self.vat_category(vat) if vat is not None else (single_vat or ("", None))
        account_code, dimensions = self.journal(entry)
        ean = _string(entry, "EAN")
        unit = _string(detail, "ItemUnit")
        readings = [_string(entry, "InitialReading"), _string(entry, "FinalReading")]
        line_notes = [f"Readings {readings[0]} - {readings[1]}" if any(readings) else ""] + [
            self.extension_text(e) for e in entry.findall("ItemReserve")
        ]
        line = Line(
            id=_string(entry, "RowNo") or str(position),  # BT-126
            line_net=net,  # BT-131
            quantity=quantity,
            unit_code=_UNITS.get(unit.lower(), unit),  # BT-130
            net_price=price,
            name=_string(entry, "Description"),  # BT-153
            seller_item_id=_string(entry, "SellerProductId"),  # BT-155
            buyer_item_id=_string(entry, "BuyerProductId"),  # BT-156
            standard_item_id=ean,  # BT-157
            standard_item_scheme="0160" if ean else "",  # GTIN
            vat_category=category,  # BT-151
            vat_rate=rate,  # BT-152
            allowances_charges=additions,  # BG-27 / BG-28
            accounting_cost=_string(entry, "CustomerRef"),  # BT-133
            note="; ".join(n for n in line_notes if n),  # BT-127
            account_code=account_code,
            dimensions=dimensions,
        )
        return line, vat_sum

    def journal(self, entry: etree._Element) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The buyer's booking of the row: ledger account and the other codes as dimensions."""
        accounting = entry.find("Accounting")
        if accounting is None:
            return "", ()
        journal = accounting.findall("JournalEntry")
        if len(journal) > 1:
            self.note(
                "EE-JOURNAL-SPLIT",
                "info",
                f"The row is booked in {len(journal)} journal entries; the first gives the "
                "account, all are kept as dimensions",
                path_of(accounting),
            )
        account = next(filter(None, (_string(j, "GeneralLedger") for j in journal)), "")
        dimensions: list[tuple[str, str]] = []
        if _string(accounting, "Description"):
            dimensions.append(("accounting_description", _string(accounting, "Description")))
        for index, journal_entry in enumerate(journal):
            ledger = _string(journal_entry, "GeneralLedger")
            if index and ledger:
                dimensions.append(("general_ledger", ledger))
            dimensions += [
                (name, _string(journal_entry, tag))
                for tag, name in _JOURNAL_FIELDS
                if _string(journal_entry, tag)
            ]
        dimensions += [
            (name, _string(accounting, tag))
            for tag, name in _ACCOUNTING_CODES
            if _string(accounting, tag)
        ]
        return account, tuple(dimensions)

    def addition(
        self,
        element: etree._Element,
        *,
        base: Decimal | None,
        line_level: bool,
        vat: tuple[str, Decimal | None] | None = None,
    ) -> AllowanceCharge:
        """A discount (DSC) or charge (CHR) of a row (BG-27/28) or of the invoice (BG-20/21)."""
        code = (element.get("addCode") or "").strip().upper()
        if code not in {"DSC", "CHR"}:
            self.note(
                "EE-ADDCODE",
                "warning",
                f"Unknown addCode {code!r}: read as a discount",
                path_of(element),
            )
        rate = _amount(element, "AddRate")
        amount = _amount(element, "AddSum")
        if amount is None:
            amount = _cents(abs(base or Decimal(0)) * abs(rate or Decimal(0)) / 100)
        category, vat_rate = ("", None) if line_level or vat is None else vat
        return AllowanceCharge(
            is_charge=code == "CHR",
            amount=_signed(amount, base),  # BT-92 / BT-99 / BT-136 / BT-141
            base_amount=base if rate is not None else None,  # BT-93 / BT-100 / BT-137 / BT-142
            percentage=abs(rate) if rate is not None else None,  # BT-94 / BT-101 / BT-138
            vat_category=category,  # BT-95 / BT-102
            vat_rate=vat_rate,  # BT-96 / BT-103
            reason=_string(element, "AddContent"),  # BT-97 / BT-104 / BT-139 / BT-144
        )

    # Sums ---------------------------------------------------------------------------------

    def document_allowances(
        self,
        sums: etree._Element | None,
        lines: tuple[Line, ...],
        breakdown: tuple[VatBreakdown, ...],
    ) -> tuple[AllowanceCharge, ...]:
        additions = [] if sums is None else sums.findall("Addition")
        if not additions:
            return ()
        rows = _amount(sums, "InvoiceSum")
        if rows is None:
            rows = sum((line.line_net for line in lines), Decimal(0))
        kinds = {(v.category, v.rate) for v in breakdown}
        vat = kinds.pop() if len(kinds) == 1 else None
        if vat is None:
            self.note(
                "EE-ADDITION-VAT",
                "info",
                "Invoice-level discounts and charges state no VAT rate and the invoice has "
                "several: none was assigned",
                path_of(additions[0]),
            )
        return tuple(self.addition(a, base=rows, line_level=False, vat=vat) for a in additions)

    def vat_breakdown(
        self, sums: etree._Element | None, lines: tuple[Line, ...]
    ) -> tuple[VatBreakdown, ...]:
        vats = [] if sums is None else sums.findall("VAT")
        breakdown = []
        for vat in vats:
            category, rate = self.vat_category(vat)
            tax = _amount(vat, "VATSum")
            taxable = _amount(vat, "SumBeforeVAT")
            if taxable is None:
                taxable = sum(
                    (
                        ln.line_net
                        for ln in lines
                        if (ln.vat_category, ln.vat_rate) == (category, rate)
                    ),
                    Decimal(0),
                )
                self.note(
                    "EE-VAT-BASE",
                    "info",
                    "The VAT entry states no SumBeforeVAT: the base is the sum of its rows",
                    path_of(vat),
                )
            breakdown.append(
                VatBreakdown(
                    category=category,  # BT-118
                    taxable_amount=taxable,  # BT-116
                    tax_amount=Decimal(0) if tax is None else tax,  # BT-117
                    rate=rate,  # BT-119
                    exemption_reason=(  # BT-120: the legal reference of an exemption
                        _string(vat, "Reference/InformationContent") if category in "EO" else ""
                    ),
                )
            )
        return tuple(breakdown)

    def derived_breakdown(
        self,
        sums: etree._Element | None,
        lines: tuple[Line, ...],
        row_vat: list[Decimal | None],
        allowances: tuple[AllowanceCharge, ...],
    ) -> tuple[VatBreakdown, ...]:
        """BG-23 from the rows, for an InvoiceSumGroup that states no VAT entries."""
        groups: dict[tuple[str, Decimal | None], list[tuple[Decimal, Decimal | None]]] = {}
        for line, vat_sum in zip(lines, row_vat, strict=True):
            if line.vat_category:
                key = (line.vat_category, line.vat_rate)
                groups.setdefault(key, []).append((line.line_net, vat_sum))
        if not groups:
            return ()
        self.note(
            "EE-VAT-DERIVED",
            "info",
            "The InvoiceSumGroup states no VAT entries: the VAT breakdown comes from the rows",
            path_of(sums) if sums is not None else "",
        )
        stated_vat = _amount(sums, "TotalVATSum")
        breakdown = []
        for (category, rate), rows in groups.items():
            taxable = sum((net for net, _ in rows), Decimal(0))
            if len(groups) == 1:
                taxable += sum((a.amount if a.is_charge else -a.amount for a in allowances), 0)
            if len(groups) == 1 and stated_vat is not None:
                tax = stated_vat
            elif all(vat is not None for _, vat in rows):
                tax = sum((vat for _, vat in rows if vat is not None), Decimal(0))
            else:
                tax = _cents(taxable * (rate or 0) / 100)
            breakdown.append(VatBreakdown(category, taxable, tax, rate))
        return tuple(breakdown)

    def totals(
        self,
        sums: etree._Element | None,
        other: etree._Element | None,
        lines: tuple[Line, ...],
        allowances: tuple[AllowanceCharge, ...],
        breakdown: tuple[VatBreakdown, ...],
    ) -> Totals:
        line_total = sum((line.line_net for line in lines), Decimal(0))  # BT-106
        discounts = [a.amount for a in allowances if not a.is_charge]
        charges = [a.amount for a in allowances if a.is_charge]
        allowance_total = sum(discounts, Decimal(0)) if discounts else None  # BT-107
        charge_total = sum(charges, Decimal(0)) if charges else None  # BT-108
        adjusted = line_total - (allowance_total or 0) + (charge_total or 0)
        stated = _amount(sums, "InvoiceSum")
        if stated is not None and stated not in {line_total, adjusted}:
            self.note(
                "EE-INVOICESUM",
                "warning",
                f"InvoiceSum {stated} is not the sum of the rows {line_total}",
                path_of(sums.find("InvoiceSum")),
            )
        if breakdown:
            tax_exclusive = sum((v.taxable_amount for v in breakdown), Decimal(0))  # BT-109
        else:
            tax_exclusive = adjusted
        tax_total = _amount(sums, "TotalVATSum")  # BT-110
        if tax_total is None and breakdown:
            tax_total = sum((v.tax_amount for v in breakdown), Decimal(0))
        tax_inclusive = _amount(sums, "TotalSum")  # BT-112
        rounding = _amount(sums, "Rounding")  # BT-114
        payable = _amount(sums, "TotalToPay")  # BT-115
        if payable is None and tax_inclusive is not None:
            payable = tax_inclusive + (rounding or 0)
        return Totals(
            line_net_total=line_total,
            allowance_total=allowance_total,
            charge_total=charge_total,
            tax_exclusive=tax_exclusive,
            tax_total=tax_total,
            tax_total_accounting=_amount(other, "TotalVATSum"),  # BT-111
            tax_inclusive=tax_inclusive,
            rounding=rounding,
            payable=payable,
        )

    # Attachments --------------------------------------------------------------------------

    def attachments(self, element: etree._Element) -> tuple[Attachment, ...]:
        found = []
        for index, attachment in enumerate(element.findall("AttachmentFile"), start=1):
            payload = attachment.find("FileBase64")
            encoded = re.sub(r"\s+", "", text(payload))
            where = path_of(payload if payload is not None else attachment)
            if len(encoded) * 3 // 4 > self.limits.max_attachment_bytes:
                raise LimitExceeded(
                    f"The attachment is larger than {self.limits.max_attachment_bytes} bytes",
                    location=where,
                )
            try:
                content = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                self.note("EE-ATTACHMENT", "error", "FileBase64 is not valid base64", where)
                continue
            size = _string(attachment, "FileSize")
            if size and size != str(len(content)):
                self.note(
                    "EE-ATTACHMENT-SIZE",
                    "warning",
                    f"FileSize says {size} bytes; the file has {len(content)}",
                    path_of(attachment.find("FileSize")),
                )
            name = _string(attachment, "FileName")
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            found.append(
                Attachment(
                    id=name or str(index),  # BT-122
                    filename=name,  # BT-125 filename
                    mime_code=(  # BT-125 mimeCode
                        "application/pdf"
                        if content.startswith(b"%PDF-")
                        else _MIME_TYPES.get(extension, "")
                    ),
                    content=content,  # BT-125
                )
            )
        return tuple(found)
