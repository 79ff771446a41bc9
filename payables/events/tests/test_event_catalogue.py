"""The event catalogue is the contract: every recorded event carries exactly the fields its
type declares, every type is declared, and the README shows the catalogue as declared.

Each flow below does what integrators and people typically do, through the API where it
can and through the services otherwise, then checks every event it recorded.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payables.approvals.services import (
    ApproverRequest,
    append_approvers,
    approve_step,
    reject_step,
    reroute_invoice,
)
from payables.conftest import ApiClient
from payables.events import event_types
from payables.events.event_types import EVENT_TYPES, EventType, catalogue_markdown
from payables.events.models import Event
from payables.events.tests.receivers import Receiver, confirm, subscribe
from payables.events.webhooks.delivery import deliver_due
from payables.invoices.models import Invoice
from payables.masterdata.services import invite_user, set_user_password
from payables.masterdata.tests.kinds import KINDS, KindCase
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser

README = Path(__file__).resolve().parents[3] / "README.md"
SAMPLES = Path(__file__).resolve().parents[2] / "einvoice/tests/samples"
WRITES = ("created", "updated", "deactivated")
# The types each flow must record; together they cover the catalogue.
FLOWS = {
    **{kind.subject_type: {f"{kind.subject_type}.{verb}" for verb in WRITES} for kind in KINDS},
    "suppliers, passwords and bulk loads": {
        *(f"supplier.{verb}" for verb in WRITES),
        event_types.USER_PASSWORD_SET,
        event_types.USER_INVITED,
        event_types.MASTERDATA_JOB_FINISHED,
    },
    "currency rates": {event_types.CURRENCY_RATES_LOADED},
    "invoices": {
        event_types.INVOICE_CREATED,
        event_types.INVOICE_UPDATED,
        event_types.INVOICE_CANCELLED,
        event_types.INVOICE_PAID,
        event_types.PAYMENT_RECORDED,
        event_types.ATTACHMENT_ADDED,
        event_types.INVOICE_CODING_CHANGED,
    },
    "review": {event_types.INVOICE_REVIEW_CLEARED},
    "documents": {event_types.DOCUMENT_DIGITIZED, event_types.DOCUMENT_FAILED},
    "approval and hand-off": {
        event_types.ROUTING_RULE_CREATED,
        event_types.ROUTING_RULE_UPDATED,
        event_types.ROUTING_RULE_DELETED,
        event_types.APPROVERS_APPENDED,
        event_types.INVOICE_ASSIGNED,
        event_types.APPROVAL_STEP_APPROVED,
        event_types.INVOICE_APPROVED,
        event_types.APPROVAL_STEP_REJECTED,
        event_types.INVOICE_REJECTED,
        event_types.INVOICE_REROUTED,
        event_types.INVOICE_EXPORTED,
        event_types.INVOICE_SYNC_FAILED,
        event_types.INVOICE_BOOKED,
    },
    "webhooks": {
        event_types.WEBHOOK_SUBSCRIPTION_CREATED,
        event_types.WEBHOOK_SUBSCRIPTION_CONFIRMED,
        event_types.WEBHOOK_SUBSCRIPTION_UPDATED,
        event_types.WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
        event_types.WEBHOOK_MESSAGE_REDELIVERED,
        event_types.WEBHOOK_SUBSCRIPTION_DISABLED,
        event_types.WEBHOOK_SUBSCRIPTION_DELETED,
    },
    "purchase orders": {
        event_types.PURCHASE_ORDER_IMPORTED,
        event_types.PURCHASE_ORDER_UPDATED,
        event_types.PURCHASE_ORDER_RECEIVED,
        event_types.PURCHASE_ORDER_CLOSED,
        event_types.PURCHASE_ORDER_CANCELLED,
        event_types.INVOICE_MATCHED,
        event_types.INVOICE_MATCH_DISCREPANCY,
    },
    "coding rules": {
        event_types.CODING_RULE_CREATED,
        event_types.CODING_RULE_UPDATED,
        event_types.CODING_RULE_DELETED,
    },
}
NOT_RECORDED: set[str] = set()


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


def assert_recorded_as_declared(expected: set[str]) -> None:
    """Every event recorded has its declared subject and exactly its declared fields."""
    events = list(Event.objects.order_by("sequence"))
    assert expected <= {event.type for event in events}
    for event in events:
        declared = EVENT_TYPES[event.type]
        assert (event.type, event.subject_type, set(event.payload)) == (
            event.type,
            declared.subject_type,
            set(declared.payload),
        )


# --- the declarations ------------------------------------------------------------------------


def test_every_type_constant_is_declared_under_its_own_name():
    constants = {
        value
        for name, value in vars(event_types).items()
        if name.isupper() and isinstance(value, str)
    }
    assert constants == set(EVENT_TYPES)
    assert all(isinstance(t, EventType) and t.name == n for n, t in EVENT_TYPES.items())


def test_every_type_declares_its_subject_and_describes_each_field():
    for declared in EVENT_TYPES.values():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", declared.name)
        assert declared.subject_type and declared.description.endswith(".")
        assert all(text.endswith(".") for text in declared.payload.values()), declared.name


def test_the_readme_shows_the_catalogue_as_declared():
    text = README.read_text(encoding="utf-8")
    start = "<!-- event catalogue: generated from payables/events/event_types.py "
    start += "(catalogue_markdown) -->\n"
    end = "<!-- end of event catalogue -->"
    assert start in text and end in text, "README.md lacks the event catalogue markers"
    shown = text.split(start, 1)[1].split(end, 1)[0]
    assert shown == catalogue_markdown(), (
        "README.md's event table differs from payables/events/event_types.py: replace it with "
        "the output of `python -c 'from payables.events.event_types import "
        'catalogue_markdown as c; print(c(), end="")\'`'
    )


def test_the_flows_record_every_declared_type():
    covered = set().union(*FLOWS.values())
    assert covered | NOT_RECORDED == set(EVENT_TYPES)
    assert not covered & NOT_RECORDED


# --- the flows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_master_data_events_carry_their_declared_fields(api: ApiClient, kind: KindCase):
    kind.setup(api)
    created = _ok(api.post(kind.path, kind.payload), 201)
    _ok(api.patch(f"{kind.path}/{created['id']}", kind.change))
    _ok(api.post(f"{kind.path}/{created['id']}/deactivate"))

    assert_recorded_as_declared(FLOWS[kind.subject_type])


def test_supplier_password_and_bulk_load_events_carry_their_declared_fields(
    api: ApiClient, actor: Actor, approver: CompanyUser, django_capture_on_commit_callbacks
):
    supplier = _ok(api.post("/suppliers", {"name": "Tarnija AS", "country": "EE"}), 201)
    _ok(api.patch(f"/suppliers/{supplier['id']}", {"city": "Tartu"}))
    _ok(api.patch(f"/suppliers/{supplier['id']}", {"is_active": False}))
    set_user_password(approver, "correct horse battery staple", actor=actor)
    invite_user(approver, actor=actor)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs on commit
        _ok(api.post("/accounts/bulk", {"records": [{"code": "5000", "name": "Rent"}]}), 202)

    assert_recorded_as_declared(FLOWS["suppliers, passwords and bulk loads"])


def test_currency_rate_events_carry_their_declared_fields(api: ApiClient):
    rates = [{"currency": "USD", "date": "2026-11-02", "rate": "0.86"}]
    _ok(api.put("/currency-rates", {"rates": rates}))

    assert_recorded_as_declared(FLOWS["currency rates"])


def test_invoice_events_carry_their_declared_fields(
    api: ApiClient, invoice_payload: Callable[..., dict]
):
    invoice = _ok(api.post("/invoices", invoice_payload()), 201)
    _ok(api.patch(f"/invoices/{invoice['id']}", {"due_date": "2026-11-30"}))
    content = base64.b64encode(b"%PDF-1.4 invoice").decode()
    attachment = {"filename": "invoice.pdf", "content_base64": content}
    _ok(api.post(f"/invoices/{invoice['id']}/attachments", attachment), 201)
    link = {"url": "https://example.com/invoice.pdf"}
    _ok(api.post(f"/invoices/{invoice['id']}/attachments", link), 201)
    for amount in ("76.50", "100.00"):
        payment = {"amount": amount, "payment_date": "2026-11-20"}
        _ok(api.post(f"/invoices/{invoice['id']}/payments", payment), 201)
    lines = [{"account_code": "4000", "net_amount": "150.00", "vat_amount": "26.50"}]
    _ok(api.put(f"/invoices/{invoice['id']}/posting-lines", {"lines": lines}))
    other = _ok(api.post("/invoices", invoice_payload(invoice_number="INV-1002")), 201)
    _ok(api.post(f"/invoices/{other['id']}/cancel", {"reason": "Sent twice"}))

    assert_recorded_as_declared(FLOWS["invoices"])


def test_review_events_carry_their_declared_fields(api: ApiClient):
    """A readable e-invoice that fails a rule is imported for review, then cleared."""
    data = (SAMPLES / "ubl-credit-note-without-type-code.xml").read_bytes()  # fails BR-04
    document = _ok(api.post("/invoices/import", raw=data, content_type="application/xml"))
    [result] = document["documents"][0]["invoices"]
    reason = {"reason": "Checked against the supplier's PDF"}
    _ok(api.post(f"/invoices/{result['invoice_id']}/clear-review", reason))

    assert_recorded_as_declared(FLOWS["review"])


def test_document_events_carry_their_declared_fields(
    api: ApiClient, django_capture_on_commit_callbacks
):
    """An e-invoice uploaded is read; a file that is no document fails."""
    files = [
        SimpleUploadedFile(
            "invoice.xml", (SAMPLES / "validation-ubl-invoice-two-vat-rates.xml").read_bytes()
        ),
        SimpleUploadedFile("notes.txt", b"not a document"),
    ]
    with django_capture_on_commit_callbacks(execute=True):  # the pipeline runs on commit
        _ok(api.upload("/documents", {"files": files, "userdata": "ref"}), 202)

    assert_recorded_as_declared(FLOWS["documents"])


def test_approval_and_hand_off_events_carry_their_declared_fields(
    api: ApiClient, actor: Actor, approver: CompanyUser, make_invoice: Callable[..., Invoice]
):
    rule = {"name": "Big ones", "min_amount": "1000", "approvers": [{"user": "APPR", "level": 1}]}
    rule = _ok(api.post("/routing-rules", rule), 201)
    _ok(api.patch(f"/routing-rules/{rule['id']}", {"min_amount": "100"}))
    make_invoice()  # routed by the rule
    _ok(api.delete(f"/routing-rules/{rule['id']}"), 204)
    as_approver = Actor.for_user(approver)

    approved = make_invoice()
    append_approvers(approved, [ApproverRequest(user="APPR", level=1)], actor=actor)
    approve_step(approved.approval_steps.get(is_current=True), actor=as_approver)
    _ok(api.post(f"/invoices/{approved.id}/export"))
    _ok(api.post("/sync-errors", {"invoice_id": str(approved.id), "message": "Closed period"}), 201)
    booking = {"document_id": "V-1", "booking_date": "2026-11-20"}
    _ok(api.post(f"/invoices/{approved.id}/booked", booking))

    rejected = make_invoice()
    append_approvers(rejected, [ApproverRequest(user="APPR", level=1)], actor=actor)
    step = rejected.approval_steps.get(is_current=True)
    reject_step(step, actor=as_approver, reason="Wrong cost centre")
    reroute_invoice(rejected, actor=actor, comment="Cost centre fixed")

    assert_recorded_as_declared(FLOWS["approval and hand-off"])


def test_webhook_events_carry_their_declared_fields(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    """A subscription's whole life; ``deliver_due`` delivers, as no commit queues a task."""
    created = subscribe(api, receiver.url, retry_schedule=[60])
    hooks = f"/webhooks/{created['id']}"
    deliver_due()  # the confirmation request
    confirm(receiver)
    _ok(api.patch(hooks, {"name": "ERP hooks"}))
    _ok(api.post(f"{hooks}/rotate-secret"))
    receiver.stop()
    make_invoice()
    start = timezone.now()
    deliver_due(now=start)  # every message fails…
    deliver_due(now=start + timedelta(minutes=2))  # …and dies after its one retry
    dead = _ok(api.get(f"{hooks}/deliveries", {"state": "dead"}))["items"]
    invoice_created = next(d for d in dead if d["type"] == "invoice.created")
    _ok(api.post(f"{hooks}/deliveries/{invoice_created['id']}/redeliver"), 202)
    later = start + timedelta(hours=25)  # dying for a day: the subscription is disabled
    deliver_due(now=later)
    deliver_due(now=later + timedelta(minutes=2))
    assert _ok(api.get(hooks))["state"] == "disabled"
    _ok(api.delete(hooks), 204)

    assert_recorded_as_declared(FLOWS["webhooks"])


