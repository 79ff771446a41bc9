"""A Finvoice batch (a frame and a Finvoice document per invoice) is validated document by
document: one file of several XML documents is not "not well-formed"."""

from __future__ import annotations

from payables.einvoice import parse
from payables.einvoice.tests.finvoice_support import CREDIT_NOTE, FRAME, WINDOWS_1252, sample
from payables.einvoice.tests.validation_support import SCHEMA_DIR, needs_corpus
from payables.einvoice.validation import validate

BATCH = FRAME + sample(CREDIT_NOTE) + b"\n" + FRAME + sample(WINDOWS_1252)


def schema_findings(data: bytes) -> list:
    findings = validate(data, parse(data), schema_dir=SCHEMA_DIR)
    return [f for f in findings if f.rule_id.startswith(("PAY-XML", "PAY-XSD"))]


@needs_corpus
def test_each_document_of_a_batch_is_checked_against_its_own_schema():
    assert [f for f in schema_findings(BATCH) if f.rule_id != "PAY-XSD-SKIPPED"] == []
    single = [f for f in schema_findings(sample(CREDIT_NOTE)) if f.rule_id != "PAY-XSD-SKIPPED"]
    assert single == []


@needs_corpus
def test_a_schema_error_in_the_second_document_names_that_document():
    broken = sample(WINDOWS_1252).replace(b"<SellerPartyDetails>", b"<Colour/><SellerPartyDetails>")
    assert broken != sample(WINDOWS_1252)

    findings = schema_findings(FRAME + sample(CREDIT_NOTE) + b"\n" + FRAME + broken)

    errors = [f for f in findings if f.rule_id == "PAY-XSD"]
    assert errors
    assert all(f.location.startswith("/document[2]") for f in errors)
    assert "Colour" in errors[0].message
