from __future__ import annotations

from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "payables.masterdata"
    verbose_name = "Master data"
