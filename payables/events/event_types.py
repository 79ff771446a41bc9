"""Every event type payables records, declared once (``noun.past_participle``), with the
fields of its payload: the contract webhook receivers and feed readers build on.

The constants name the types for the services that record them; ``EVENT_TYPES`` declares
each one. The README's "Events and their payloads" table is ``catalogue_markdown()``, and
the tests check that recorded events carry exactly the declared fields.
"""

from __future__ import annotations

from payables.events import coding_event_types
from payables.events.coding_event_types import CODING_EVENT_TYPES
from payables.events.coding_event_types import INVOICE_CODING_CHANGED as INVOICE_CODING_CHANGED
from payables.events.contract import INVOICE_SUMMARY as _INVOICE
from payables.events.contract import EventType
from payables.events.masterdata_event_types import master_data_event_types
from payables.events.order_event_types import INVOICE_MATCH_DISCREPANCY as INVOICE_MATCH_DISCREPANCY
from payables.events.order_event_types import INVOICE_MATCHED as INVOICE_MATCHED
from payables.events.order_event_types import ORDER_EVENT_TYPES
from payables.events.order_event_types import PURCHASE_ORDER_CANCELLED as PURCHASE_ORDER_CANCELLED
from payables.events.order_event_types import PURCHASE_ORDER_CLOSED as PURCHASE_ORDER_CLOSED
from payables.events.order_event_types import PURCHASE_ORDER_IMPORTED as PURCHASE_ORDER_IMPORTED
from payables.events.order_event_types import PURCHASE_ORDER_RECEIVED as PURCHASE_ORDER_RECEIVED
from payables.events.order_event_types import PURCHASE_ORDER_UPDATED as PURCHASE_ORDER_UPDATED

SUPPLIER_CREATED = "supplier.created"
SUPPLIER_UPDATED = "supplier.updated"
SUPPLIER_DEACTIVATED = "supplier.deactivated"
INVOICE_CREATED = "invoice.created"
INVOICE_UPDATED = "invoice.updated"
INVOICE_CANCELLED = "invoice.cancelled"
INVOICE_PAID = "invoice.paid"
INVOICE_REVIEW_CLEARED = "invoice.review_cleared"
ATTACHMENT_ADDED = "attachment.added"
PAYMENT_RECORDED = "payment.recorded"
ACCOUNT_CREATED = "account.created"
ACCOUNT_UPDATED = "account.updated"
ACCOUNT_DEACTIVATED = "account.deactivated"
VAT_CODE_CREATED = "vat_code.created"
VAT_CODE_UPDATED = "vat_code.updated"
VAT_CODE_DEACTIVATED = "vat_code.deactivated"
DIMENSION_TYPE_CREATED = "dimension_type.created"
DIMENSION_TYPE_UPDATED = "dimension_type.updated"
DIMENSION_TYPE_DEACTIVATED = "dimension_type.deactivated"
DIMENSION_VALUE_CREATED = "dimension_value.created"
DIMENSION_VALUE_UPDATED = "dimension_value.updated"
DIMENSION_VALUE_DEACTIVATED = "dimension_value.deactivated"
PAYMENT_METHOD_CREATED = "payment_method.created"
PAYMENT_METHOD_UPDATED = "payment_method.updated"
PAYMENT_METHOD_DEACTIVATED = "payment_method.deactivated"
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_DEACTIVATED = "user.deactivated"
ITEM_CREATED = "item.created"
ITEM_UPDATED = "item.updated"
ITEM_DEACTIVATED = "item.deactivated"
CUSTOM_FIELD_CREATED = "custom_field.created"
CUSTOM_FIELD_UPDATED = "custom_field.updated"
CUSTOM_FIELD_DEACTIVATED = "custom_field.deactivated"
USER_PASSWORD_SET = "user.password_set"
USER_INVITED = "user.invited"
MASTERDATA_JOB_FINISHED = "masterdata.job_finished"
CURRENCY_RATES_LOADED = "currency_rates.loaded"
INVOICE_ASSIGNED = "invoice.assigned"
INVOICE_REROUTED = "invoice.rerouted"
INVOICE_APPROVED = "invoice.approved"
INVOICE_REJECTED = "invoice.rejected"
INVOICE_EXPORTED = "invoice.exported"
INVOICE_BOOKED = "invoice.booked"
INVOICE_SYNC_FAILED = "invoice.sync_failed"
APPROVAL_STEP_APPROVED = "approval_step.approved"
APPROVAL_STEP_REJECTED = "approval_step.rejected"
APPROVERS_APPENDED = "invoice.approvers_appended"
ROUTING_RULE_CREATED = "routing_rule.created"
ROUTING_RULE_UPDATED = "routing_rule.updated"
ROUTING_RULE_DELETED = "routing_rule.deleted"
CODING_RULE_CREATED = "coding_rule.created"
CODING_RULE_UPDATED = "coding_rule.updated"
CODING_RULE_DELETED = "coding_rule.deleted"
DOCUMENT_DIGITIZED = "document.digitized"
DOCUMENT_FAILED = "document.failed"
WEBHOOK_SUBSCRIPTION_DISABLED = "webhook_subscription.disabled"
WEBHOOK_SUBSCRIPTION_CREATED = "webhook_subscription.created"
WEBHOOK_SUBSCRIPTION_CONFIRMED = "webhook_subscription.confirmed"
WEBHOOK_SUBSCRIPTION_UPDATED = "webhook_subscription.updated"
WEBHOOK_SUBSCRIPTION_SECRET_ROTATED = "webhook_subscription.secret_rotated"
WEBHOOK_SUBSCRIPTION_DELETED = "webhook_subscription.deleted"
WEBHOOK_MESSAGE_REDELIVERED = "webhook_message.redelivered"


