from __future__ import annotations

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "payables.orders"
    verbose_name = "Purchase orders"

    def ready(self) -> None:
        """Install the matching hooks: invoices calls them and never imports orders.

        A new invoice is matched to its order after coding and before approvals routes it
        (the apps' order in ``INSTALLED_APPS``), so routing sees the result; its quantities
        count as invoiced from final approval (or export) and are released on cancellation.
        """
        from payables.invoices import lifecycle
        from payables.orders.services.matching import (
            count_invoiced,
            match_new_invoice,
            release_invoiced,
        )

        lifecycle.on(lifecycle.Moment.ROUTABLE, match_new_invoice)
        lifecycle.on(lifecycle.Moment.APPROVED, count_invoiced)
        lifecycle.on(lifecycle.Moment.EXPORTED, count_invoiced)
        lifecycle.on(lifecycle.Moment.CANCELLED, release_invoiced)
