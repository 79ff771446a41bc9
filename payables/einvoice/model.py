"""The canonical invoice every format parses into and UBL renders from.

It follows the EN 16931 semantic model (business terms BT-n, groups BG-n, named in
comments). Amounts are Decimal exactly as the document states them: a UBL CreditNote has
positive amounts and a Finvoice INV02 credit note negative ones; ``is_credit_note`` says
which kind it is, and the importer applies payables' sign convention.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal

# Type codes (UNCL1001) that make a document a credit note (BT-3).
CREDIT_NOTE_TYPE_CODES = frozenset({"381", "261", "262", "296", "308", "396", "420", "458", "532"})

SEVERITIES = ("fatal", "error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One validation or parsing remark, with the rule it comes from and where."""

    rule_id: str
    severity: str  # one of SEVERITIES; "fatal" and "error" refuse the document
    message: str
    location: str = ""  # XPath, or "line N" when only the line is known

    @property
    def is_blocking(self) -> bool:
        return self.severity in {"fatal", "error"}


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...] = ()  # BT-35..37 / BT-50..52 (street, additional, third line)
    city: str = ""  # BT-37 / BT-52
    postal_code: str = ""  # BT-38 / BT-53
    subdivision: str = ""  # BT-39 / BT-54
    country: str = ""  # BT-40 / BT-55, ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Party:
    """Seller (BG-4) or buyer (BG-7)."""

    name: str = ""  # BT-27 / BT-44
    trading_name: str = ""  # BT-28 / BT-45
    registry_id: str = ""  # BT-30 / BT-47 legal registration identifier
    registry_scheme: str = ""  # scheme of BT-30 / BT-47 (e.g. ISO 6523 ICD "0191")
    vat_id: str = ""  # BT-31 / BT-48, with country prefix as in the document
    tax_registration_id: str = ""  # BT-32 (seller's local tax id)
    identifiers: tuple[tuple[str, str], ...] = ()  # BT-29 / BT-46 (id, scheme)
    electronic_address: str = ""  # BT-34 / BT-49
    electronic_address_scheme: str = ""  # scheme of BT-34 / BT-49 (EAS code)
    address: Address = field(default_factory=Address)  # BG-5 / BG-8
    contact_name: str = ""  # BT-41 / BT-56
    contact_phone: str = ""  # BT-42 / BT-57
    contact_email: str = ""  # BT-43 / BT-58


