from __future__ import annotations

from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "payables.sync"
    verbose_name = "Events and hand-off"
