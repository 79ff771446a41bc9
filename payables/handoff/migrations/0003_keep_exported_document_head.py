from django.db import migrations, models


class Migration(migrations.Migration):
    """Keep the exported document's unchanging header, rows and VAT breakdown among it.

    Documents kept before have no layout and no header: the feed builds them for its
    pages until ``payables keep-exported-documents`` writes them again.
    """

    dependencies = [
        ("handoff", "0002_keep_exported_document_parts"),
    ]

    operations = [
        migrations.AddField(
            model_name="exporteddocument",
            name="layout",
            field=models.CharField(
                default="",
                help_text="How the texts are cut (``feed_page.LAYOUT``); others are written again.",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exporteddocument",
            name="head",
            field=models.TextField(
                default="",
                help_text="The invoice's members that no longer change, rows and VAT breakdown among them, in runs between those that may (``feed_page.head_runs``).",
            ),
            preserve_default=False,
        ),
        migrations.RemoveField(
            model_name="exporteddocument",
            name="rows",
        ),
        migrations.RemoveField(
            model_name="exporteddocument",
            name="vat_breakdown",
        ),
    ]
