"""The hostile suite: documents built to exhaust a parser, each with the refusal it gets.

Shared by the engine and import tests and by ``bench/hostile_bench.py``, which prints the
time and memory each refusal costs. Every document is generated here, in memory (none
is kept on disk); a few are megabytes, as the attack needs.
"""

from __future__ import annotations

import base64
import dataclasses
import zlib
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
)

UBL_OPEN = (
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac='
    b'"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc='
    b'"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
)
UBL_CLOSE = b"</Invoice>"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class HostileCase:
    """One attack: how to build it and how it must be refused.

    ``refusal`` is the engine's error (None: refused for its size before it is read);
    ``status`` and ``code`` are the import API's answer: the 422 entry's ``type``, or
    the 413's ``code``.
    """

    name: str
    what: str
    build: Callable[[], bytes]
    refusal: type[EInvoiceError] | None
    status: int
    code: str


def ubl(body: bytes, *, doctype: bytes = b"", prolog: bytes = b"") -> bytes:
    """A UBL invoice shell around ``body``, with an optional DOCTYPE (internal subset)."""
    subset = b"<!DOCTYPE Invoice [%s]>\n" % doctype if doctype else b""
    return XML_DECLARATION + prolog + subset + UBL_OPEN + body + UBL_CLOSE


# -- entities and DTDs -----------------------------------------------------------------


def xxe_file() -> bytes:
    return ubl(b"<cbc:ID>&x;</cbc:ID>", doctype=b'<!ENTITY x SYSTEM "file:///etc/passwd">')


def xxe_http() -> bytes:
    return ubl(b"<cbc:ID>&x;</cbc:ID>", doctype=b'<!ENTITY x SYSTEM "http://127.0.0.1:9/x">')


def xxe_parameter_entity() -> bytes:
    return ubl(
        b"<cbc:ID>1</cbc:ID>",
        doctype=b'<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;',
    )


def xxe_external_dtd() -> bytes:
    dtd = b'<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/invoice.dtd">\n'
    return XML_DECLARATION + dtd + UBL_OPEN + b"<cbc:ID>1</cbc:ID>" + UBL_CLOSE


def xxe_utf16() -> bytes:
    """The file entity in UTF-16: a byte scan for ``<!DOCTYPE`` does not see it."""
    text = xxe_file().decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return text.encode("utf-16")


def xxe_behind_long_prolog() -> bytes:
    """The DOCTYPE after 16 KB of comment, past a quick look at the head."""
    comment = b"<!--" + b"x" * 16_384 + b"-->\n"
    return ubl(
        b"<cbc:ID>&x;</cbc:ID>", doctype=b'<!ENTITY x SYSTEM "file:///etc/passwd">', prolog=comment
    )


def billion_laughs() -> bytes:
    levels = b'<!ENTITY l0 "lollollollollollollollollollol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (level, b"&l%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    return ubl(b"<cbc:ID>&l9;</cbc:ID>", doctype=levels)


def quadratic_blowup() -> bytes:
    """One 100 KB entity referenced 50,000 times: 5 GB of text from 250 KB."""
    entity = b'<!ENTITY a "' + b"a" * 100_000 + b'">'
    return ubl(b"<cbc:Note>" + b"&a;" * 50_000 + b"</cbc:Note>", doctype=entity)


# -- size and shape --------------------------------------------------------------------


def deep_nesting() -> bytes:
    levels = 100_000
    return ubl(b"<cbc:Note>" + b"<a>" * levels + b"</a>" * levels + b"</cbc:Note>")


def empty_elements() -> bytes:
    """Two million empty elements in 8 MB (the one that took 111 s and 756 MB)."""
    return ubl(b"<a/>" * 2_000_000)


def empty_elements_spread() -> bytes:
    """200,000 empty elements of distinct names under 400 parents: no name repeats."""
    group = b"".join(b"<e%d/>" % n for n in range(500))
    return ubl(b"".join(b"<g%d>%s</g%d>" % (n, group, n) for n in range(400)))