# --- payload parts that several types share ----------------------------------------------

_STEP = {
    "step_id": "The approval step's UUID.",
    "level": "3 pre-verification, 2 verification, 1 approval.",
    "approver_id": "The approver's (user's) UUID.",
    "comment": "The approver's comment; empty if none.",
}
_REASON = {"reason": "Why the approver rejected."}
_SUBSCRIPTION = {
    "id": "The subscription's UUID.",
    "name": "Its name.",
    "target": "The URL deliveries go to.",
    "event_types": "The types it receives (`*`: all).",
    "state": "`pending`, `active` or `disabled`.",
}
_SUPPLIER = {
    "id": "The supplier's UUID.",
    "name": "Its name.",
    "country": "ISO 3166 code.",
    "registry_code": "Its business registry code, normalised; empty if none.",
    "vat_number": "Its VAT number, normalised; empty if none.",
    "erp_code": "The ERP's code of it; empty if none.",
    "is_active": "False once deactivated.",
}
_ROUTING_RULE = {"id": "The rule's UUID.", "name": "Its name."}
_DOCUMENT = {
    "id": "The document's UUID.",
    "company_code": "The company's registry code (else its UUID).",
    "state": "`digitized` (waiting for review), `invoice_created` or `failed`.",
    "filename": "As uploaded; empty if none.",
    "kind": "What the bytes are: `pdf`, `png`, `jpeg`, `tiff` or `xml`; empty if none of these.",
    "sha256": "Hex SHA-256 of the bytes.",
    "userdata": "The uploader's string, as sent; empty if none.",
    "method": "`text` (text layer), `ocr`, `mixed` or `e-invoice` (exact data); empty if unread.",
    "fields": (
        "Object: field name (`invoice_number`, `issue_date`, `gross_amount`, …) → {`value`, "
        "`confidence` (0 to 1), `validated`, `page`, `box` ([x0, y0, x1, y1] fractions of "
        "the page, or null)}."
    ),
    "invoice_id": "The UUID of the invoice made from it, or null.",
    "duplicate_of": "The UUID of the earlier document with the same bytes, or null.",
    "failure_reason": (
        "Why it failed (`unsupported_format`, `ocr_engine_missing`, `encrypted_pdf`, "
        "`broken_pdf`, `duplicate`, …); empty unless failed."
    ),
    "failure_message": "The failure explained; empty unless failed.",
    "digitized_at": "When digitizing ended: ISO 8601, UTC, to the microsecond.",
}
_DECLARED = [
    EventType(SUPPLIER_CREATED, "supplier", "A supplier was created.", _SUPPLIER),
    EventType(SUPPLIER_UPDATED, "supplier", "A supplier was changed (or reactivated).", _SUPPLIER),
    EventType(SUPPLIER_DEACTIVATED, "supplier", "A supplier was deactivated.", _SUPPLIER),
    *master_data_event_types(),
    EventType(
        USER_PASSWORD_SET,
        "user",
        "A user's web sign-in password was set; nothing about the password is carried.",
        {"id": "The user's UUID.", "code": "The user's code."},
    ),
    EventType(
        USER_INVITED,
        "user",
        "A user was e-mailed a link to set their web sign-in password (an invitation).",
        {
            "id": "The user's UUID.",
            "code": "The user's code.",
            "email": "The address the link was sent to.",
        },
    ),
    EventType(
        MASTERDATA_JOB_FINISHED,
        "bulk_job",
        "A bulk load of master data ended; each record it wrote has its own event.",
        {
            "id": "The job's UUID.",
            "kind": "The kind loaded (`supplier`, `account`, `vat_code`, …).",
            "dimension_type": "Code of the dimension type, for dimension values; else null.",
            "mode": "`upsert` or `full`.",
            "state": "`done`, or `failed` after an unexpected error.",
            "total": "Records in the load.",
            "counts": (
                "Object: `created`, `updated`, `unchanged`, `failed` and `deactivated` records."
            ),
            "error_count": "Errors found; `GET /api/v1/jobs/{id}` lists them.",
        },
    ),
    EventType(
        CURRENCY_RATES_LOADED,
        "company",
        "The company loaded exchange rates of its own; a load that changes nothing records none.",
        {
            "source": "Where they came from: `api` or the loaded file's name.",
            "currencies": "Sorted list of the currencies whose rates were written.",
            "date_from": "The earliest day written (ISO 8601 date).",
            "date_to": "The latest day written (ISO 8601 date).",
            "created": "Rates added.",
            "updated": "Rates replaced by a different value.",
            "unchanged": "Rates given that were already stored as they are.",
        },
    ),
    EventType(INVOICE_CREATED, "invoice", "An invoice was received or created.", _INVOICE),
    EventType(
        INVOICE_UPDATED,
        "invoice",
        "An invoice's content was changed.",
        _INVOICE | {"changed_fields": "Sorted list of the fields the change sent."},
    ),
    EventType(
        INVOICE_CANCELLED,
        "invoice",
        "An invoice was cancelled.",
        _INVOICE | {"reason": "Why; empty if not given."},
    ),
    EventType(INVOICE_PAID, "invoice", "A payment brought the amount due to zero.", _INVOICE),
    EventType(
        INVOICE_REVIEW_CLEARED,
        "invoice",
        "An accountant cleared the review flag of an invoice imported with findings: it may "
        "now be finally approved and exported.",
        _INVOICE
        | {
            "reason": "Why the findings do not stop the invoice.",
            "findings": "How many review findings the invoice carries (they stay on it).",
        },
    ),
    EventType(
        PAYMENT_RECORDED,
        "invoice",
        "A payment of an invoice was recorded.",
        _INVOICE
        | {
            "payment_id": "The payment's UUID.",
            "amount": "The amount paid: a string at the currency's scale.",
            "payment_date": "ISO 8601 date.",
        },
    ),
    EventType(
        ATTACHMENT_ADDED,
        "invoice",
        "A file or link was attached to an invoice.",
        {
            "invoice_id": "The invoice's UUID.",
            "attachment_id": "The attachment's UUID.",
            "kind": "`file` or `url`.",
            "filename": "Its file name; empty if none.",
            "sha256": "Hex SHA-256 of a file; empty for a link.",
        },
    ),
    EventType(
        INVOICE_ASSIGNED,
        "invoice",
        "An invoice got its approval chain and waits for its first approver.",
        _INVOICE | {"rule": "Name of the routing rule that built the chain; null: by API."},
    ),
    EventType(
        APPROVERS_APPENDED,
        "invoice",
        "Approvers were requested for an invoice (by API).",
        _INVOICE
        | {
            "appended": (
                "List of {`user` (as requested), `user_id` (or null), `level`, `outcome` "
                "(`added` or `skipped`), `reason` (why skipped, or null)}."
            )
        },
    ),
    EventType(
        APPROVAL_STEP_APPROVED, "invoice", "An approver approved their step.", _INVOICE | _STEP
    ),
    EventType(
        APPROVAL_STEP_REJECTED,
        "invoice",
        "An approver rejected their step.",
        _INVOICE | _STEP | _REASON,
    ),
    EventType(
        INVOICE_APPROVED, "invoice", "An invoice's last approval step was approved.", _INVOICE
    ),
    EventType(
        INVOICE_REJECTED,
        "invoice",
        "An approver rejected an invoice (recorded with `approval_step.rejected`).",
        _INVOICE | _STEP | _REASON,
    ),
    EventType(
        INVOICE_REROUTED,
        "invoice",
        "A rejected invoice was routed again, or an assigned one whose coding changed what "
        "its routing depends on (its chain restarts).",
        _INVOICE | {"comment": "Why; empty if not given."},
    ),
    EventType(
        INVOICE_EXPORTED,
        "invoice",
        "An invoice was handed to accounting (it is in the exported feed).",
        _INVOICE
        | {
            "document_id": "`<invoice id>/<export_count>`: names this export.",
            "export_count": "How many times the invoice has been exported.",
            "reexport": "Whether it was exported before.",
            "automatic": "Whether it was exported on approval, automatically.",
            "exported_at": "ISO 8601 timestamp.",
            "resolved_sync_errors": "Open sync errors the export resolved (a count).",
            "posting_lines": coding_event_types.POSTING_LINES,
        },
    ),
    EventType(
        INVOICE_BOOKED,
        "invoice",
        "Accounting confirmed it booked an exported invoice.",
        _INVOICE
        | {
            "booking_document_id": "The accounting system's document (voucher) id.",
            "booking_date": "ISO 8601 date.",
            "export_document_id": "The `document_id` of the export that was booked.",
            "resolved_sync_errors": "Open sync errors the booking resolved (a count).",
        },
    ),
    EventType(
        INVOICE_SYNC_FAILED,
        "invoice",
        "Accounting reported it could not take an exported invoice.",
        _INVOICE
        | {
            "sync_error_id": "The sync error report's UUID.",
            "document_id": "The `document_id` of the export it is about.",
            "message": "What went wrong, as reported.",
            "superseded": "Whether a later export exists (the report is then resolved).",
        },
    ),
    *CODING_EVENT_TYPES,
    *ORDER_EVENT_TYPES,
    EventType(ROUTING_RULE_CREATED, "routing_rule", "A routing rule was created.", _ROUTING_RULE),
    EventType(ROUTING_RULE_UPDATED, "routing_rule", "A routing rule was changed.", _ROUTING_RULE),
    EventType(ROUTING_RULE_DELETED, "routing_rule", "A routing rule was deleted.", _ROUTING_RULE),
    EventType(CODING_RULE_CREATED, "coding_rule", "A coding rule was created.", _ROUTING_RULE),
    EventType(CODING_RULE_UPDATED, "coding_rule", "A coding rule was changed.", _ROUTING_RULE),
    EventType(CODING_RULE_DELETED, "coding_rule", "A coding rule was deleted.", _ROUTING_RULE),
    EventType(
        DOCUMENT_DIGITIZED,
        "document",
        "An uploaded document was read: its fields are in the digitized feed, and its "
        "invoice was created or it waits for review.",
        _DOCUMENT,
    ),
    EventType(
        DOCUMENT_FAILED,
        "document",
        "An uploaded document could not be read (`failure_reason` says why).",
        _DOCUMENT,
    ),
    EventType(
        WEBHOOK_SUBSCRIPTION_CREATED,
        "webhook_subscription",
        "A webhook subscription was created (pending its target's confirmation).",
        _SUBSCRIPTION,
    ),
    EventType(
        WEBHOOK_SUBSCRIPTION_CONFIRMED,
        "webhook_subscription",
        "A subscription's target opened its confirm URL.",
        _SUBSCRIPTION,
    ),
    EventType(
        WEBHOOK_SUBSCRIPTION_UPDATED,
        "webhook_subscription",
        "A subscription was changed, or its confirmation sent again.",
        _SUBSCRIPTION
        | {"changed_fields": "Sorted list of the fields changed (`confirmation`: resent)."},
    ),
    EventType(
        WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
        "webhook_subscription",
        "A subscription's signing secret was replaced; the secret is never carried.",
        _SUBSCRIPTION,
    ),
    EventType(
        WEBHOOK_SUBSCRIPTION_DELETED,
        "webhook_subscription",
        "A subscription was deleted.",
        _SUBSCRIPTION,
    ),
    EventType(
        WEBHOOK_SUBSCRIPTION_DISABLED,
        "webhook_subscription",
        "A subscription was disabled because its messages kept dying.",
        {
            "name": "The subscription's name.",
            "target": "The URL deliveries went to.",
            "failing_since": "ISO 8601 timestamp of the first failure with no success since.",
            "reason": "Why it was disabled.",
        },
    ),
    EventType(
        WEBHOOK_MESSAGE_REDELIVERED,
        "webhook_subscription",
        "A dead webhook message was queued for delivery again.",
        {"message_id": "The message's (delivery's) UUID.", "type": "The message's event type."},
    ),
]
EVENT_TYPES: dict[str, EventType] = {declared.name: declared for declared in _DECLARED}


