"""Count the invoices that exist already into ``InvoiceStatusCount``; the triggers of 0018
count the rest.

On PostgreSQL the invoice table is locked against writes while it is counted, so no
invoice is counted both here and by a trigger. Run again, it counts afresh.
"""

from django.db import migrations, models


def count_existing(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    StatusCount = apps.get_model("invoices", "InvoiceStatusCount")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("LOCK TABLE invoices_invoice IN SHARE MODE", params=None)
    StatusCount.objects.all().delete()
    counts = (
        Invoice.objects.order_by()
        .values_list("company_id", "status")
        .annotate(count=models.Count("pk"))
    )
    StatusCount.objects.bulk_create(
        [StatusCount(company_id=c, status=s, count=n) for c, s, n in counts], batch_size=500
    )


def forget_counts(apps, schema_editor):
    apps.get_model("invoices", "InvoiceStatusCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("invoices", "0018_invoice_status_counts")]

    operations = [migrations.RunPython(count_existing, forget_counts)]
