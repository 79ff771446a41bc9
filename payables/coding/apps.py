from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "payables.coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        """Give every created or changed invoice its posting lines before approvals routes
        it (coding is installed before approvals, so its hook runs first)."""
        from payables.coding.services import derive_posting_lines
        from payables.invoices import lifecycle

        lifecycle.on(lifecycle.Moment.ROUTABLE, derive_posting_lines)
