"""E-invoices that fail validation are imported for review unless a company refuses them.

The policy ``needs_review`` is now called ``review`` and is the default; ``refuse`` stays.
Companies that chose ``needs_review`` keep that choice under its new name.
"""

from django.db import migrations, models


def rename_needs_review(apps, schema_editor):
    Company = apps.get_model("tenancy", "Company")
    Company.objects.filter(einvoice_invalid_policy="needs_review").update(
        einvoice_invalid_policy="review"
    )


def restore_needs_review(apps, schema_editor):
    Company = apps.get_model("tenancy", "Company")
    Company.objects.filter(einvoice_invalid_policy="review").update(
        einvoice_invalid_policy="needs_review"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0005_company_users_move_here"),
    ]

    operations = [
        migrations.AlterField(
            model_name="company",
            name="einvoice_invalid_policy",
            field=models.CharField(
                choices=[
                    ("review", "Import it flagged for review"),
                    ("refuse", "Refuse the document"),
                ],
                default="review",
                help_text=(
                    "What to do with an e-invoice that fails validation but can be read with "
                    "determinate totals: import it for an accountant to review, or refuse it."
                ),
                max_length=20,
            ),
        ),
        migrations.RunPython(rename_needs_review, restore_needs_review),
    ]
