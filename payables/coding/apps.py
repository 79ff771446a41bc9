from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "payables.coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        """Install the coding hooks: invoices calls them and never imports coding.

        Every created or changed invoice gets its posting lines before approvals routes
        it (coding is installed before approvals, so its hook runs first); an exported
        invoice queues retraining of the learned model once enough were booked since the
        last training.
        """
        from payables.coding.services import derive_posting_lines
        from payables.coding.services.training import queue_retraining_for
        from payables.invoices import lifecycle

        lifecycle.on(lifecycle.Moment.ROUTABLE, derive_posting_lines)
        lifecycle.on(lifecycle.Moment.EXPORTED, queue_retraining_for)
