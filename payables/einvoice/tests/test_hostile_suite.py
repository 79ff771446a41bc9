"""The hostile suite through ``payables.einvoice.parse``, and the limits at their edges.

Every attack of ``hostile_documents`` is refused with its error (and a PAY- rule id),
never read. The shape limits are sized to real invoices, so a document at a limit is
read and one past it refused. Time is never asserted: ``bench/hostile_bench.py`` prints
it.
"""

from __future__ import annotations

import dataclasses
import io
import zlib
from copy import deepcopy

import pytest
from pypdf import PdfWriter

from payables import einvoice
from payables.einvoice import facturx_pdf
from payables.einvoice.errors import LimitExceeded, MalformedDocument
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.tests.hostile_documents import (
    CASES,
    EDGE_CASES,
    PAGE,
    PAGES,
    XML_DECLARATION,
    pdf,
    stream,
    ubl,
)
from payables.einvoice.validation import validate
from payables.einvoice.validation.documents import identify
from payables.einvoice.validation.schematron import (
    MAX_RULE_FINDINGS,
    RULE_RULES_MORE,
    check_rules,
)
from payables.einvoice.xmlsafe import parse_xml

LIMITS = ParseLimits()
UBL_SAMPLE = SAMPLES_DIR / "validation-ubl-invoice-two-vat-rates.xml"
MINIMUM_CII = SAMPLES_DIR / "cii-factur-x-minimum-header-only.xml"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_hostile_document_is_refused_with_its_error(case):
    data = case.build()

    with pytest.raises(case.refusal or LimitExceeded) as refused:
        einvoice.parse(data)

    finding = refused.value.findings[0]
    assert finding.severity == "fatal"
    assert finding.rule_id.startswith("PAY-")
    assert finding.message


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda case: case.name)
def test_the_largest_documents_the_limits_let_through_are_read(case):
    parsed = einvoice.parse(case.build())

    assert parsed.invoices


