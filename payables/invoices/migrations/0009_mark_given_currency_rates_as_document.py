"""Mark the rates of stored foreign-currency invoices as given with the invoice.

Until the ECB and company rates existed, a foreign-currency invoice could only be
stored with the rate it was sent with, so every such rate came from the document.
"""

from django.db import migrations
from django.db.models import F


def mark_document_rates(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    Invoice.objects.filter(currency_rate_source="").exclude(
        currency=F("company__home_currency")
    ).update(currency_rate_source="document")


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0008_invoice_currency_rate_source_and_date"),
    ]

    # Backwards there is nothing to undo: the column goes with 0008.
    operations = [migrations.RunPython(mark_document_rates, migrations.RunPython.noop)]
