from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "payables.documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        """Fail a document whose worker keeps dying: the task lease reaper calls this hook."""
        from payables.documents.tasks import digitize_document, give_up_document
        from payables.events import task_leases

        task_leases.when_abandoned(digitize_document, give_up_document)
