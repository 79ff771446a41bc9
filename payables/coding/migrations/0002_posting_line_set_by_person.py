"""Mark the lines people set, and give invoices from before coding their list flags.

Manual and prebooking lines are a person's; an invoice without stored lines (made before
the coding app) is ``coded`` when every row names an account and a VAT code, as its
derived lines would.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def mark_and_flag(apps, schema_editor):
    PostingLine = apps.get_model("coding", "PostingLine")
    Invoice = apps.get_model("invoices", "Invoice")
    InvoiceRow = apps.get_model("invoices", "InvoiceRow")
    PostingLine.objects.filter(source__in=["manual", "prebooking"]).update(set_by_person=True)

    lines = PostingLine.objects.filter(invoice=OuterRef("pk"))
    uncoded_lines = lines.filter(Q(account_code="") | Q(vat_code=""))
    personal_lines = lines.filter(Q(set_by_person=True) | Q(source__startswith="rule:"))
    rows = InvoiceRow.objects.filter(invoice=OuterRef("pk"))
    uncoded_rows = rows.filter(Q(account_code="") | Q(vat_code=""))
    with_lines = Invoice.objects.filter(Exists(lines))
    with_lines.filter(Exists(personal_lines)).update(prebooked=True)
    with_lines.filter(~Exists(uncoded_lines)).update(coded=True)
    Invoice.objects.filter(~Exists(lines), Exists(rows), ~Exists(uncoded_rows)).update(coded=True)


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="postingline",
            name="set_by_person",
            field=models.BooleanField(
                default=False,
                help_text="Set or accepted by a person or an integrator (posting lines, "
                "prebooking, an accepted suggestion): kept while it still adds up to the "
                "invoice's totals.",
            ),
        ),
        migrations.RunPython(mark_and_flag, migrations.RunPython.noop),
    ]
