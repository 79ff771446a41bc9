"""Review instead of refusal: a readable e-invoice with validation errors is imported with
its findings and ``needs_review``; it is neither finally approved nor exported until an
accountant clears the flag with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payables.approvals.services import ApproverRequest, append_approvers
from payables.conftest import ApiClient
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.events.models import Event
from payables.invoices.models import AuditEntry, Invoice
from payables.invoices.services.review import clear_review
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.errors import RoleRequired
from payables.tenancy.models import Company, CompanyUser
from payables.tenancy.services import create_personal_api_key

IMPORT = "/invoices/import"
UBL_INVALID = CORPUS_DIR / "ubl/xrechnung-testsuite/05.01a-INVOICE_ubl.xml"  # fails BR-CO-16
UNREADABLE = b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><oops"
needs_corpus = pytest.mark.skipif(
    not UBL_INVALID.exists(), reason="the shared corpus is absent (../shared/corpus)"
)
APPROVER_SCOPES = ["approvals:read", "approvals:write", "invoices:read"]


@pytest.fixture
def settings_with_schemas(settings):
    settings.PAYABLES_EINVOICE_SCHEMA_DIR = CORPUS_DIR / "xsd"
    settings.PAYABLES_EINVOICE_RULES_DIR = CORPUS_DIR / "xslt" / "en16931"
    return settings


@pytest.fixture
def make_user(actor: Actor) -> Callable[..., CompanyUser]:
    def make(code: str, *roles: str, last: bool = True) -> CompanyUser:
        return create_user(
            UserIn(
                code=code,
                name=f"User {code}",
                email=f"{code.lower()}@example.com",
                roles=list(roles),
                can_be_last_approver=last,
            ).model_dump(),
            actor=actor,
        )

    return make


def personal(user: CompanyUser, scopes: list[str]) -> ApiClient:
    return ApiClient(create_personal_api_key(user, scopes=scopes)[1])


def import_invalid(api: ApiClient) -> dict:
    response = api.post(IMPORT, raw=UBL_INVALID.read_bytes(), content_type="application/xml")
    assert response.status_code == 200, response.json()
    [document] = response.json()["documents"]
    assert document["status"] == "imported", document
    return document


@needs_corpus
def test_an_invalid_document_is_imported_for_review_by_default(
    api: ApiClient, company: Company, settings_with_schemas
):
    assert Company._meta.get_field("einvoice_invalid_policy").default == "review"
    assert company.einvoice_invalid_policy == "review"
    document = import_invalid(api)
    assert document["needs_review"] is True
    [result] = document["invoices"]
    assert result["outcome"] == "imported"
    errors = [f for f in document["findings"] if f["severity"] in {"fatal", "error"}]
    assert any(f["rule_id"] == "BR-CO-16" for f in errors)

    # Every error-level finding, as the import named it; then the amount-due check's own
    # (the document states another amount due than its totals leave).
    body = api.get(f"/invoices/{result['invoice_id']}").json()
    assert body["needs_review"] is True
    assert body["review_findings"][: len(errors)] == errors
    assert [f["rule_id"] for f in body["review_findings"][len(errors) :]] == ["PAY-DUE"]
    invoice = Invoice.objects.get(pk=result["invoice_id"])
    assert invoice.needs_review and invoice.review_findings == body["review_findings"]


@needs_corpus
def test_refuse_policy_still_refuses_an_invalid_document(
    api: ApiClient, company: Company, settings_with_schemas
):
    company.einvoice_invalid_policy = "refuse"
    company.save()
    response = api.post(IMPORT, raw=UBL_INVALID.read_bytes(), content_type="application/xml")
    assert response.status_code == 422
    assert any(item["type"] == "BR-CO-16" for item in response.json()["detail"])
    assert not Invoice.objects.exists()


def test_an_unreadable_document_is_refused_under_review(api: ApiClient, company: Company):
    assert company.einvoice_invalid_policy == "review"
    response = api.post(IMPORT, raw=UNREADABLE, content_type="application/xml")
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Invoice.objects.exists()


def test_a_valid_invoice_carries_no_review(api: ApiClient, invoice_payload):
    body = api.post("/invoices", invoice_payload()).json()
    assert (body["needs_review"], body["review_findings"]) == (False, [])


@needs_corpus
def test_final_approval_and_export_wait_for_the_review_to_be_cleared(
    api: ApiClient, actor: Actor, make_user: Callable[..., CompanyUser], settings_with_schemas
):
    [result] = import_invalid(api)["invoices"]
    ref = result["invoice_id"]
    invoice = Invoice.objects.get(pk=ref)
    first = make_user("FIRST", "approver", last=False)
    last = make_user("LAST", "approver")
    accountant = make_user("ACC", "accountant")
    append_approvers(
        invoice,
        [ApproverRequest(user="FIRST", level=1), ApproverRequest(user="LAST", level=2)],
        actor=actor,
    )
    steps = list(invoice.approval_steps.order_by("position"))

    # An earlier step still acts.
    response = personal(first, APPROVER_SCOPES).post(f"/approvals/{steps[0].id}/approve")
    assert response.status_code == 200, response.json()
    # The last one is refused, and nothing of it is kept: the step still waits.
    as_last = personal(last, APPROVER_SCOPES)
    response = as_last.post(f"/approvals/{steps[1].id}/approve", {"comment": "fine"})
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "needs_review"
    assert "needs review" in response.json()["detail"]
    steps[1].refresh_from_db()
    assert (steps[1].status, steps[1].is_current) == ("waiting", True)
    assert api.get(f"/invoices/{ref}").json()["status"] == "assigned"

    # An approver may not clear it; a reason is required.
    with pytest.raises(RoleRequired):
        clear_review(invoice, actor=Actor.for_user(last), reason="Looks right")
    as_accountant = personal(accountant, ["invoices:read", "invoices:write"])
    response = as_accountant.post(f"/invoices/{ref}/clear-review", {"reason": "   "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    response = as_accountant.post(f"/invoices/{ref}/clear-review", {"reason": "x" * 501})
    assert response.status_code == 422
    assert api.get(f"/invoices/{ref}").json()["needs_review"] is True

    response = as_accountant.post(
        f"/invoices/{ref}/clear-review", {"reason": "Totals checked against the PDF"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["needs_review"] is False
    assert body["review_findings"]  # kept, as the record of what was seen
    entry = AuditEntry.objects.get(invoice_id=ref, action="review_cleared")
    assert entry.comment == "Totals checked against the PDF"
    assert "ACC" in entry.actor
    event = Event.objects.get(type="invoice.review_cleared")
    assert event.payload["reason"] == "Totals checked against the PDF"
    assert event.payload["findings"] == len(body["review_findings"])
    again = as_accountant.post(f"/invoices/{ref}/clear-review", {"reason": "Twice"})
    assert (again.status_code, again.json()["code"]) == (409, "review_not_needed")

    # The approver approves again; then it exports.
    response = as_last.post(f"/approvals/{steps[1].id}/approve", {"comment": "fine"})
    assert response.status_code == 200, response.json()
    assert api.get(f"/invoices/{ref}").json()["status"] == "approved"
    response = api.post(f"/invoices/{ref}/export")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "exported"


@needs_corpus
def test_an_invoice_under_review_is_not_exported(
    api: ApiClient, actor: Actor, approver: CompanyUser, settings_with_schemas
):
    """Even approved (a flag set after approval cannot happen by import, but the guard is
    the lifecycle's), export refuses it, alone or in a batch."""
    [result] = import_invalid(api)["invoices"]
    ref = result["invoice_id"]
    invoice = Invoice.objects.get(pk=ref)
    append_approvers(invoice, [ApproverRequest(user=str(approver.id), level=1)], actor=actor)
    clear_review(invoice, actor=actor, reason="Checked")
    step = invoice.approval_steps.get(is_current=True)
    response = personal(approver, APPROVER_SCOPES).post(f"/approvals/{step.id}/approve")
    assert response.status_code == 200, response.json()
    Invoice.objects.filter(pk=ref).update(needs_review=True)  # flagged again (test input)

    response = api.post(f"/invoices/{ref}/export")
    assert (response.status_code, response.json()["code"]) == (409, "needs_review")
    batch = api.post("/invoices/export", {"invoices": [ref]})
    assert batch.status_code == 200, batch.json()
    [item] = batch.json()["results"]
    assert (item["outcome"], item["code"]) == ("error", "needs_review")
    assert api.get(f"/invoices/{ref}").json()["status"] == "approved"


def test_clearing_an_invoice_not_under_review_is_a_conflict(api: ApiClient, invoice_payload):
    ref = api.post("/invoices", invoice_payload()).json()["id"]
    response = api.post(f"/invoices/{ref}/clear-review", {"reason": "Nothing to clear"})
    assert (response.status_code, response.json()["code"]) == (409, "review_not_needed")
    assert api.post("/invoices/nope/clear-review", {"reason": "x"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_migration_renames_the_needs_review_policy_to_review():
    """Companies that chose to import invalid documents flagged keep that choice."""
    before, after = (
        ("tenancy", "0005_company_users_move_here"),
        (
            "tenancy",
            "0006_einvoice_policy_review_by_default",
        ),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        apps = executor.loader.project_state([before]).apps
        Old = apps.get_model("tenancy", "Company")
        ids = {
            policy: Old.objects.create(name=policy, country="EE", einvoice_invalid_policy=policy).pk
            for policy in ("refuse", "needs_review")
        }
        executor.loader.build_graph()
        executor.migrate([after])
        New = executor.loader.project_state([after]).apps.get_model("tenancy", "Company")
        policies = {
            name: New.objects.get(pk=pk).einvoice_invalid_policy for name, pk in ids.items()
        }
        assert policies == {"refuse": "refuse", "needs_review": "review"}
        assert New._meta.get_field("einvoice_invalid_policy").default == "review"
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
