"""The invoice page: its data, chain and history, approve / reject / export, attachments."""

from __future__ import annotations

from decimal import Decimal

from payables.approvals.models import ApprovalStep
from payables.approvals.services import approve_step
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.invoices.services.attachments import add_attachment
from payables.masterdata.services.users import update_user
from payables.tenancy.actors import Actor

HTMX = {"HX-Request": "true"}


def _url(invoice, step=None, action=""):
    base = f"/invoices/{invoice.id}/"
    return f"{base}steps/{step.id}/{action}/" if step else base


def _state(invoice):
    invoice = Invoice.objects.get(pk=invoice.pk)
    return invoice.status, [s.status for s in invoice.approval_steps.order_by("position")]


def test_the_page_shows_the_invoice_its_rows_coding_and_vat(make_invoice, browser_for, bob, assign):
    rows = [
        {"description": "Paper", "quantity": "10", "unit_price": "10.00", "net_amount": "100.00",
         "vat_rate": "22", "vat_amount": "22.00", "account_code": "4000", "vat_code": "VAT22",
         "dimensions": {"DEPT": "SALES"}},
        {"description": "Books", "quantity": "1", "unit_price": "50", "net_amount": "50.00",
         "vat_rate": "9", "vat_amount": "4.50"},
    ]  # fmt: skip
    invoice = make_invoice(invoice_number="INV-9", rows=rows)
    assign(invoice, (bob, 1))
    page = browser_for(bob).get(_url(invoice)).text
    for text in [
        "Tallinna Kontoritarbed AS",
        "INV-9",
        "176.50",
        "Paper",
        "4000",
        "VAT22",
        "DEPT: SALES",
        "VAT breakdown",
        "26.50",
        "Payment reference",
        "Bob Example",
    ]:
        assert text in page, text


def test_the_page_says_where_the_rate_came_from(make_invoice, browser_for, bob, assign):
    invoice = make_invoice(currency="USD", invoice_date="2026-11-01")  # a Sunday
    assign(invoice, (bob, 1))
    page = browser_for(bob).get(_url(invoice)).text
    assert "(rate 0.8950948801, ECB of 2026-10-30)" in page


def test_the_chain_and_history_are_shown(chain, browser_for, ann, bob):
    invoice, first, _ = chain
    approve_step(first, actor=Actor.for_user(ann), comment="Goods received")
    page = browser_for(bob).get(_url(invoice)).text
    assert "Goods received" in page
    assert "approvers appended" in page  # shown in words
    assert "user:ANN Ann Example (web)" in page  # the history names who acted and how


def test_another_companys_invoice_is_not_found(chain, make_member, other_company, browser_for):
    invoice, first, _ = chain
    stranger = browser_for(make_member("ANN", company=other_company))
    assert stranger.get(_url(invoice)).status_code == 404
    assert stranger.post(_url(invoice, first, "approve")).status_code == 404
    assert _state(invoice) == ("assigned", ["waiting", "waiting"])


def test_the_current_approver_gets_the_buttons(chain, browser_for, ann):
    invoice, first, _ = chain
    page = browser_for(ann).get(_url(invoice)).text
    assert f'action="{_url(invoice, first, "approve")}"' in page
    assert f'action="{_url(invoice, first, "reject")}"' in page
    assert 'hx-post="' in page


def test_others_get_no_buttons_and_their_posts_are_refused(chain, browser_for, bob):
    invoice, first, _ = chain
    client = browser_for(bob)
    page = client.get(_url(invoice)).text
    assert "/approve/" not in page
    assert "Waiting for <strong>Ann Example</strong>" in page
    refused = client.post(_url(invoice, first, "approve"))
    assert refused.status_code == 403
    assert "belongs to another approver" in refused.text
    assert client.post(_url(invoice, first, "reject"), {"reason": "no"}).status_code == 403
    assert _state(invoice) == ("assigned", ["waiting", "waiting"])


def test_approving_without_javascript_redirects_to_the_new_state(chain, browser_for, ann):
    invoice, first, _ = chain
    client = browser_for(ann)
    response = client.post(_url(invoice, first, "approve"), {"comment": "Looks right"})
    assert response.status_code == 303
    assert response["Location"] == _url(invoice)
    assert _state(invoice) == ("assigned", ["approved", "waiting"])
    assert ApprovalStep.objects.get(pk=first.pk).comment == "Looks right"
    page = client.get(_url(invoice)).text
    assert "You approved invoice INV-7." in page
    assert "Waiting for <strong>Bob Example</strong>" in page
    assert "/approve/" not in page