def attribute_bomb() -> bytes:
    """One start tag with a million attributes (10 MB): libxml2 builds it whole."""
    return ubl(b"<cbc:Note " + b"".join(b'a%d="" ' % n for n in range(1_000_000)) + b"/>")


def namespace_bomb() -> bytes:
    declarations = b"".join(b'xmlns:p%d="urn:p%d" ' % (n, n) for n in range(300_000))
    return ubl(b"<cbc:Note " + declarations + b"/>")


def vat_groups() -> bytes:
    """2,000 VAT breakdowns: the EN 16931 rules sum every line for each of them."""
    subtotal = (
        b'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">1</cbc:TaxableAmount>'
        b'<cbc:TaxAmount currencyID="EUR">0.24</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S'
        b"</cbc:ID><cbc:Percent>24</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>"
    )
    return ubl(b"<cac:TaxTotal>" + subtotal * 2_000 + b"</cac:TaxTotal>")


def wrapped_vat_groups() -> bytes:
    """The same VAT breakdowns, each in a wrapper of its own: still one group."""
    subtotal = b"<cac:TaxTotal><cac:TaxSubtotal><cbc:ID>S</cbc:ID></cac:TaxSubtotal></cac:TaxTotal>"
    return ubl(b"".join(b"<w%d>%s</w%d>" % (n, subtotal, n) for n in range(2_000)))


def utf7_markup() -> bytes:
    """Markup hidden from a byte scan in UTF-7 (``+ADw-`` is ``<``, ``+AD0-`` is ``=``)."""
    body = b'+ADw-cbc:Note a+AD0-"1"/+AD4-' * 1_000
    return b'<?xml version="1.0" encoding="UTF-7"?>' + UBL_OPEN + body + UBL_CLOSE


def huge_text_node() -> bytes:
    return ubl(b"<cbc:Note>" + b"x" * 12_000_000 + b"</cbc:Note>")


def oversize() -> bytes:
    """26 MB: over the 20 MiB size limit, refused before anything reads it."""
    return ubl(b"<cbc:Note>x</cbc:Note>" * 1_200_000)


def finvoice_batch_bomb() -> bytes:
    """100,000 Finvoice documents in one file, each read and mapped on its own."""
    one = b'<?xml version="1.0"?>\n<Finvoice Version="3.0"><InvoiceDetails/></Finvoice>\n'
    return one * 100_000


def estonian_batch_bomb() -> bytes:
    """An Estonian e-invoice file of 900 invoices (each mapped and upserted)."""
    invoices = b"<Invoice invoiceId='1'><InvoiceParties/></Invoice>" * 900
    return XML_DECLARATION + b"<E_Invoice><Header/>" + invoices + b"<Footer/></E_Invoice>"


# -- PDF -------------------------------------------------------------------------------


def pdf(objects: dict[int, bytes], *, root: int = 1, xref: bool = True) -> bytes:
    """A PDF of these objects (number: body), with a cross-reference table or none."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    size = max(objects) + 1
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        out += b"".join(
            b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
            for n in range(1, size)
        )
    out += b"trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, start)
    return bytes(out)


def pdf_with_xref_stream(objects: dict[int, bytes], packed: dict[int, tuple[int, int]]) -> bytes:
    """A PDF 1.5 whose cross-reference stream lists ``objects`` and ``packed`` ones
    (number: (object stream, index)); object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_number = max([*objects, *packed]) + 1
    offsets[xref_number] = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
        elif number in packed:
            stream, index = packed[number]
            rows.append(b"\x02" + stream.to_bytes(4, "big") + index.to_bytes(2, "big"))
        else:
            rows.append(b"\x00\x00\x00\x00\x00\xff\xff")
    data = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<</Type/XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d>>stream\n"
        % (xref_number, xref_number + 1, len(data))
        + data
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    )
    return bytes(out)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return (
        b"<<%s /Length %d /Filter /FlateDecode>>stream\n" % (entries, len(data))
        + data
        + (b"\nendstream")
    )


