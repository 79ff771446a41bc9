from __future__ import annotations

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "payables.approvals"
    verbose_name = "Approvals"

    def ready(self) -> None:
        """Give new invoices their chain and stop the chain of cancelled ones; restart it
        when coding changed what routing depends on, and tell coding who an invoice waits
        for. invoices and coding call these hooks and never import approvals."""
        from payables.approvals.queries import is_waiting_for
        from payables.approvals.services.chains import (
            close_chain_of_cancelled,
            restart_chain_on_coding_change,
            route_new_invoice,
        )
        from payables.coding import hooks as coding_hooks
        from payables.invoices import lifecycle

        lifecycle.on(lifecycle.Moment.ROUTABLE, route_new_invoice)
        lifecycle.on(lifecycle.Moment.CANCELLED, close_chain_of_cancelled)
        coding_hooks.on_coding_changed(restart_chain_on_coding_change)
        coding_hooks.answer_waiting_for(is_waiting_for)