def catalogue_markdown() -> str:
    """The README's table of event types and their payloads, made from ``EVENT_TYPES``.

    Types with the same subject and payload share a row, in the order declared; the
    invoice summary is listed once, below the table, instead of in every invoice row.
    """
    rows: dict[tuple, list[str]] = {}
    for declared in EVENT_TYPES.values():
        key = (declared.subject_type, tuple(declared.payload.items()))
        rows.setdefault(key, []).append(declared.name)
    lines = ["| type: recorded when | subject | payload fields |", "| --- | --- | --- |"]
    for (subject, fields), names in rows.items():
        types = "<br>".join(f"`{name}`: {EVENT_TYPES[name].description}" for name in names)
        payload, shown = dict(fields), []
        if _INVOICE.items() <= payload.items():
            shown.append("the invoice summary (below)")
            payload = {field: text for field, text in fields if field not in _INVOICE}
        shown += [f"`{field}`: {text}" for field, text in payload.items()]
        lines.append(f"| {types} | `{subject}` | {'<br>'.join(shown) or '(none)'} |")
    lines += ["", "The invoice summary:", "", "| field | holds |", "| --- | --- |"]
    lines += [f"| `{field}` | {text} |" for field, text in _INVOICE.items()]
    return "\n".join(lines) + "\n"
