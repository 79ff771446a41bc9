from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "payables.coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        """Install the coding hooks: invoices calls them and never imports coding."""
        # Learned suggestions: a new invoice queues retraining once enough were booked.
        from payables.coding.services.training import queue_retraining_for
        from payables.invoices import lifecycle

        lifecycle.on(lifecycle.Moment.ROUTABLE, queue_retraining_for)
