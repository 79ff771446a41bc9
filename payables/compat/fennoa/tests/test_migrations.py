"""The data steps that number stored suppliers, approval steps and attachments for Fennoa."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("masterdata", "0007_compat_fennoa_supplier_internal_id"),
    ("approvals", "0003_compat_fennoa_approval_step_internal_id"),
    ("invoices", "0016_compat_fennoa_attachment_internal_id"),
]
AFTER = [
    ("masterdata", "0008_compat_fennoa_number_existing_suppliers"),
    ("approvals", "0004_compat_fennoa_number_existing_approval_steps"),
    ("invoices", "0017_compat_fennoa_number_existing_attachments"),
]
AMOUNTS = dict.fromkeys(
    (
        "net_amount",
        "vat_amount",
        "gross_amount",
        "home_net_amount",
        "home_vat_amount",
        "home_gross_amount",
    ),
    Decimal("10.00"),
)


@pytest.mark.django_db(transaction=True)
def test_stored_records_are_numbered_per_company_in_creation_order():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        Company = apps.get_model("tenancy", "Company")
        Supplier = apps.get_model("masterdata", "Supplier")
        Invoice = apps.get_model("invoices", "Invoice")
        Attachment = apps.get_model("invoices", "Attachment")
        Step = apps.get_model("approvals", "ApprovalStep")
        User = apps.get_model("tenancy", "CompanyUser")
        one = Company.objects.create(name="One", country="FI")
        two = Company.objects.create(name="Two", country="FI")
        made = {}
        for company in (one, two, one):  # the companies' records interleave
            n = len(made)
            supplier = Supplier.objects.create(company=company, name=f"S{n}", country="FI")
            invoice = Invoice.objects.create(
                company=company,
                internal_id=n + 1,
                supplier=supplier,
                invoice_number=f"I{n}",
                invoice_date=date(2026, 1, 1),
                entry_date=date(2026, 1, 1),
                currency="EUR",
                **AMOUNTS,
            )
            user = User.objects.create(company=company, code=f"U{n}", name="U")
            step = Step.objects.create(
                company=company, invoice=invoice, position=1, level=1, approver=user
            )
            attachment = Attachment.objects.create(invoice=invoice, kind="url", url="https://x.ee")
            made[n] = (company.pk, supplier.pk, step.pk, attachment.pk)

        executor.loader.build_graph()
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps

        def numbers(app: str, model: str, index: int) -> list:
            found = apps.get_model(app, model).objects.in_bulk([made[n][index] for n in made])
            return [found[made[n][index]].internal_id for n in sorted(made)]

        # one's first and second records, two's first.
        assert numbers("masterdata", "Supplier", 1) == [1, 1, 2]
        assert numbers("approvals", "ApprovalStep", 2) == [1, 1, 2]
        assert numbers("invoices", "Attachment", 3) == [1, 1, 2]
        Counter = apps.get_model("tenancy", "Counter")
        counters = {
            (c.company_id, c.name): c.value
            for c in Counter.objects.filter(name__in=["supplier", "approval_step", "attachment"])
        }
        for name in ("supplier", "approval_step", "attachment"):
            assert (counters[(one.pk, name)], counters[(two.pk, name)]) == (2, 1)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
