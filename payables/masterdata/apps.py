from __future__ import annotations

from django.apps import AppConfig


class MasterdataConfig(AppConfig):
    name = "payables.masterdata"
    verbose_name = "Master data"

    def ready(self) -> None:
        """Fail a bulk job whose worker keeps dying: the task lease reaper calls this hook."""
        from payables.events import task_leases
        from payables.masterdata.tasks import give_up_bulk_job, run_bulk_job

        task_leases.when_abandoned(run_bulk_job, give_up_bulk_job)
