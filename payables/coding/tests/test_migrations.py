"""The data step of the coding migrations: people's lines marked, older invoices flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("coding", "0001_initial")]
AFTER = [("coding", "0002_posting_line_set_by_person")]


@pytest.mark.django_db(transaction=True)
def test_people_lines_are_marked_and_older_invoices_get_their_list_flags():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        # Every other app as it is now, coding before its data step.
        leaves = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "coding"]
        apps = executor.loader.project_state([*leaves, *BEFORE]).apps
        company = apps.get_model("tenancy", "Company").objects.create(name="Old", country="EE")
        supplier = apps.get_model("masterdata", "Supplier").objects.create(
            company=company, name="Paper OÜ", country="EE"
        )
        Invoice = apps.get_model("invoices", "Invoice")
        Row = apps.get_model("invoices", "InvoiceRow")
        Line = apps.get_model("coding", "PostingLine")
        amounts = {
            name: Decimal("10.00")
            for name in (
                "net_amount",
                "vat_amount",
                "gross_amount",
                "home_net_amount",
                "home_vat_amount",
                "home_gross_amount",
            )
        }

        def invoice(number: int) -> object:
            return Invoice.objects.create(
                company=company,
                internal_id=number,
                supplier=supplier,
                invoice_number=f"OLD-{number}",
                invoice_date=date(2026, 1, 1),
                entry_date=date(2026, 1, 1),
                currency="EUR",
                **amounts,
            )

        manual, rows_coded, rows_uncoded, derived = (invoice(n) for n in range(1, 5))
        Line.objects.create(
            invoice=manual,
            position=1,
            source="manual",
            account_code="4000",
            vat_code="VAT24",
            net_amount=Decimal("10.00"),
        )
        Row.objects.create(
            invoice=rows_coded,
            position=1,
            net_amount=Decimal("10.00"),
            account_code="4000",
            vat_code="VAT24",
        )
        Row.objects.create(invoice=rows_uncoded, position=1, net_amount=Decimal("10.00"))
        Line.objects.create(invoice=derived, position=1, source="row", net_amount=Decimal("10.00"))

        executor.loader.build_graph()
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        New = apps.get_model("invoices", "Invoice")
        flags = {
            i.invoice_number: (i.prebooked, i.coded)
            for i in New.objects.filter(company_id=company.pk)
        }
        assert flags == {
            "OLD-1": (True, True),  # a person's coded line
            "OLD-2": (False, True),  # no lines yet: its rows are coded
            "OLD-3": (False, False),
            "OLD-4": (False, False),  # a derived, uncoded line
        }
        marked = apps.get_model("coding", "PostingLine").objects.filter(set_by_person=True)
        assert [line.invoice_id for line in marked] == [manual.pk]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
