"""Every event type payables records, declared once (``noun.past_participle``)."""

from __future__ import annotations

SUPPLIER_CREATED = "supplier.created"
SUPPLIER_UPDATED = "supplier.updated"
SUPPLIER_DEACTIVATED = "supplier.deactivated"
INVOICE_CREATED = "invoice.created"
INVOICE_UPDATED = "invoice.updated"
INVOICE_CANCELLED = "invoice.cancelled"
INVOICE_PAID = "invoice.paid"
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
MASTERDATA_JOB_FINISHED = "masterdata.job_finished"
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
DOCUMENT_DIGITIZED = "document.digitized"
WEBHOOK_SUBSCRIPTION_DISABLED = "webhook_subscription.disabled"
WEBHOOK_SUBSCRIPTION_CREATED = "webhook_subscription.created"
WEBHOOK_SUBSCRIPTION_CONFIRMED = "webhook_subscription.confirmed"
WEBHOOK_SUBSCRIPTION_UPDATED = "webhook_subscription.updated"
WEBHOOK_SUBSCRIPTION_SECRET_ROTATED = "webhook_subscription.secret_rotated"
WEBHOOK_SUBSCRIPTION_DELETED = "webhook_subscription.deleted"
WEBHOOK_MESSAGE_REDELIVERED = "webhook_message.redelivered"

EVENT_TYPES = frozenset(
    {
        SUPPLIER_CREATED,
        SUPPLIER_UPDATED,
        SUPPLIER_DEACTIVATED,
        INVOICE_CREATED,
        INVOICE_UPDATED,
        INVOICE_CANCELLED,
        INVOICE_PAID,
        ATTACHMENT_ADDED,
        PAYMENT_RECORDED,
        ACCOUNT_CREATED,
        ACCOUNT_UPDATED,
        ACCOUNT_DEACTIVATED,
        VAT_CODE_CREATED,
        VAT_CODE_UPDATED,
        VAT_CODE_DEACTIVATED,
        DIMENSION_TYPE_CREATED,
        DIMENSION_TYPE_UPDATED,
        DIMENSION_TYPE_DEACTIVATED,
        DIMENSION_VALUE_CREATED,
        DIMENSION_VALUE_UPDATED,
        DIMENSION_VALUE_DEACTIVATED,
        PAYMENT_METHOD_CREATED,
        PAYMENT_METHOD_UPDATED,
        PAYMENT_METHOD_DEACTIVATED,
        USER_CREATED,
        USER_UPDATED,
        USER_DEACTIVATED,
        ITEM_CREATED,
        ITEM_UPDATED,
        ITEM_DEACTIVATED,
        CUSTOM_FIELD_CREATED,
        CUSTOM_FIELD_UPDATED,
        CUSTOM_FIELD_DEACTIVATED,
        USER_PASSWORD_SET,
        MASTERDATA_JOB_FINISHED,
        INVOICE_ASSIGNED,
        INVOICE_REROUTED,
        INVOICE_APPROVED,
        INVOICE_REJECTED,
        INVOICE_EXPORTED,
        INVOICE_BOOKED,
        INVOICE_SYNC_FAILED,
        APPROVAL_STEP_APPROVED,
        APPROVAL_STEP_REJECTED,
        APPROVERS_APPENDED,
        ROUTING_RULE_CREATED,
        ROUTING_RULE_UPDATED,
        ROUTING_RULE_DELETED,
        DOCUMENT_DIGITIZED,
        WEBHOOK_SUBSCRIPTION_DISABLED,
        WEBHOOK_SUBSCRIPTION_CREATED,
        WEBHOOK_SUBSCRIPTION_CONFIRMED,
        WEBHOOK_SUBSCRIPTION_UPDATED,
        WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
        WEBHOOK_SUBSCRIPTION_DELETED,
        WEBHOOK_MESSAGE_REDELIVERED,
    }
)