def test_no_secret_of_an_external_entity_reaches_the_refusal(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    doctype = b'<!ENTITY x SYSTEM "%s">' % secret.as_uri().encode()

    with pytest.raises(einvoice.UnsafeDocument) as refused:
        einvoice.parse(ubl(b"<cbc:ID>&x;</cbc:ID>", doctype=doctype))

    assert "TOP-SECRET-42" not in str(refused.value.findings)


def repeated(times: int, element: bytes = b"<cbc:Note>n</cbc:Note>") -> bytes:
    return ubl(element * times)


def test_an_element_may_repeat_up_to_the_limit_under_one_parent():
    assert len(parse_xml(repeated(LIMITS.max_repeats), limits=LIMITS)) == LIMITS.max_repeats

    with pytest.raises(LimitExceeded, match="repeats Note in Invoice"):
        parse_xml(repeated(LIMITS.max_repeats + 1), limits=LIMITS)


def test_repeats_are_counted_whatever_wraps_them():
    wrapped = b"".join(
        b"<w%d><cac:TaxTotal><cac:TaxSubtotal/></cac:TaxTotal></w%d>" % (n, n)
        for n in range(LIMITS.max_repeats + 1)
    )

    with pytest.raises(LimitExceeded, match="TaxSubtotal in TaxTotal"):
        parse_xml(ubl(wrapped), limits=LIMITS)


def test_lines_repeat_up_to_their_own_limit_and_each_line_counts_its_own_repeats():
    line = b"<cac:InvoiceLine>" + b"<cbc:Note>n</cbc:Note>" * 10 + b"</cac:InvoiceLine>"

    root = parse_xml(ubl(line * LIMITS.max_lines), limits=LIMITS)

    assert len(root) == LIMITS.max_lines
    with pytest.raises(LimitExceeded, match="more than 1000 InvoiceLine"):
        parse_xml(ubl(line * (LIMITS.max_lines + 1)), limits=LIMITS)


def test_an_element_has_a_bounded_number_of_children():
    children = b"".join(b"<c%d/>" % n for n in range(LIMITS.max_children + 1))

    with pytest.raises(LimitExceeded, match="child elements"):
        parse_xml(ubl(children), limits=LIMITS)


def test_elements_are_counted_while_parsing():
    data = ubl(b"<cbc:Note>n</cbc:Note>" * 50)

    assert parse_xml(data, limits=dataclasses.replace(LIMITS, max_elements=51)) is not None
    with pytest.raises(LimitExceeded, match="more than 50 elements"):
        parse_xml(data, limits=dataclasses.replace(LIMITS, max_elements=50))


def test_nesting_is_bounded_by_the_limit_not_only_by_libxml2():
    data = ubl(b"<a>" * 20 + b"</a>" * 20)

    with pytest.raises(LimitExceeded, match="more than 10 levels"):
        parse_xml(data, limits=dataclasses.replace(LIMITS, max_depth=10))


def test_attributes_are_bounded_on_the_raw_bytes():
    data = ubl(b'<cbc:Note a="1" b="2" c="3"/>')

    assert parse_xml(data, limits=dataclasses.replace(LIMITS, max_attributes=10)) is not None
    with pytest.raises(LimitExceeded, match="attributes"):
        parse_xml(data, limits=dataclasses.replace(LIMITS, max_attributes=5))


@pytest.mark.parametrize("encoding", ["UTF-8", "ISO-8859-15", "windows-1252", "US-ASCII"])
def test_encodings_that_write_markup_as_ascii_are_read(encoding):
    data = XML_DECLARATION.replace(b"UTF-8", encoding.encode()) + b'<a b="1">x</a>'

    assert parse_xml(data, limits=LIMITS).get("b") == "1"


@pytest.mark.parametrize("encoding", ["UTF-7", "cp037", "x-no-such-charset"])
def test_encodings_that_hide_markup_from_a_byte_scan_are_refused(encoding):
    data = XML_DECLARATION.replace(b"UTF-8", encoding.encode()) + b"<a/>"

    with pytest.raises(MalformedDocument, match="Unsupported encoding"):
        parse_xml(data, limits=LIMITS)


def test_ebcdic_detected_from_the_first_bytes_is_refused():
    data = '<?xml version="1.0"?><a/>'.encode("cp037")

    with pytest.raises(MalformedDocument, match="Unsupported encoding"):
        parse_xml(data, limits=LIMITS)


def test_utf16_without_a_byte_order_mark_is_read():
    data = '<?xml version="1.0" encoding="UTF-16LE"?><a b="1"/>'.encode("utf-16-le")

    assert parse_xml(data, limits=LIMITS).get("b") == "1"


def test_business_rule_findings_past_the_cap_are_counted_in_one():
    root = parse_xml(UBL_SAMPLE.read_bytes(), limits=LIMITS)
    lines = root.findall("{*}InvoiceLine")
    for line in lines:  # a third decimal fails a rule on every line
        amount = line.find("{*}LineExtensionAmount")
        amount.text += "1"
    for _ in range(MAX_RULE_FINDINGS):
        root.append(deepcopy(lines[0]))

    # Info notes (a CIUS rule set not installed here) follow the rules' own findings.
    findings = [f for f in check_rules(root, identify(root)) if f.severity != "info"]

    assert len(findings) == MAX_RULE_FINDINGS + 1
    assert findings[-1].rule_id == RULE_RULES_MORE
    assert findings[-1].severity == "error"


def test_long_text_reaches_the_rules_shortened_and_the_tree_is_left_whole():
    data = UBL_SAMPLE.read_bytes().replace(
        b"<cbc:DueDate>", b"<cbc:Note>" + b"x" * 200_000 + b"</cbc:Note><cbc:DueDate>", 1
    )
    root = parse_xml(data, limits=LIMITS)
    plain = check_rules(parse_xml(UBL_SAMPLE.read_bytes(), limits=LIMITS), identify(root))

    assert check_rules(root, identify(root)) == plain
    assert len(root.find("{*}Note").text) == 200_000


def test_the_validation_layers_read_with_the_same_limits():
    notes = b"<cbc:Note>n</cbc:Note>" * 20
    data = UBL_SAMPLE.read_bytes().replace(b"<cbc:DueDate>", notes + b"<cbc:DueDate>", 1)
    parsed = einvoice.parse(data)

    findings = validate(data, parsed, limits=dataclasses.replace(LIMITS, max_repeats=10))

    assert [f.rule_id for f in findings if f.rule_id == "PAY-LIMIT"] == ["PAY-LIMIT"]


def hybrid(xml: bytes, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", xml)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_within_its_object_limit_is_read_and_one_past_it_refused():
    data = hybrid(MINIMUM_CII.read_bytes())
    objects = data.count(b"obj") - data.count(b"endobj")

    assert facturx_pdf.parse(data, limits=dataclasses.replace(LIMITS, max_pdf_objects=2 * objects))
    with pytest.raises(LimitExceeded, match="objects"):
        facturx_pdf.parse(data, limits=dataclasses.replace(LIMITS, max_pdf_objects=objects - 1))


def test_pdf_pages_are_counted_from_the_page_tree():
    data = hybrid(MINIMUM_CII.read_bytes(), pages=3)

    with pytest.raises(LimitExceeded, match="3 pages"):
        facturx_pdf.parse(data, limits=dataclasses.replace(LIMITS, max_pdf_pages=2))


def test_embedded_files_inflate_within_one_budget():
    padding = b"<!--" + b"x" * 100_000 + b"-->"
    xml = MINIMUM_CII.read_bytes().replace(b"<rsm:", padding + b"<rsm:", 1)
    names = b"[(factur-x.xml) 4 0 R (xrechnung.xml) 6 0 R]"
    catalog = b"<</Type/Catalog /Pages 2 0 R /Names <</EmbeddedFiles <</Names %s>>>>>>" % names
    objects = {1: catalog, 2: PAGES, 3: PAGE}
    for number, name in ((4, b"factur-x.xml"), (6, b"xrechnung.xml")):
        objects[number] = b"<</Type/Filespec /F (%s) /EF <</F %d 0 R>>>>" % (name, number + 1)
        objects[number + 1] = stream(zlib.compress(xml), b"/Type/EmbeddedFile")
    data = pdf(objects)

    assert facturx_pdf.parse(data, limits=dataclasses.replace(LIMITS, max_bytes=2 * len(xml)))
    with pytest.raises(LimitExceeded, match="in all"):
        facturx_pdf.parse(data, limits=dataclasses.replace(LIMITS, max_bytes=2 * len(xml) - 1))