def deflated(byte: bytes, megabytes: int) -> bytes:
    """``megabytes`` MiB of one byte as a zlib stream, a thousandth of that on disk.

    Built without deflating it all: after the first MiB every MiB of the same byte
    deflates (sync-flushed) to the same block, so that block is repeated, and the
    checksum is computed over the inflated bytes.
    """
    chunk = byte * 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    blocks = first + repeated * (megabytes - 1) + compressor.flush()
    return b"\x78\xda" + blocks + checksum.to_bytes(4, "big")


CATALOG_WITH_INVOICE = (
    b"<</Type/Catalog /Pages 2 0 R /Names <</EmbeddedFiles <</Names [(factur-x.xml) 4 0 R]>>>>>>"
)
PAGES = b"<</Type/Pages /Kids [3 0 R] /Count 1>>"
PAGE = b"<</Type/Page /Parent 2 0 R /MediaBox [0 0 595 842]>>"
FILESPEC = b"<</Type/Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF <</F 5 0 R>>>>"


def pdf_zip_bomb() -> bytes:
    """factur-x.xml that inflates to 256 MB from 250 KB."""
    bomb = stream(deflated(b"<", 256), b"/Type/EmbeddedFile")
    return pdf({1: CATALOG_WITH_INVOICE, 2: PAGES, 3: PAGE, 4: FILESPEC, 5: bomb})


def pdf_object_stream_bomb() -> bytes:
    """An object stream declaring 60,000 objects: reading one of them parses them all."""
    count = 60_000
    header = b" ".join(b"%d %d" % (10 + n, 2 * n) for n in range(count))
    body = b" 0" * count
    packed = stream(
        zlib.compress(header + body), b"/Type/ObjStm /N %d /First %d" % (count, len(header))
    )
    catalog = b"<</Type/Catalog /Pages 2 0 R /AF [10 0 R]>>"
    return pdf_with_xref_stream({1: catalog, 2: PAGES, 3: PAGE, 4: packed}, {10: (4, 0)})


def pdf_object_stream_inflate() -> bytes:
    """An object stream that inflates to 256 MB (where the catalog's files are)."""
    packed = stream(deflated(b" ", 256), b"/Type/ObjStm /N 1 /First 4")
    catalog = b"<</Type/Catalog /Pages 2 0 R /AF [10 0 R]>>"
    return pdf_with_xref_stream({1: catalog, 2: PAGES, 3: PAGE, 4: packed}, {10: (4, 0)})


def pdf_many_objects() -> bytes:
    """60,000 objects: file specifications listed by the catalog."""
    count = 60_000
    specs = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    objects = {1: b"<</Type/Catalog /Pages 2 0 R /AF [%s]>>" % specs, 2: PAGES, 3: PAGE}
    objects.update({4 + n: b"<</Type/Filespec /F (f%d.xml)>>" % n for n in range(count)})
    return pdf(objects)


def pdf_xref_table_bomb() -> bytes:
    """A cross-reference table of a million (free) entries, 20 MB."""
    head = pdf({1: b"<</Type/Catalog /Pages 2 0 R>>", 2: PAGES, 3: PAGE}, xref=False)
    body = head[: head.index(b"trailer")]
    table = b"xref\n0 1000004\n" + b"0000000000 65535 f \n" * 1_000_004
    trailer = b"trailer\n<</Size 1000004 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % len(body)
    return body + table + trailer


def pdf_page_count() -> bytes:
    """A page tree that says it has 60,000 pages."""
    return pdf(
        {
            1: b"<</Type/Catalog /Pages 2 0 R>>",
            2: b"<</Type/Pages /Kids [3 0 R] /Count 60000>>",
            3: PAGE,
        }
    )


