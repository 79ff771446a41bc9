from __future__ import annotations

from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "payables.invoices"
    verbose_name = "Invoices"
