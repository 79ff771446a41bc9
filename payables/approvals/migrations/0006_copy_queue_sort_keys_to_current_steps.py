"""Copy the queue's sort keys (due date, internal id) from their invoices onto the current
steps stored before the steps carried them.

Only current steps are in a queue; a step that becomes current later copies them itself.
One statement, whatever the number of steps.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_keys(apps, schema_editor):
    Step = apps.get_model("approvals", "ApprovalStep")
    Invoice = apps.get_model("invoices", "Invoice")
    invoice = Invoice.objects.filter(pk=OuterRef("invoice_id"))
    Step.objects.filter(is_current=True).update(
        invoice_due_date=Subquery(invoice.values("due_date")[:1]),
        invoice_internal_id=Subquery(invoice.values("internal_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_queue_sort_keys_on_steps"),
    ]

    # Backwards there is nothing to undo: the columns go with 0005.
    operations = [migrations.RunPython(copy_keys, migrations.RunPython.noop)]
