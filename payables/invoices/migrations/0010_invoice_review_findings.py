from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0009_mark_given_currency_rates_as_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="review_findings",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