def test_approving_with_htmx_asks_for_a_reload(chain, browser_for, ann, bob):
    invoice, first, second = chain
    browser_for(ann).post(_url(invoice, first, "approve"), headers=HTMX)
    response = browser_for(bob).post(_url(invoice, second, "approve"), headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == _url(invoice)
    assert _state(invoice) == ("approved", ["approved", "approved"])


def test_a_comment_over_200_characters_is_refused(chain, browser_for, ann):
    invoice, first, _ = chain
    response = browser_for(ann).post(_url(invoice, first, "approve"), {"comment": "x" * 201})
    assert response.status_code == 422
    assert "at most 200 characters" in response.text
    assert _state(invoice) == ("assigned", ["waiting", "waiting"])


def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(chain, browser_for, ann):
    invoice, first, _ = chain
    events = Event.objects.count()
    response = browser_for(ann).post(_url(invoice, first, "reject"), {"reason": "   "})
    assert response.status_code == 422
    assert "<html" in response.text  # without JavaScript: the whole page, with the error
    assert 'role="alert">Give a reason for rejecting the invoice.' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="id_reason-error"' in response.text
    assert _state(invoice) == ("assigned", ["waiting", "waiting"])
    assert Event.objects.count() == events


def test_rejecting_without_a_reason_by_htmx_answers_the_form_alone(chain, browser_for, ann):
    invoice, first, _ = chain
    response = browser_for(ann).post(_url(invoice, first, "reject"), {"reason": ""}, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="decision"')
    assert "Give a reason for rejecting the invoice." in response.text
    assert _state(invoice) == ("assigned", ["waiting", "waiting"])


def test_rejecting_with_a_reason_rejects_the_invoice(chain, browser_for, ann):
    invoice, first, _ = chain
    client = browser_for(ann)
    response = client.post(_url(invoice, first, "reject"), {"reason": "Wrong price"})
    assert response.status_code == 303
    assert _state(invoice) == ("rejected", ["rejected", "skipped"])
    page = client.get(_url(invoice)).text
    assert "Wrong price" in page
    assert "You rejected invoice INV-7." in page


def test_a_refusal_of_the_service_is_shown_in_the_form(chain, browser_for, ann, bob, actor):
    invoice, first, second = chain
    approve_step(first, actor=Actor.for_user(ann))
    update_user(bob, {"approval_limit_amount": Decimal("100.00")}, actor=actor)
    response = browser_for(bob).post(_url(invoice, second, "approve"), headers=HTMX)
    assert response.status_code == 403
    assert "approval limit is below" in response.text
    assert _state(invoice) == ("assigned", ["approved", "waiting"])


def test_acting_on_a_step_twice_is_a_conflict(chain, browser_for, ann):
    invoice, first, _ = chain
    client = browser_for(ann)
    client.post(_url(invoice, first, "approve"))
    again = client.post(_url(invoice, first, "approve"))
    assert again.status_code == 409
    assert "already approved" in again.text


def test_a_step_of_another_invoice_is_not_found(chain, make_invoice, browser_for, ann):
    _, first, _ = chain
    other = make_invoice()
    assert browser_for(ann).post(_url(other, first, "approve")).status_code == 404


def test_actions_take_only_posts(chain, browser_for, ann):
    invoice, first, _ = chain
    assert browser_for(ann).get(_url(invoice, first, "approve")).status_code == 405


def test_accountants_export_approved_invoices(chain, browser_for, make_member, ann, bob):
    invoice, first, second = chain
    approve_step(first, actor=Actor.for_user(ann))
    approve_step(second, actor=Actor.for_user(bob))
    accountant = browser_for(make_member("ACC", roles=("accountant",)))
    assert f'action="/invoices/{invoice.id}/export/"' in accountant.get(_url(invoice)).text
    response = accountant.post(f"/invoices/{invoice.id}/export/")
    assert response.status_code == 303
    assert Invoice.objects.get(pk=invoice.pk).status == "exported"
    assert "was exported" in accountant.get(_url(invoice)).text


def test_approvers_cannot_export(chain, browser_for, ann, bob):
    invoice, first, second = chain
    approve_step(first, actor=Actor.for_user(ann))
    approve_step(second, actor=Actor.for_user(bob))
    client = browser_for(bob)
    assert "/export/" not in client.get(_url(invoice)).text
    assert client.post(f"/invoices/{invoice.id}/export/").status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).status == "approved"


def test_attachments_download_for_the_company_only(
    chain, browser_for, ann, actor, make_member, other_company
):
    invoice, _, _ = chain
    added = add_attachment(
        invoice, actor=actor, content=b"note", filename="note.txt", content_type="text/plain"
    ).attachment
    client = browser_for(ann)
    url = f"/invoices/{invoice.id}/attachments/{added.id}/"
    assert f'href="{url}"' in client.get(_url(invoice)).text
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"note"
    assert response["Content-Disposition"] == 'attachment; filename="note.txt"'
    stranger = browser_for(make_member("ANN", company=other_company))
    assert stranger.get(url).status_code == 404


def test_a_link_attachment_has_no_content_to_download(chain, browser_for, ann, actor):
    invoice, _, _ = chain
    link = add_attachment(invoice, actor=actor, url="https://example.com/po.pdf").attachment
    client = browser_for(ann)
    assert 'href="https://example.com/po.pdf"' in client.get(_url(invoice)).text
    assert client.get(f"/invoices/{invoice.id}/attachments/{link.id}/").status_code == 404
