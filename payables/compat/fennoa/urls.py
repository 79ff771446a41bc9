"""URLs of the Fennoa-compatible API, mounted at /compat/fennoa/.

Fennoa's base URL ``https://app.fennoa.com/api/`` becomes ``<payables>/compat/fennoa/``; the
paths after it are Fennoa's (``purchases_api/get/approval_queue``, …). Ids Fennoa documents as
request parameters are taken in the path too (``get/tags/<id>``), as its other APIs take them;
a trailing slash is allowed. ``purchaces_api/get/suppliers`` (the description's spelling) is
served as well. Anything else under the prefix is a 404 in Fennoa's envelope.
"""

from __future__ import annotations

from django.urls import URLPattern, path, re_path, register_converter

from payables.compat.fennoa.endpoint import View, unknown_path
from payables.compat.fennoa.views import approvals, invoices, suppliers, tags


class FennoaIdConverter:
    """A Fennoa id in a path: 1 to 18 digits (what the database's integers hold)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(FennoaIdConverter, "fennoa_id")


def route(pattern: str, view: View) -> list[URLPattern]:
    """The path with and without a trailing slash."""
    return [path(pattern, view), path(f"{pattern}/", view)]


API = "purchases_api"
ID = "<fennoa_id:invoice_id>"

urlpatterns = [
    *route(f"{API}/{ID}", invoices.purchase_invoice),
    *route(f"{API}/get/approval_queue", approvals.approval_queue),
    *route(f"{API}/get/finvoice", invoices.finvoice),
    *route(f"{API}/get/finvoice/{ID}", invoices.finvoice),
    *route(f"{API}/get/attachment", invoices.attachment),
    *route(f"{API}/get/attachment/{ID}", invoices.attachment),
    *route(f"{API}/get/attachment/{ID}/<fennoa_id:attachment_id>", invoices.attachment),
    *route(f"{API}/do/approve", approvals.approve),
    *route(f"{API}/do/approve/<fennoa_id:approval_id>", approvals.approve),
    *route(f"{API}/do/reject", approvals.reject),
    *route(f"{API}/do/reject/<fennoa_id:approval_id>", approvals.reject),
    *route(f"{API}/do/set_tags", tags.set_tags),
    *route(f"{API}/do/set_tags/{ID}", tags.set_tags),
    *route(f"{API}/get/tags", tags.get_tags),
    *route(f"{API}/get/tags/{ID}", tags.get_tags),
    *route(f"{API}/get/unbooked", invoices.unbooked),
    *route(f"{API}/add", invoices.add),
    *route(f"{API}/do/upload_attachment/{ID}", invoices.upload_attachment),
    *route(f"{API}/get/suppliers", suppliers.suppliers),
    *route("purchaces_api/get/suppliers", suppliers.suppliers),
    *route(f"{API}/do/add_payment", invoices.add_payment),
    re_path(r"", unknown_path),
]
