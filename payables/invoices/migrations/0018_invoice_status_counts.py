"""Count each company's invoices by status in a table that triggers keep.

The invoice list answers ``count`` on every page; ``COUNT(*)`` of a company with 150,000
invoices reads as many index entries (20–30 ms). Triggers on ``invoices_invoice`` add
and take away one in ``invoices_invoicestatuscount`` as each invoice is inserted,
deleted or changes status, in the same transaction, so the sum there is exact. Which
rows already exist is counted by the next migration.

On SQLite a migration that rebuilds ``invoices_invoice`` (adding a NOT NULL column, for
one) drops its triggers: it must create them again (``create_triggers``);
``test_invoice_status_counts`` fails until it does.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "invoices_invoicestatuscount"
TAKE_ONE = f"""UPDATE {TABLE} SET count = count - 1
    WHERE company_id = OLD.company_id AND status = OLD.status"""
ADD_ONE = f"""INSERT INTO {TABLE} (company_id, status, count)
    VALUES (NEW.company_id, NEW.status, 1)
    ON CONFLICT (company_id, status) DO UPDATE SET count = {TABLE}.count + 1"""

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION invoices_count_status() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- Two rows change in status order, so that two invoices moving between the same
    -- statuses in opposite directions at once lock them in one order: no deadlock.
    IF TG_OP = 'UPDATE' AND NEW.status < OLD.status THEN
        {ADD_ONE};
        {TAKE_ONE};
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        {TAKE_ONE};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {ADD_ONE};
    END IF;
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER invoices_count_status_insert_delete
    AFTER INSERT OR DELETE ON invoices_invoice
    FOR EACH ROW EXECUTE FUNCTION invoices_count_status()""",
    """CREATE TRIGGER invoices_count_status_update
    AFTER UPDATE OF company_id, status ON invoices_invoice FOR EACH ROW
    WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION invoices_count_status()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS invoices_count_status_update ON invoices_invoice",
    "DROP TRIGGER IF EXISTS invoices_count_status_insert_delete ON invoices_invoice",
    "DROP FUNCTION IF EXISTS invoices_count_status()",
]
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS invoices_count_status_insert
    AFTER INSERT ON invoices_invoice FOR EACH ROW
    BEGIN {ADD_ONE}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS invoices_count_status_delete
    AFTER DELETE ON invoices_invoice FOR EACH ROW
    BEGIN {TAKE_ONE}; END""",
    f"""CREATE TRIGGER IF NOT EXISTS invoices_count_status_update
    AFTER UPDATE OF company_id, status ON invoices_invoice FOR EACH ROW
    WHEN OLD.company_id IS NOT NEW.company_id OR OLD.status IS NOT NEW.status
    BEGIN {TAKE_ONE}; {ADD_ONE}; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS invoices_count_status_insert",
    "DROP TRIGGER IF EXISTS invoices_count_status_delete",
    "DROP TRIGGER IF EXISTS invoices_count_status_update",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"invoice status counts have no triggers for {vendor}")
    for sql in statements[vendor]:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0017_compat_fennoa_number_existing_attachments"),
        ("tenancy", "0011_company_auto_approve_matched"),
    ]

    operations = [
        migrations.CreateModel(
            name="InvoiceStatusCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=20)),
                ("count", models.BigIntegerField(default=0)),
                (
                    "company",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tenancy.company",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "status"), name="invoice_status_count_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
