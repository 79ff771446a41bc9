"""Hostile XML: entities and DTDs, size and shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from payables.einvoice.errors import (
    EInvoiceError,
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
