from __future__ import annotations

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "payables.approvals"
    verbose_name = "Approvals"

    def ready(self) -> None:
        """Give new invoices their chain and stop the chain of cancelled ones: invoices
        calls these hooks and never imports approvals."""
        from payables.approvals.services.chains import close_chain_of_cancelled, route_new_invoice
        from payables.invoices import lifecycle

        lifecycle.on(lifecycle.Moment.ROUTABLE, route_new_invoice)
        lifecycle.on(lifecycle.Moment.CANCELLED, close_chain_of_cancelled)
