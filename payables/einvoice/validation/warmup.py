"""Compile every installed schema and stylesheet ahead of the first invoice.

The CEN and Factur-X stylesheets take about a second each to compile on Saxon and the
UBL schema a fraction of one; a worker (or a benchmark) that compiles them once at start
keeps that out of every invoice's time.
"""

from __future__ import annotations

from pathlib import Path

from payables.einvoice.validation.artefacts import Folders, rules_for, schema_for
from payables.einvoice.validation.documents import Document
from payables.einvoice.validation.schematron import compiled_stylesheet
from payables.einvoice.validation.versions import FACTURX_PROFILES
from payables.einvoice.validation.xsd import compiled_schema


def representative_documents() -> tuple[Document, ...]:
    """One document of each kind the rules tell apart."""
    documents = [Document("ubl-invoice", standard="EN 16931")]
    documents += [Document("ubl-credit-note", standard="EN 16931")]
    documents += [Document("cii", standard="EN 16931")]
    for cius in ("xrechnung", "peppol-bis3"):
        documents += [
            Document(family, standard="EN 16931", cius=cius, cius_version="3.0")
            for family in ("ubl-invoice", "ubl-credit-note", "cii")
        ]
    for profile in FACTURX_PROFILES:
        documents += [Document("cii", version="1.0", profile=profile, standard="Factur-X")]
        documents += [Document("cii", version="2.0", profile=profile, standard="ZUGFeRD")]
    documents += [Document("zugferd1", version="1.0", profile="comfort", standard="ZUGFeRD")]
    return tuple(documents)


def compile_all(
    *,
    schema_dir: Path | None = None,
    rules_dir: Path | None = None,
    artefacts_dir: Path | None = None,
) -> int:
    """Compile the schemas and stylesheets ``validate`` would pick; return their number."""
    schemas = Folders(schema_dir=schema_dir, artefacts_dir=artefacts_dir)
    rules = Folders(
        schema_dir=schema_dir, rules_dir=rules_dir or schema_dir, artefacts_dir=artefacts_dir
    )
    paths: dict[Path, str] = {}
    for document in representative_documents():
        schema = schema_for(document, schemas)
        if schema is not None:
            paths.setdefault(schema, "schema")
        for stylesheet in rules_for(document, rules).stylesheets:
            paths.setdefault(stylesheet.path, "rules")
    for path, kind in paths.items():
        if kind == "schema":
            compiled_schema(path)
        else:
            compiled_stylesheet(path)
    return len(paths)
