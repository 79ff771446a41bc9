from __future__ import annotations

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "payables.orders"
    verbose_name = "Purchase orders"
