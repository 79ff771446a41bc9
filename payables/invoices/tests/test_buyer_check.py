"""An e-invoice addressed to another buyer is a review finding, or a refusal by policy.

Real corpus documents go through the HTTP API into a company whose own VAT number or
registry code is the document's buyer's, or another.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payables.einvoice.model import Invoice as EInvoice
from payables.einvoice.model import Party
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.errors import ValidationFailed
from payables.invoices.einvoice_buyer import buyer_findings
from payables.invoices.models import Attachment, Invoice
from payables.masterdata.models import Supplier
from payables.tenancy.models import Company
from payables.tenancy.services import update_company

IMPORT = "/invoices/import"
# A FeRD credit note to Kunden AG Mitte, VAT DE136695976; no other finding.
TO_DE136695976 = CORPUS_DIR / "cii/zugferd-corpus/EN16931_Gutschrift.cii.xml"
# A Peppol BIS invoice to a Norwegian buyer: VAT NO987654325MVA, orgnr 987654325 (0192).
TO_NORWAY = CORPUS_DIR / "ubl/peppol-bis3/national-NO-Norwegian-example-1.xml"
needs_corpus = pytest.mark.skipif(not TO_DE136695976.exists(), reason="the shared corpus is absent")


@pytest.fixture(autouse=True)
def official_rules(settings):
    settings.PAYABLES_EINVOICE_SCHEMA_DIR = CORPUS_DIR / "xsd"
    settings.PAYABLES_EINVOICE_RULES_DIR = CORPUS_DIR / "xslt" / "en16931"


def identify(company: Company, **identity: str) -> Company:
    """Give the API's company other identifiers (through the service, as an admin would)."""
    return update_company(company, {"registry_code": "", "vat_number": ""} | identity)


def post(api, path):
    return api.post(IMPORT, raw=path.read_bytes(), content_type="application/xml")


def imported_invoice(response) -> tuple[dict, Invoice]:
    assert response.status_code == 200, response.json()
    [document] = response.json()["documents"]
    [result] = document["invoices"]
    assert result["outcome"] == "imported", result
    return document, Invoice.objects.get(pk=result["invoice_id"])


def buyer_errors(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["rule_id"] == "PAY-BUYER" and f["severity"] == "error"]


@needs_corpus
def test_an_invoice_to_the_company_itself_comes_in_without_review(api, company):
    identify(company, country="DE", vat_number="DE 136 695 976")

    document, invoice = imported_invoice(post(api, TO_DE136695976))

    assert document["needs_review"] is False
    assert not invoice.needs_review and invoice.review_findings == []
    assert buyer_errors(document["findings"]) == []


@needs_corpus
def test_an_invoice_to_another_buyer_is_imported_for_review_naming_both(api, company):
    identify(company, country="DE", vat_number="DE811907980")

    document, invoice = imported_invoice(post(api, TO_DE136695976))

    assert document["needs_review"] is True
    assert invoice.needs_review
    [finding] = buyer_errors(invoice.review_findings)
    assert "DE136695976" in finding["message"] and "DE811907980" in finding["message"]
    assert "Kunden AG Mitte" in finding["message"]
    body = api.get(f"/invoices/{invoice.id}").json()
    assert body["needs_review"] is True
    assert [f["rule_id"] for f in body["review_findings"]] == ["PAY-BUYER"]


@needs_corpus
def test_an_invoice_to_another_buyer_is_refused_when_the_company_says_so(api, company):
    identify(company, country="DE", vat_number="DE811907980")
    update_company(company, {"einvoice_other_buyer_policy": "refuse"})

    response = post(api, TO_DE136695976)

    assert response.status_code == 422
    [entry] = response.json()["detail"]
    assert entry["type"] == "PAY-BUYER" and entry["severity"] == "error"
    assert "DE136695976" in entry["msg"] and "DE811907980" in entry["msg"]
    assert not Invoice.objects.exists()
    assert not Attachment.objects.exists() and not Supplier.objects.exists()


@needs_corpus
def test_the_refuse_policy_lets_the_companys_own_invoices_in(api, company):
    identify(company, country="DE", vat_number="DE136695976")
    update_company(company, {"einvoice_other_buyer_policy": "refuse"})

    _document, invoice = imported_invoice(post(api, TO_DE136695976))

    assert not invoice.needs_review


@needs_corpus
def test_a_registry_code_names_the_buyer_in_the_national_registers_scheme(api, company):
    identify(company, country="NO", registry_code="987654325")

    document, invoice = imported_invoice(post(api, TO_NORWAY))

    assert not invoice.needs_review
    assert buyer_errors(document["findings"]) == []


@needs_corpus
def test_another_registry_code_is_another_buyer(api, company):
    identify(company, country="NO", registry_code="974760673")

    _document, invoice = imported_invoice(post(api, TO_NORWAY))

    [finding] = buyer_errors(invoice.review_findings)
    assert "987654325" in finding["message"] and "974760673" in finding["message"]


@needs_corpus
def test_a_vat_number_without_its_country_prefix_is_the_same(api, company):
    identify(company, country="NO", vat_number="987654325MVA")

    _document, invoice = imported_invoice(post(api, TO_NORWAY))

    assert not invoice.needs_review


@needs_corpus
def test_a_company_without_the_buyers_kind_of_identifier_gets_an_info(api, company):
    # The fixture company has an Estonian registry code; the buyer only a German VAT id.
    document, invoice = imported_invoice(post(api, TO_DE136695976))

    assert not invoice.needs_review
    [info] = [f for f in document["findings"] if f["rule_id"] == "PAY-BUYER"]
    assert info["severity"] == "info" and "was not checked" in info["message"]


def test_one_equal_identifier_is_enough_and_other_schemes_are_not_compared():
    company = Company(name="Acme AS", country="NO", vat_number="NO987654325MVA")
    glued = Party(name="Acme AS", vat_id="NO987654325MVA", registry_id="7080000000001")
    gln = Party(name="Acme AS", registry_id="7080000000001", registry_scheme="0088")

    def findings(buyer: Party):
        return buyer_findings(EInvoice(number="1", issue_date=None, buyer=buyer), company)

    assert findings(glued) == ()  # the VAT number agrees; the registry id is not ours
    [info] = findings(gln)  # a GLN is not a registry code
    assert info.severity == "info"
    company.registry_code = "987654325"
    assert findings(Party(registry_id="987 654 325", registry_scheme="0192")) == ()
    assert findings(Party(vat_id="SE4598375937"))[0].severity == "error"


def test_the_policy_is_a_company_setting_checked_by_the_service(company):
    assert company.einvoice_other_buyer_policy == "review"

    with pytest.raises(ValidationFailed) as caught:
        update_company(company, {"einvoice_other_buyer_policy": "ignore"})

    assert [e.loc for e in caught.value.errors] == [("einvoice_other_buyer_policy",)]
    company.refresh_from_db()
    assert company.einvoice_other_buyer_policy == "review"


def test_the_admin_sets_the_policy(company):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    url = reverse("admin:tenancy_company_change", args=[company.pk])
    form = client.get(url).context["adminform"].form
    # What a browser posts: an empty field (no suggestion threshold, say) as an empty string.
    values = {name: form[name].value() for name in form.fields}
    sent = {name: "" if value is None else value for name, value in values.items()}
    sent |= {"vat_number": "", "einvoice_other_buyer_policy": "refuse"}

    response = client.post(url, sent)

    assert response.status_code == 302, response.context["adminform"].form.errors
    company.refresh_from_db()
    assert company.einvoice_other_buyer_policy == "refuse"
