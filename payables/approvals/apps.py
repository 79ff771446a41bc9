from __future__ import annotations

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "payables.approvals"
    verbose_name = "Approvals"
