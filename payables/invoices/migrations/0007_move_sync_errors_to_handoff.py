"""SyncError moves to the handoff app: its table is renamed to what that app expects, and
the model leaves this app's state (handoff 0001 takes it over without touching the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0006_handoff_fields"),
    ]

    operations = [
        migrations.AlterModelTable(name="syncerror", table="handoff_syncerror"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SyncError")],
        ),
    ]