def pdf_misplaced_objects() -> bytes:
    """100 objects the table places wrongly, in 19 MB: a reader searches the file for each."""
    count = 100
    specs = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    objects = {1: b"<</Type/Catalog /Pages 2 0 R /AF [%s]>>" % specs, 2: PAGES, 3: PAGE}
    objects.update({4 + n: b"<</Type/Filespec /F (f%d.xml)>>" % n for n in range(count)})
    objects[4 + count] = b"(" + b"x" * 19_000_000 + b")"
    data = pdf(objects)
    table = data.index(b"xref\n")
    lines = data[table:].split(b"\n")
    for index in range(6, 6 + count):  # objects 4.. point at the header instead
        lines[index] = b"0000000009 00000 n "
    return data[:table] + b"\n".join(lines)


def pdf_broken_xref() -> bytes:
    """No cross-reference table: a reader would rebuild it by reading every object and
    object stream in the file."""
    packed = stream(zlib.compress(b"10 0 null"), b"/Type/ObjStm /N 1 /First 5")
    return pdf(
        {1: b"<</Type/Catalog /Pages 2 0 R /AF [10 0 R]>>", 2: PAGES, 3: PAGE, 4: packed},
        xref=False,
    )


TOO_COMPLEX = "document_too_complex"
CASES = (
    HostileCase(
        "xxe-file", "external entity reading a file", xxe_file, UnsafeDocument, 422, "PAY-UNSAFE"
    ),
    HostileCase(
        "xxe-http", "external entity over HTTP", xxe_http, UnsafeDocument, 422, "PAY-UNSAFE"
    ),
    HostileCase(
        "xxe-parameter-entity",
        "external parameter entity",
        xxe_parameter_entity,
        UnsafeDocument,
        422,
        "PAY-UNSAFE",
    ),
    HostileCase(
        "xxe-external-dtd", "external DTD", xxe_external_dtd, UnsafeDocument, 422, "PAY-UNSAFE"
    ),
    HostileCase(
        "xxe-utf16", "external entity in UTF-16", xxe_utf16, UnsafeDocument, 422, "PAY-UNSAFE"
    ),
    HostileCase(
        "xxe-long-prolog",
        "external entity after 64 KB of comment",
        xxe_behind_long_prolog,
        UnsafeDocument,
        422,
        "PAY-UNSAFE",
    ),
    HostileCase(
        "billion-laughs",
        "10^9 entity expansions",
        billion_laughs,
        UnsafeDocument,
        422,
        "PAY-UNSAFE",
    ),
    HostileCase(
        "quadratic-blowup",
        "100 KB entity referenced 50,000 times",
        quadratic_blowup,
        UnsafeDocument,
        422,
        "PAY-UNSAFE",
    ),
    HostileCase(
        "deep-nesting", "100,000 nested elements", deep_nesting, LimitExceeded, 422, TOO_COMPLEX
    ),
    HostileCase(
        "empty-elements",
        "2,000,000 empty elements, 8 MB",
        empty_elements,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "empty-elements-spread",
        "200,000 elements, no name repeated",
        empty_elements_spread,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "attribute-bomb",
        "1,000,000 attributes on one element",
        attribute_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "namespace-bomb",
        "300,000 namespace declarations",
        namespace_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase("vat-groups", "2,000 VAT breakdowns", vat_groups, LimitExceeded, 422, TOO_COMPLEX),
    HostileCase(
        "wrapped-vat-groups",
        "2,000 VAT breakdowns in distinct wrappers",
        wrapped_vat_groups,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "utf7-markup", "markup hidden in UTF-7", utf7_markup, MalformedDocument, 422, "PAY-XML"
    ),
    HostileCase(
        "huge-text-node", "one 12 MB text node", huge_text_node, LimitExceeded, 422, TOO_COMPLEX
    ),
    HostileCase(
        "finvoice-batch-bomb",
        "100,000 Finvoice documents in one file",
        finvoice_batch_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "estonian-batch-bomb",
        "Estonian file of 900 invoices",
        estonian_batch_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase("oversize", "26 MB, over the size limit", oversize, None, 413, "payload_too_large"),
    HostileCase(
        "pdf-zip-bomb",
        "factur-x.xml inflating to 256 MB",
        pdf_zip_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "pdf-object-stream-bomb",
        "object stream of 60,000 objects",
        pdf_object_stream_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "pdf-object-stream-inflate",
        "object stream inflating to 256 MB",
        pdf_object_stream_inflate,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "pdf-60k-objects", "60,000 objects", pdf_many_objects, LimitExceeded, 422, TOO_COMPLEX
    ),
    HostileCase(
        "pdf-xref-table-bomb",
        "cross-reference table of 1,000,000 entries",
        pdf_xref_table_bomb,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "pdf-page-count",
        "page tree of 60,000 pages",
        pdf_page_count,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "pdf-misplaced-objects",
        "100 objects not where the table says, 19 MB",
        pdf_misplaced_objects,
        LimitExceeded,
        422,
        TOO_COMPLEX,
    ),
    HostileCase(
        "pdf-broken-xref",
        "no cross-reference table, object streams",
        pdf_broken_xref,
        MalformedDocument,
        422,
        "PAY-XML",
    ),
)


# -- the largest documents the limits let through ----------------------------------------
# Not attacks: what costs the most among documents that pass every limit, so the bench
# shows that reading (and refusing or importing) them stays within the budget too.

SAMPLES = Path(__file__).resolve().parent / "samples"
UBL_SAMPLE = SAMPLES / "validation-ubl-invoice-two-vat-rates.xml"
CII_SAMPLE = SAMPLES / "validation-cii-en16931-invoice-two-vat-rates.xml"
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII_NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
}


@dataclass(frozen=True)
class EdgeCase:
    """A document at the limits; ``outcome`` is what the import makes of it."""

    name: str
    what: str
    build: Callable[[], bytes]
    outcome: str  # "imported" or "refused" (by validation, as any invalid invoice)


def _with_copies(data: bytes, path: str, copies: int, namespaces: dict[str, str]) -> bytes:
    root = etree.fromstring(data)
    element = root.xpath(path, namespaces=namespaces)[0]
    parent, index = element.getparent(), element.getparent().index(element)
    for _ in range(copies):
        parent.insert(index, deepcopy(element))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def failing_lines() -> bytes:
    """1,000 lines, each failing a business rule (a third decimal): the rules write every
    failure's location by counting its preceding lines."""
    amount = b">100.00</cbc:LineExtensionAmount>"
    data = UBL_SAMPLE.read_bytes().replace(amount, amount.replace(b"00<", b"001<"), 1)
    return _with_copies(data, "//cac:InvoiceLine", 998, UBL_NS)


def failing_line_charges() -> bytes:
    """460 lines of 10 allowances each, every allowance failing two rules: as many
    failures, each written with its location, as 20,000 elements can hold."""
    charge = (
        b"<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
        b'<cbc:Amount currencyID="EUR">1.999</cbc:Amount></cac:AllowanceCharge>'
    )
    anchor = b'<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>'
    data = UBL_SAMPLE.read_bytes().replace(anchor, anchor + charge * 10, 1)
    return _with_copies(data, "//cac:InvoiceLine", 458, UBL_NS)


def wrapped_failing_amounts() -> bytes:
    """40 unknown wrappers of 490 amounts with three decimals (98 of each of five kinds):
    not schema-valid, yet every amount fails a rule."""
    kinds = (b"Amount", b"BaseAmount", b"PriceAmount", b"TaxAmount", b"TaxableAmount")
    group = b"".join(b'<cbc:%s currencyID="EUR">1.999</cbc:%s>' % (kind, kind) for kind in kinds)
    wrappers = b"".join(b"<w%d>%s</w%d>" % (n, group * 98, n) for n in range(40))
    return UBL_SAMPLE.read_bytes().replace(b"<cac:TaxTotal>", wrappers + b"<cac:TaxTotal>", 1)


def lines_and_vat_groups() -> bytes:
    """1,000 lines and 90 VAT breakdowns: the rules sum every line for each breakdown."""
    line = "//ram:IncludedSupplyChainTradeLineItem"
    data = _with_copies(CII_SAMPLE.read_bytes(), line, 996, CII_NS)
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    return _with_copies(data, header_tax, 88, CII_NS)


def large_attachments() -> bytes:
    """A valid invoice carrying three attachments of 4.8 MB each: just under 20 MiB."""
    blob = base64.b64encode(bytes(range(256)) * 19_500)
    references = b"".join(
        b"<cac:AdditionalDocumentReference><cbc:ID>A%d</cbc:ID><cac:Attachment>"
        b'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a%d.pdf">'
        b"%s</cbc:EmbeddedDocumentBinaryObject></cac:Attachment>"
        b"</cac:AdditionalDocumentReference>" % (n, n, blob)
        for n in range(3)
    )
    anchor = b"<cac:AccountingSupplierParty>"
    return UBL_SAMPLE.read_bytes().replace(anchor, references + anchor, 1)


def long_invoice() -> bytes:
    """A valid invoice of 1,000 lines (the line limit), rendered as UBL."""
    from payables.einvoice import parse, render_ubl
    from payables.einvoice.model import Totals, VatBreakdown

    invoice = parse(UBL_SAMPLE.read_bytes()).invoices[0]
    line = dataclasses.replace(
        invoice.lines[0], line_net=Decimal("10.00"), quantity=Decimal(1),
        net_price=Decimal("10.00"), vat_category="S", vat_rate=Decimal(24),
    )  # fmt: skip
    count = 1_000
    net = Decimal("10.00") * count
    vat = (net * Decimal("0.24")).quantize(Decimal("0.01"))
    invoice = dataclasses.replace(
        invoice,
        number="LONG-1000",
        lines=tuple(dataclasses.replace(line, id=str(n + 1)) for n in range(count)),
        allowances_charges=(),
        vat_breakdown=(VatBreakdown("S", net, vat, Decimal(24)),),
        totals=Totals(
            line_net_total=net, tax_exclusive=net, tax_total=vat, tax_inclusive=net + vat,
            payable=net + vat,
        ),
    )  # fmt: skip
    return render_ubl(invoice)


def estonian_batch() -> bytes:
    """An Estonian e-invoice file of 99 invoices (the per-file limit is 100): the
    sample's three, 33 times, each copy with its own numbers, and the Footer to match."""
    root = etree.fromstring((SAMPLES / "ee-1.2-three-invoices-22-24-9-0-percent.xml").read_bytes())
    footer = root.find("Footer")
    originals = root.findall("Invoice")
    for copy in range(1, 33):
        for invoice in originals:
            twin = deepcopy(invoice)
            twin.set("invoiceId", f"{copy}-{twin.get('invoiceId')}")
            number = twin.find(".//InvoiceNumber")
            number.text = f"{number.text}-{copy}"
            footer.addprevious(twin)
    footer.find("TotalNumberInvoices").text = str(3 * 33)
    footer.find("TotalAmount").text = str(Decimal(footer.find("TotalAmount").text) * 33)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


EDGE_CASES = (
    EdgeCase("edge-long-invoice", "valid invoice of 1,000 lines", long_invoice, "imported"),
    EdgeCase("edge-estonian-batch", "Estonian file of 99 invoices", estonian_batch, "imported"),
    EdgeCase(
        "edge-large-attachments",
        "valid invoice with 3 x 4.8 MB attachments",
        large_attachments,
        "imported",
    ),
    EdgeCase("edge-failing-lines", "1,000 lines, each failing a rule", failing_lines, "refused"),
    EdgeCase(
        "edge-failing-line-charges",
        "460 lines of 10 failing allowances",
        failing_line_charges,
        "refused",
    ),
    EdgeCase(
        "edge-wrapped-failing-amounts",
        "19,600 failing amounts in unknown wrappers",
        wrapped_failing_amounts,
        "refused",
    ),
    EdgeCase(
        "edge-lines-and-vat-groups",
        "1,000 lines and 90 VAT breakdowns",
        lines_and_vat_groups,
        "refused",
    ),
)
