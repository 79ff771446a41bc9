"""An accounting office's key serves several companies: its feeds give the documents of all
of them (each naming its company), and nothing of a company it was not granted."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from payables.approvals.services import ApproverRequest, append_approvers, approve_step
from payables.conftest import ApiClient, invoice_data
from payables.documents.tests.conftest import UBL, multipart
from payables.handoff.services import export_invoice
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import add_attachment, create_invoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services import create_supplier
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import ApiKey, Company
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import (
    create_api_key,
    create_company,
    create_integrator,
    grant_companies,
)


@pytest.fixture
def ubl() -> bytes:
    return UBL.read_bytes()


@pytest.fixture
def tasks_on_commit(django_capture_on_commit_callbacks):
    """Run the pipeline tasks a block queues at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def third_company(db) -> Company:
    return create_company(name="Kolmas SIA", country="LV", registry_code="40003032065")


@pytest.fixture
def office_key(company: Company, other_company: Company) -> tuple[ApiKey, str]:
    """The office's key: of its own company (A), granted the other company (B)."""
    integrator = create_integrator(company, name="Office")
    key, raw = create_api_key(integrator, scopes=list(SCOPES))
    grant_companies(key, [other_company])
    return key, raw


@pytest.fixture
def office(office_key: tuple[ApiKey, str]) -> ApiClient:
    return ApiClient(office_key[1])


def exported_in(company: Company, number: str) -> Invoice:
    """An invoice of ``company``, approved and exported through the services."""
    actor = Actor.system(company, "test")
    supplier = create_supplier(
        {"name": f"Supplier of {company.name}", "country": "EE"}, actor=actor
    )
    invoice = create_invoice(
        InvoiceIn(**invoice_data(supplier.id, invoice_number=number)), actor=actor
    )
    add_attachment(invoice, actor=actor, content=b"%PDF-1.4 " + number.encode(), filename="i.pdf")
    approver = create_user(
        UserIn(
            code=f"APPR-{number}", name="Approver", roles=["approver"], can_be_last_approver=True
        ).model_dump(),
        actor=actor,
    )
    append_approvers(invoice, [ApproverRequest(user=str(approver.id), level=1)], actor=actor)
    approve_step(invoice.approval_steps.get(is_current=True), actor=Actor.for_user(approver))
    return export_invoice(Invoice.objects.get(pk=invoice.pk), actor=actor)


def test_the_exported_feed_gives_every_served_companys_exports_in_one_order(
    office, company, other_company, third_company
):
    a = exported_in(company, "A-1")
    b = exported_in(other_company, "B-1")
    exported_in(third_company, "C-1")
    a2 = exported_in(company, "A-2")

    items = office.get("/feeds/exported").json()["items"]

    assert [i["invoice"]["id"] for i in items] == [str(a.id), str(b.id), str(a2.id)]
    assert [i["company_code"] for i in items] == ["10137319", "2077474-0", "10137319"]


def test_a_key_of_one_company_still_sees_only_its_own(api, office, company, other_company):
    exported_in(company, "A-1")
    exported_in(other_company, "B-1")

    items = api.get("/feeds/exported").json()["items"]

    assert [i["company_code"] for i in items] == ["10137319"]


def test_the_granted_company_does_not_see_the_office_company(
    other_api, office, company, other_company
):
    exported_in(company, "A-1")

    assert other_api.get("/feeds/exported").json()["items"] == []


def test_the_office_downloads_the_attachments_the_feed_links(office, other_company, other_api):
    b = exported_in(other_company, "B-1")
    [item] = office.get("/feeds/exported").json()["items"]
    [attachment] = item["attachments"]

    download = office.client.get(attachment["download_url"], headers={"X-API-Key": office.key})

    assert (download.status_code, download.content) == (200, b"%PDF-1.4 B-1")
    assert str(b.id) in attachment["download_url"]


def test_an_ungranted_companys_attachment_is_not_found(office, third_company):
    c = exported_in(third_company, "C-1")
    attachment = c.attachments.get()

    answer = office.get(f"/invoices/{c.id}/attachments/{attachment.id}/content")

    assert answer.status_code == 404