@dataclass(frozen=True)
class PaymentMeans:
    """BG-16: how to pay, with the account to pay to (BG-17)."""

    code: str = ""  # BT-81 (UNCL4461: 30 credit transfer, 58 SEPA credit transfer, ...)
    iban: str = ""  # BT-84 payment account identifier
    account_name: str = ""  # BT-85
    bic: str = ""  # BT-86 payment service provider identifier
    payment_reference: str = ""  # BT-83 remittance information


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level (BG-20/21) or line-level (BG-27/28) allowance or charge."""

    is_charge: bool
    amount: Decimal  # BT-92 / BT-99 / BT-136 / BT-141
    base_amount: Decimal | None = None  # BT-93 / BT-100 / BT-137 / BT-142
    percentage: Decimal | None = None  # BT-94 / BT-101 / BT-138 / BT-143
    vat_category: str = ""  # BT-95 / BT-102 (document level only)
    vat_rate: Decimal | None = None  # BT-96 / BT-103
    reason: str = ""  # BT-97 / BT-104 / BT-139 / BT-144
    reason_code: str = ""  # BT-98 / BT-105 / BT-140 / BT-145


@dataclass(frozen=True)
class Line:
    """BG-25: an invoice line."""

    id: str  # BT-126
    line_net: Decimal  # BT-131 (after line allowances and charges)
    quantity: Decimal | None = None  # BT-129
    unit_code: str = ""  # BT-130 (UN/ECE Rec 20)
    net_price: Decimal | None = None  # BT-146
    price_base_quantity: Decimal | None = None  # BT-149
    gross_price: Decimal | None = None  # BT-148
    name: str = ""  # BT-153
    description: str = ""  # BT-154
    seller_item_id: str = ""  # BT-155
    buyer_item_id: str = ""  # BT-156
    standard_item_id: str = ""  # BT-157
    standard_item_scheme: str = ""  # scheme of BT-157
    vat_category: str = ""  # BT-151 (UNCL5305: S, Z, E, AE, K, G, O, L, M)
    vat_rate: Decimal | None = None  # BT-152
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-27 / BG-28
    accounting_cost: str = ""  # BT-133 buyer accounting reference
    note: str = ""  # BT-127
    order_line_reference: str = ""  # BT-132
    # Extensions outside EN 16931 (Estonian Accounting/JournalEntry, Finvoice rows): not
    # rendered to UBL.
    account_code: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()  # (dimension type, value) pairs
    vat_amount: Decimal | None = None  # the line's VAT as stated (Finvoice RowVatAmount)


@dataclass(frozen=True)
class VatBreakdown:
    """BG-23: the VAT of one category and rate."""

    category: str  # BT-118
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    rate: Decimal | None = None  # BT-119
    exemption_reason: str = ""  # BT-120
    exemption_reason_code: str = ""  # BT-121


@dataclass(frozen=True)
class Totals:
    """BG-22: document totals."""

    line_net_total: Decimal | None = None  # BT-106
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    tax_exclusive: Decimal | None = None  # BT-109
    tax_total: Decimal | None = None  # BT-110 (in the invoice currency)
    tax_total_accounting: Decimal | None = None  # BT-111 (in BT-6 currency)
    tax_inclusive: Decimal | None = None  # BT-112
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114
    payable: Decimal | None = None  # BT-115


@dataclass(frozen=True)
class Attachment:
    """BG-24: a supporting document, embedded (bytes) or referenced (URI)."""

    id: str = ""  # BT-122
    description: str = ""  # BT-123
    filename: str = ""  # BT-125 filename attribute
    mime_code: str = ""  # BT-125 mimeCode attribute
    content: bytes | None = None  # BT-125
    uri: str = ""  # BT-124


@dataclass(frozen=True)
class Invoice:
    """One invoice or credit note in EN 16931 terms."""

    number: str  # BT-1
    issue_date: date | None  # BT-2 (None only when a broken document lacks it)
    type_code: str = "380"  # BT-3
    currency: str = ""  # BT-5
    tax_currency: str = ""  # BT-6
    tax_point_date: date | None = None  # BT-7
    due_date: date | None = None  # BT-9
    buyer_reference: str = ""  # BT-10
    project_reference: str = ""  # BT-11
    contract_reference: str = ""  # BT-12
    order_reference: str = ""  # BT-13
    sales_order_reference: str = ""  # BT-14
    preceding_invoice: str = ""  # BT-25
    accounting_cost: str = ""  # BT-19
    customization_id: str = ""  # BT-24 specification identifier
    profile_id: str = ""  # BT-23 business process
    notes: tuple[str, ...] = ()  # BT-22
    seller: Party = field(default_factory=Party)  # BG-4
    buyer: Party = field(default_factory=Party)  # BG-7
    payee_name: str = ""  # BT-59
    payment_means: tuple[PaymentMeans, ...] = ()  # BG-16
    payment_terms: str = ""  # BT-20
    delivery_date: date | None = None  # BT-72
    lines: tuple[Line, ...] = ()  # BG-25 (empty for header-only profiles)
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-20 / BG-21
    vat_breakdown: tuple[VatBreakdown, ...] = ()  # BG-23
    totals: Totals = field(default_factory=Totals)  # BG-22
    attachments: tuple[Attachment, ...] = ()  # BG-24

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_TYPE_CODES

    def without_extensions(self) -> Invoice:
        """The invoice as UBL can carry it: line extensions outside EN 16931 dropped."""
        lines = tuple(
            replace(line, account_code="", dimensions=(), vat_amount=None) for line in self.lines
        )
        return replace(self, lines=lines)


@dataclass(frozen=True)
class ParsedDocument:
    """What a document holds: one or more invoices, and what the parser noticed."""

    format: str  # "ubl", "cii", "zugferd1", "finvoice", "ee-einvoice", "facturx-pdf"
    version: str = ""  # e.g. "2.1", "3.0", "1.2"
    profile: str = ""  # e.g. "EN16931", "BASIC WL", "peppol-bis-3", "xrechnung"
    invoices: tuple[Invoice, ...] = ()
    findings: tuple[Finding, ...] = ()
    # For hybrid PDFs: the embedded XML (ground truth) and its file name; for a Finvoice
    # file that also carries an attachment message, the Finvoice document alone.
    xml: bytes | None = None
    xml_filename: str = ""
    # A file of several XML documents (a Finvoice batch: a frame and a Finvoice per
    # invoice): each Finvoice document, which validation checks one by one.
    xml_documents: tuple[bytes, ...] = ()
    is_header_only: bool = False  # MINIMUM / BASIC WL: totals without lines


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on untrusted input; parsers refuse documents that exceed them.

    Sized to real invoices with a wide margin, so that reading and validating any one
    document stays within about 2 s of CPU and 300 MB of memory, whatever is sent. The
    largest real documents in the shared corpus (314 files: CEN, Peppol, XRechnung,
    FeRD, Finvoice operators) have 901 elements (XRechnung 04.03a), 187 attributes
    in all and 3 on one element, 9 levels of nesting, 435 KB (a CII with a 200 KB
    base64 attachment), and as PDFs 321 objects, 3 pages and a largest stream of
    375 KB decompressed.
    """

    # The whole document (PDF or XML), and any XML inflated out of a PDF. 20 MiB:
    # 45 times the largest corpus document, room for several embedded attachments.
    max_bytes: int = 20 * 1024 * 1024
    # Nesting: 9 in the corpus, about 15 with an enveloped XML signature.
    max_depth: int = 100
    # Elements: 22 times the largest corpus invoice. The EN 16931 rules cost most where
    # every element fails one (each failure is written out with its location): 20,000
    # such elements take about 1.5 s. An invoice of 1,000 plain lines (15 elements
    # each) fits; one of rich lines (30 each) fits with about 600.
    max_elements: int = 20_000
    # Attributes, namespace declarations included (bounded on the raw bytes: see
    # xmlsafe): about one per element at most in real invoices (currencyID, unitCode,
    # schemeID), 187 in the largest corpus one.
    max_attributes: int = 20_000
    # Lines (and sub-lines) of one invoice, or invoices of one Estonian batch file: as
    # many rows as the API takes for one invoice. The corpus maximum is 23.
    max_lines: int = 1_000
    # Invoices in one file (a Finvoice or Estonian batch): 3 in the corpus. Each becomes
    # an invoice through the batch upsert (about 13 ms each), so 100 import in about 1.4 s.
    max_invoices: int = 100
    # How often one element repeats under the same parent element within a line or
    # within the header (a VAT breakdown in the tax total, an allowance in the invoice),
    # whatever wraps them: 10 in the corpus.
    max_repeats: int = 100
    # Child elements of one element, lines not counted: 48 in the corpus.
    max_children: int = 500
    # Pages as the PDF's page tree counts them: 3 in the corpus; 2,000 lines print on
    # well under 200 pages.
    max_pdf_pages: int = 200
    # Indirect objects of a PDF (listed in its cross-reference sections, written in
    # its body, or packed in the object streams that are read): 321 in the corpus.
    # pypdf is pure Python, so PDF structure is the costly input per byte.
    max_pdf_objects: int = 10_000
    # libxml2 refuses text nodes over 10 MB (huge_tree stays off for safety), so an
    # embedded base64 attachment can hold about 7.5 MB; larger ones are refused.
    max_attachment_bytes: int = 7 * 1024 * 1024


def field_names(cls: type) -> tuple[str, ...]:
    """The field names of a model class, for renderers that must cover every field."""
    return tuple(f.name for f in fields(cls))
