"""The corpus gates of e-invoice import (issue #13), with the corpus's CEN artefacts.

Every ``expected=valid`` document of ``ubl/``, ``cii/``, ``facturx-pdf/`` and ``finvoice/``
imports into a fresh company, with no review finding; every ``expected=invalid`` one is
refused or flagged for review. Validation runs with the CEN artefacts and schemas of the
corpus, as a deployment configured with them (PAYABLES_EINVOICE_RULES_DIR/SCHEMA_DIR).
The test prints both shares and each miss against the gates (100 %, at least 99 %).
"""

from __future__ import annotations

import pytest

from payables import einvoice
from payables.einvoice.tests.corpus import CORPUS_DIR, manifest
from payables.errors import PayablesError
from payables.invoices.models import Invoice
from payables.invoices.services.einvoice_import import import_einvoice
from payables.tenancy.actors import Actor
from payables.tenancy.services import create_company

FOLDERS = ("ubl", "cii", "facturx-pdf", "finvoice")
INVALID_GATE = 0.99

# Where the corpus label and the official rules of the document's own version disagree
# (the label of a PDF or Finvoice is the source's folder name, not a validation): each is
# still expected to come out as listed, so an entry that stops disagreeing fails the test
# and is removed. They are reported beside the shares, not hidden in them.
LABELLED_VALID_BUT_FLAGGED = {
    "facturx-pdf/zugferd-corpus/zugferdv2-correct-Avoir_FR_type381_BASIC.pdf": (
        "a draft Factur-X guideline id (FX-SCH-A-000026); FeRD's Mustang refuses it too"
    ),
    "facturx-pdf/zugferd-corpus/zugferdv2-correct-Facture_UE_BASICWL.pdf": (
        "BR-IC-11/12 of the Factur-X rules (the XML cannot say which 1.0.x it follows)"
    ),
    "facturx-pdf/zugferd-corpus/zugferdv2-correct-zugferd_2p0_MINIMUM.pdf": (
        "fails its own ZUGFeRD 2.0.1 MINIMUM schema and rules (PAY-XSD)"
    ),
    "finvoice/greenstep-rfinvoice/finvoice-2.01.xml": (
        "a pro-forma with no seller identifier and a 0.02 row under 0.00 totals"
    ),
}
LABELLED_INVALID_BUT_CLEAN = {
    "facturx-pdf/zugferd-corpus/zugferdv2-fail-Avoir_FR_type380_EN16931.pdf": (
        "a negative invoice (380) correcting FA-2017-0010: EN 16931 and Factur-X accept it"
    ),
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not manifest(), reason="the shared corpus is absent: expected at ../shared/corpus"
    ),
]


def _rows(expected: str) -> list[dict[str, str]]:
    return [
        row
        for row in manifest()
        if row["path"].split("/", 1)[0] in FOLDERS and row["expected"] == expected
    ]


def _fresh_company(index: int, data: bytes):
    """A company of its own per file: test files share invoice numbers and sellers."""
    try:
        currency = einvoice.parse(data).invoices[0].currency.upper() or "EUR"
    except einvoice.EInvoiceError:
        currency = "EUR"
    return create_company(name=f"Gate {index}", country="EE", home_currency=currency)


def _outcome(index: int, row: dict[str, str]) -> tuple[str, str]:
    """``clean``, ``flagged`` (imported for review, or some invoice failed) or ``refused``."""
    data = (CORPUS_DIR / row["path"]).read_bytes()
    company = _fresh_company(index, data)
    try:
        document = import_einvoice(
            data, actor=Actor.system(company, "gate"), filename=row["path"].rsplit("/", 1)[-1]
        )
    except (PayablesError, einvoice.EInvoiceError) as exc:
        return "refused", str(exc)[:160]
    ids = [r.invoice_id for r in document.results if r.outcome == "imported"]
    reviewed = Invoice.objects.filter(pk__in=ids, needs_review=True)
    if document.status == "failed" or len(ids) < len(document.results):
        details = "; ".join(f"{r.outcome}: {r.detail}" for r in document.results)
        return "flagged", f"not every invoice imported ({details})"[:300]
    if reviewed.exists():
        rules = sorted({f["rule_id"] for i in reviewed for f in i.review_findings})
        return "flagged", f"needs review: {', '.join(rules)}"
    return "clean", ""


def test_valid_documents_import_clean_and_invalid_ones_are_refused_or_flagged(db, settings):
    settings.PAYABLES_EINVOICE_SCHEMA_DIR = CORPUS_DIR / "xsd"
    settings.PAYABLES_EINVOICE_RULES_DIR = CORPUS_DIR / "xslt" / "en16931"
    misses: list[str] = []
    unexpected: list[str] = []
    valid = _rows("valid")
    clean = 0
    for index, row in enumerate(valid):
        outcome, detail = _outcome(index, row)
        clean += outcome == "clean"
        if outcome != "clean":
            misses.append(f"valid {row['path']}: {outcome} {detail}")
        if (outcome == "clean") == (row["path"] in LABELLED_VALID_BUT_FLAGGED):
            unexpected.append(f"valid {row['path']}: {outcome} {detail}")
    invalid = _rows("invalid")
    caught = 0
    for index, row in enumerate(invalid, start=len(valid)):
        outcome, _detail = _outcome(index, row)
        caught += outcome != "clean"
        if outcome == "clean":
            misses.append(f"invalid {row['path']}: imported clean")
        if (outcome == "clean") != (row["path"] in LABELLED_INVALID_BUT_CLEAN):
            unexpected.append(f"invalid {row['path']}: {outcome}")
    print(  # noqa: T201 - the shares are this test's report, shown with pytest -s
        f"\nvalid documents imported without review findings: {clean}/{len(valid)}"
        f" = {clean / len(valid):.1%}"
        f"\ninvalid documents refused or flagged: {caught}/{len(invalid)}"
        f" = {caught / len(invalid):.1%}"
    )
    print("\n".join(misses))  # noqa: T201
    known = len(LABELLED_VALID_BUT_FLAGGED) + len(LABELLED_INVALID_BUT_CLEAN)
    print(f"gates: 100 % and {INVALID_GATE:.0%}; {known} label disagreements listed")  # noqa: T201
    assert not unexpected, unexpected