def test_the_digitized_feed_gives_every_served_companys_documents(
    office, api, other_api, make_key, third_company, ubl, tasks_on_commit
):
    third = ApiClient(make_key(third_company))
    with tasks_on_commit():
        multipart(api, [("a.bin", b"junk of A")], userdata="A")
        multipart(other_api, [("b.bin", b"junk of B")], userdata="B")
        multipart(third, [("c.bin", b"junk of C")], userdata="C")
        multipart(api, [("a.xml", ubl)], userdata="A2")

    items = office.get("/feeds/digitized").json()["items"]

    assert [(i["userdata"], i["company_code"]) for i in items] == [
        ("A", "10137319"),
        ("B", "2077474-0"),
        ("A2", "10137319"),
    ]
    assert [i["userdata"] for i in api.get("/feeds/digitized").json()["items"]] == ["A", "A2"]
    assert [i["userdata"] for i in other_api.get("/feeds/digitized").json()["items"]] == ["B"]


def test_the_office_uploads_for_a_granted_company_by_its_code(office, other_company, ubl):
    answer = multipart(office, [("b.xml", ubl)], company_code="2077474-0")
    [document] = answer.json()["documents"]

    assert document["company_code"] == "2077474-0"
    where = office.get(
        "/documents/upload-location", {"filename": "b.pdf", "company_code": "2077474-0"}
    ).json()
    assert office.get(f"/documents/{where['document_id']}").json()["company_code"] == "2077474-0"


@pytest.mark.parametrize("who", ["office", "single"])
def test_a_company_code_the_key_does_not_serve_is_refused(office, api, third_company, who, ubl):
    client = office if who == "office" else api
    where = client.get(
        "/documents/upload-location", {"filename": "a.pdf", "company_code": "40003032065"}
    )
    sent = multipart(client, [("a.xml", ubl)], company_code="40003032065")

    assert where.status_code == sent.status_code == 422
    assert where.json()["detail"][0]["loc"] == ["query", "company_code"]
    assert sent.json()["detail"][0]["loc"] == ["form", "company_code"]


def test_the_office_reports_a_sync_error_naming_the_company(office, other_company):
    b = exported_in(other_company, "B-1")

    answer = office.post(
        "/sync-errors",
        {"invoice_id": str(b.id), "company_code": "2077474-0", "message": "Closed period"},
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["company_code"] == "2077474-0"
    b.refresh_from_db()
    assert b.sync_failed
    listed = office.get("/sync-errors").json()["items"]
    assert [e["company_code"] for e in listed] == ["2077474-0"]


def test_a_sync_error_without_company_code_is_the_key_companys(office, other_company):
    b = exported_in(other_company, "B-1")

    answer = office.post("/sync-errors", {"invoice_id": str(b.id), "message": "Closed"})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "invoice_id"]


def test_a_sync_error_for_an_ungranted_company_is_refused(office, third_company):
    c = exported_in(third_company, "C-1")

    answer = office.post(
        "/sync-errors",
        {"invoice_id": str(c.id), "company_code": "40003032065", "message": "Closed"},
    )

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "company_code"]
    c.refresh_from_db()
    assert not c.sync_failed


def test_a_personal_key_is_never_granted_companies(company, other_company):
    from payables.errors import FieldError
    from payables.tenancy.services import create_personal_api_key

    user = create_user(
        UserIn(code="ACC", name="Accountant", roles=["accountant"]).model_dump(),
        actor=Actor.system(company),
    )
    key, _ = create_personal_api_key(user, scopes=["documents:read"])

    with pytest.raises(FieldError):
        grant_companies(key, [other_company])


def test_the_cli_grants_and_revokes_companies(
    office_key, company, other_company, third_company, capsys
):
    key, _ = office_key

    call_command("grantcompany", key.prefix, "--company", "Kolmas SIA")
    assert "Kolmas SIA" in capsys.readouterr().out
    assert set(key.granted_companies.all()) == {other_company, third_company}

    call_command("grantcompany", key.prefix, "--company", "2077474-0", "--revoke")
    assert set(key.granted_companies.all()) == {third_company}
    with pytest.raises(CommandError, match="0 companies"):
        call_command("grantcompany", key.prefix, "--company", "Nobody")
