from __future__ import annotations

from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "payables.handoff"
    verbose_name = "Hand-off to accounting"
