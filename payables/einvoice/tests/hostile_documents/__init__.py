"""The hostile suite: documents built to exhaust a parser, each with the refusal it gets.

Shared by the engine and import tests and by ``bench/hostile_bench.py``, which prints the
time and memory each refusal costs. Every document is generated here, in memory (none
is kept on disk); a few are megabytes, as the attack needs.
"""

from __future__ import annotations

from payables.einvoice.errors import (
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
)
from payables.einvoice.tests.hostile_documents.edge import CII_SAMPLE, EDGE_CASES, UBL_SAMPLE
from payables.einvoice.tests.hostile_documents.pdf import (
    PAGE,
    PAGES,
    pdf,
    pdf_broken_xref,
    pdf_many_objects,
    pdf_misplaced_objects,
    pdf_object_stream_bomb,
    pdf_object_stream_inflate,
    pdf_page_count,
    pdf_xref_table_bomb,
    pdf_zip_bomb,
    stream,
)
from payables.einvoice.tests.hostile_documents.xml import (
    XML_DECLARATION,
    HostileCase,
    attribute_bomb,
    billion_laughs,
    deep_nesting,
    empty_elements,
    empty_elements_spread,
    estonian_batch_bomb,
    finvoice_batch_bomb,
    huge_text_node,
    namespace_bomb,
    oversize,
    quadratic_blowup,
    ubl,
    utf7_markup,
    vat_groups,
    wrapped_vat_groups,
    xxe_behind_long_prolog,
    xxe_external_dtd,
    xxe_file,
    xxe_http,
    xxe_parameter_entity,
    xxe_utf16,
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

__all__ = [
    "CASES",
    "CII_SAMPLE",
    "EDGE_CASES",
    "PAGE",
    "PAGES",
    "UBL_SAMPLE",
    "XML_DECLARATION",
    "billion_laughs",
    "empty_elements",
    "pdf",
    "stream",
    "ubl",
    "vat_groups",
]
