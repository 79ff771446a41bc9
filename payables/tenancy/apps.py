from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "payables.tenancy"
    verbose_name = "Tenancy and access"
