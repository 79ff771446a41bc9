"""Move the VAT category e-invoice imports stored in ``VatLine.vat_code`` to ``vat_category``.

``vat_code`` now names the company's own VAT code and is checked against its VAT codes;
the document's UNCL5305 category (S, Z, AE, …) has a column of its own.
"""

from django.db import migrations
from django.db.models import F


def move_categories(apps, schema_editor):
    VatLine = apps.get_model("invoices", "VatLine")
    VatLine.objects.filter(invoice__origin="e-invoice", vat_category="").exclude(
        vat_code=""
    ).update(vat_category=F("vat_code"), vat_code="")


def move_categories_back(apps, schema_editor):
    VatLine = apps.get_model("invoices", "VatLine")
    VatLine.objects.filter(invoice__origin="e-invoice", vat_code="").exclude(
        vat_category=""
    ).update(vat_code=F("vat_category"), vat_category="")


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0004_row_vat_and_product_codes_vat_category"),
    ]

    operations = [migrations.RunPython(move_categories, move_categories_back)]
