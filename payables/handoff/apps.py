from __future__ import annotations

from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "payables.handoff"
    verbose_name = "Hand-off to accounting"

    def ready(self) -> None:
        """Export approved invoices at once where the company wants it (a lifecycle hook);
        write exported documents again when their matched order changes (an orders hook)."""
        from payables.handoff.services import export_on_approval, refresh_order_matches
        from payables.invoices import lifecycle
        from payables.orders.hooks import on_order_changed

        lifecycle.on(lifecycle.Moment.APPROVED, export_on_approval)
        on_order_changed(refresh_order_matches)
