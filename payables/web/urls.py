"""URLs of the web inbox, mounted at the site root."""

from __future__ import annotations

from django.urls import path

from payables.web import views
from payables.web.views import coding, documents, orders

app_name = "web"

urlpatterns = [
    path("documents/", documents.document_list, name="documents"),
    path("documents/<uuid:document_id>/", documents.document_review, name="document"),
    path(
        "documents/<uuid:document_id>/pages/<int:page>.png",
        documents.document_page,
        name="document_page",
    ),
    path("", views.inbox, name="inbox"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/company/", views.choose_company, name="choose_company"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("password/", views.change_password, name="password"),
    path("password/forgot/", views.forgot_password, name="forgot_password"),
    path("password/set/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("keys/", views.personal_keys, name="keys"),
    path("keys/<uuid:key_id>/revoke/", views.revoke_key, name="revoke_key"),
    path("invoices/<uuid:invoice_id>/", views.invoice_detail, name="invoice"),
    path(
        "invoices/<uuid:invoice_id>/steps/<uuid:step_id>/approve/",
        views.approve,
        name="approve",
    ),
    path(
        "invoices/<uuid:invoice_id>/steps/<uuid:step_id>/reject/",
        views.reject,
        name="reject",
    ),
    path("invoices/<uuid:invoice_id>/export/", views.export, name="export"),
    path("invoices/<uuid:invoice_id>/approvers/", views.add_approver, name="add_approver"),
    path("invoices/<uuid:invoice_id>/reroute/", views.reroute, name="reroute"),
    path("invoices/<uuid:invoice_id>/clear-review/", views.clear_review, name="clear_review"),
    path("invoices/<uuid:invoice_id>/coding/lines/", coding.posting_lines, name="coding_lines"),
    path(
        "invoices/<uuid:invoice_id>/coding/prebooking/",
        coding.prebooking,
        name="coding_prebooking",
    ),
    path(
        "invoices/<uuid:invoice_id>/coding/suggestions/accept/",
        coding.accept,
        name="accept_suggestions",
    ),
    path("invoices/<uuid:invoice_id>/purchase-order/match/", orders.match, name="po_match"),
    path(
        "invoices/<uuid:invoice_id>/purchase-order/find-again/",
        orders.find_again,
        name="po_find_again",
    ),
    path("invoices/<uuid:invoice_id>/purchase-order/none/", orders.unmatch, name="po_unmatch"),
    path(
        "invoices/<uuid:invoice_id>/attachments/<uuid:attachment_id>/",
        views.attachment_content,
        name="attachment",
    ),
    path(
        "invoices/<uuid:invoice_id>/attachments/<uuid:attachment_id>/pages/<int:page>.png",
        views.page_image,
        name="page_image",
    ),
]
