"""The data step that copies the queue's sort keys onto the current steps stored before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("approvals", "0005_queue_sort_keys_on_steps")]
AFTER = [("approvals", "0006_copy_queue_sort_keys_to_current_steps")]
AMOUNTS = dict.fromkeys(
    (
        "net_amount", "vat_amount", "gross_amount", "home_net_amount", "home_vat_amount",
        "home_gross_amount",
    ),
    Decimal("10.00"),
)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_current_steps_take_their_invoices_due_date_and_internal_id():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        company = apps.get_model("tenancy", "Company").objects.create(name="One", country="FI")
        supplier = apps.get_model("masterdata", "Supplier").objects.create(
            company=company, name="S", country="FI"
        )
        user = apps.get_model("tenancy", "CompanyUser").objects.create(
            company=company, code="U", name="U"
        )
        Invoice = apps.get_model("invoices", "Invoice")
        Step = apps.get_model("approvals", "ApprovalStep")
        steps = {}
        for n, (due, current) in enumerate(
            [(date(2026, 5, 1), True), (None, True), (date(2026, 4, 1), False)], start=7
        ):
            invoice = Invoice.objects.create(
                company=company, internal_id=n, supplier=supplier, invoice_number=f"I{n}",
                invoice_date=date(2026, 1, 1), due_date=due, entry_date=date(2026, 1, 1),
                currency="EUR", status="assigned" if current else "approved", **AMOUNTS,
            )  # fmt: skip
            steps[n] = Step.objects.create(
                company=company, invoice=invoice, position=1, level=1, approver=user,
                is_current=current, status="waiting" if current else "approved",
            ).pk  # fmt: skip

        executor.loader.build_graph()
        executor.migrate(AFTER)
        Step = executor.loader.project_state(AFTER).apps.get_model("approvals", "ApprovalStep")
        found = Step.objects.in_bulk(steps.values())
        keys = {
            n: (found[pk].invoice_due_date, found[pk].invoice_internal_id)
            for n, pk in steps.items()
        }
        # Only current steps are in a queue; a later one copies its keys when it becomes current.
        assert keys == {7: (date(2026, 5, 1), 7), 8: (None, 8), 9: (None, None)}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
