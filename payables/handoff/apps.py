from __future__ import annotations

from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "payables.handoff"
    verbose_name = "Hand-off to accounting"

    def ready(self) -> None:
        """Export approved invoices at once where the company wants it (a lifecycle hook)."""
        from payables.handoff.services import export_on_approval
        from payables.invoices import lifecycle

        lifecycle.on(lifecycle.Moment.APPROVED, export_on_approval)