def test_coding_rule_events_carry_their_declared_fields(api: ApiClient):
    rule = {"name": "Paper", "actions": {"account_code": "4000"}}
    rule = _ok(api.post("/coding-rules", rule), 201)
    _ok(api.patch(f"/coding-rules/{rule['id']}", {"conditions": {"text_contains": "paper"}}))
    _ok(api.delete(f"/coding-rules/{rule['id']}"), 204)

    assert_recorded_as_declared(FLOWS["coding rules"])


def test_purchase_order_events_carry_their_declared_fields(
    api: ApiClient, supplier, invoice_payload: Callable[..., dict]
):
    lines = [
        {"line_id": "1", "description": "Paper", "quantity": "10", "unit_price": "10.00"},
        {"line_id": "2", "description": "Books", "quantity": "1", "unit_price": "50"},
    ]
    order = {
        "number": "PO-1",
        "supplier_id": str(supplier.id),
        "order_date": "2026-11-02",
        "currency": "EUR",
        "lines": lines,
    }
    created = _ok(api.post("/purchase-orders", order), 201)
    path = f"/purchase-orders/{created['id']}"
    _ok(api.patch(path, {"notes": "Call before delivery"}))
    _ok(api.post(f"{path}/receipts", {"lines": [{"line_id": "1", "quantity": "4"}]}), 201)
    _ok(api.post("/invoices", invoice_payload(order_number="PO-1")), 201)  # matched
    again = invoice_payload(order_number="PO-1", invoice_number="INV-1002")
    _ok(api.post("/invoices", again), 201)  # nothing left open: a discrepancy
    _ok(api.post(f"{path}/close", {"reason": "The rest is not coming"}))
    other = _ok(api.put("/purchase-orders/by-number/PO-2", order | {"number": "PO-2"}), 201)
    _ok(api.post(f"/purchase-orders/{other['id']}/cancel", {}))

    assert_recorded_as_declared(FLOWS["purchase orders"])
