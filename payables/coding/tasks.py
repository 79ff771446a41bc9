"""Background entry points of the coding app (django-tasks): ids in, one service call."""

from __future__ import annotations

from uuid import UUID

from django_tasks import task

from payables.coding.services.training import train_when_due


@task()
def train_coding(company_id: str) -> int | None:
    """Retrain the company's coding model when it is (still) due; the lines it learned."""
    return train_when_due(UUID(company_id))
