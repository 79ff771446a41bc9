"""The FeRD cases published both as bare CII and inside a PDF read as the same invoice.

The corpus holds eight FeRD example cases twice: ``cii/zugferd-corpus/EN16931_<case>.cii.xml``
(from the ZUGFeRD 2.2 package) and ``facturx-pdf/zugferd-corpus/
zugferdv2-correct-zugferd_2p0_EN16931_<case>.pdf`` (ZUGFeRD 2.0). ``einvoice.parse`` must
give the same canonical invoice for both: number, type, dates, currency, parties and
their ids, lines, allowances and charges, VAT breakdown, totals, amount due, payment
means, notes and attachments, and the booking checks must say the same of both.

Where FeRD changed the example data between 2.0 and 2.2 the two packages really differ,
and only those fields are set aside (each listed below, so a new difference fails):
- unit codes (BT-130): the 2.2 cases say H87 (piece) or DAY where 2.0 said C62 (one);
- party identifiers (BT-29, BT-46): in some cases 2.2 adds the seller's own id 549910
  beside its GLN, and 2.0 has a buyer GLN beside the buyer's id; the ids both state
  must agree and the ones only one states must be those;
- the credit note's payment terms (BT-20): 2.0 printed invoice terms ("Zahlbar
  innerhalb 30 Tagen netto ...") on Gutschrift, 2.2 says the amount is credited.
"""

from __future__ import annotations

import dataclasses

import pytest

from payables import einvoice
from payables.einvoice.model import Invoice, Party
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.einvoice.validation import check_document

CASES = (
    "1_Teilrechnung",
    "AbweichenderZahlungsempf",
    "Einfach",
    "ElektronischeAdresse",
    "Gutschrift",
    "Innergemeinschaftliche_Lieferungen",
    "Rabatte",
    "Rechnungskorrektur",
)
# Identifiers one package states and the other does not (id, scheme).
SELLER_ID_ONLY_IN_CII = {("549910", "")}
BUYER_GLNS_ONLY_IN_PDF = {("4000001987658", "0088"), ("4304171000002", "0088")}
# Cases whose payment terms text FeRD rewrote between the packages.
TERMS_REWRITTEN = {"Gutschrift"}
# Unit codes (2.2, 2.0) FeRD changed: piece and day where 2.0 said "one".
UNITS_CHANGED = {("H87", "C62"), ("DAY", "C62")}


def cii_path(case: str):
    return CORPUS_DIR / "cii" / "zugferd-corpus" / f"EN16931_{case}.cii.xml"


def pdf_path(case: str):
    name = f"zugferdv2-correct-zugferd_2p0_EN16931_{case}.pdf"
    return CORPUS_DIR / "facturx-pdf" / "zugferd-corpus" / name


def shared_ids(party: Party, other: Party) -> Party:
    """The party with only the identifiers the other package states too."""
    kept = tuple(i for i in party.identifiers if i in other.identifiers)
    return dataclasses.replace(party, identifiers=kept)


def comparable(invoice: Invoice, other: Invoice, *, terms: bool) -> Invoice:
    """The invoice with the fields FeRD changed between 2.0 and 2.2 set aside."""
    return dataclasses.replace(
        invoice,
        lines=tuple(dataclasses.replace(line, unit_code="") for line in invoice.lines),
        seller=shared_ids(invoice.seller, other.seller),
        buyer=shared_ids(invoice.buyer, other.buyer),
        payment_terms=invoice.payment_terms if terms else "",
    )


@pytest.mark.parametrize("case", CASES)
def test_the_cii_and_the_pdf_of_a_ferd_case_are_the_same_invoice(case):
    if not cii_path(case).exists() or not pdf_path(case).exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    from_cii = einvoice.parse(cii_path(case).read_bytes())
    from_pdf = einvoice.parse(pdf_path(case).read_bytes())
    [cii], [pdf] = from_cii.invoices, from_pdf.invoices

    assert (from_cii.format, from_pdf.format) == ("cii", "facturx-pdf")
    assert from_cii.profile == from_pdf.profile == "EN16931"
    assert from_cii.is_header_only is from_pdf.is_header_only is False
    # Identifiers only one package states are the ones FeRD added, listed above.
    assert set(cii.seller.identifiers) - set(pdf.seller.identifiers) <= SELLER_ID_ONLY_IN_CII
    assert set(pdf.seller.identifiers) <= set(cii.seller.identifiers)
    assert set(pdf.buyer.identifiers) - set(cii.buyer.identifiers) <= BUYER_GLNS_ONLY_IN_PDF
    assert set(cii.buyer.identifiers) <= set(pdf.buyer.identifiers)
    units = {(a.unit_code, b.unit_code) for a, b in zip(cii.lines, pdf.lines, strict=True)}
    assert {(a, b) for a, b in units if a != b} <= UNITS_CHANGED
    terms = case not in TERMS_REWRITTEN
    assert comparable(cii, pdf, terms=terms) == comparable(pdf, cii, terms=terms)
    # What the comparison covers, spelled out: an equal invoice is not an empty one.
    assert cii.number and cii.issue_date and cii.currency == "EUR"
    assert cii.lines and cii.vat_breakdown and cii.totals.payable is not None
    assert cii.seller.vat_id and cii.seller.identifiers and cii.buyer.name


@pytest.mark.parametrize("case", CASES)
def test_the_booking_checks_say_the_same_of_both(case):
    if not cii_path(case).exists() or not pdf_path(case).exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")

    def said(path):
        findings = check_document(einvoice.parse(path.read_bytes()))
        return sorted((f.rule_id, f.severity, f.location) for f in findings)

    assert said(cii_path(case)) == said(pdf_path(case))


@pytest.mark.parametrize("case", sorted(TERMS_REWRITTEN))
def test_the_credit_notes_payment_terms_were_rewritten_between_the_packages(case):
    if not cii_path(case).exists() or not pdf_path(case).exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    [cii] = einvoice.parse(cii_path(case).read_bytes()).invoices
    [pdf] = einvoice.parse(pdf_path(case).read_bytes()).invoices

    assert "gutgeschrieben" in cii.payment_terms
    assert pdf.payment_terms.startswith("Zahlbar innerhalb 30 Tagen netto")
