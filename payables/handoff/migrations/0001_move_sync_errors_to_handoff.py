"""SyncError comes over from the invoices app: invoices 0007 renamed its table to this app's
name, so the model is taken into state only."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(old_app: str, new_app: str, model: str):
    """Carry the model's content type over, so permissions and admin history follow it."""

    def move(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType")
        if not content_types.objects.filter(app_label=new_app, model=model).exists():
            content_types.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("invoices", "0007_move_sync_errors_to_handoff"),
        ("tenancy", "0004_company_auto_export_on_approval"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SyncError",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "export_count",
                            models.PositiveIntegerField(
                                help_text="The export the report is about."
                            ),
                        ),
                        ("message", models.CharField(max_length=2000)),
                        ("actor", models.CharField(max_length=300)),
                        ("reported_at", models.DateTimeField(auto_now_add=True)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "resolution",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("reexported", "Reexported"),
                                    ("booked", "Booked"),
                                    ("superseded", "Superseded"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("modified_at", models.DateTimeField(auto_now=True)),
                        (
                            "company",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sync_errors",
                                to="tenancy.company",
                            ),
                        ),
                        (
                            "invoice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sync_errors",
                                to="invoices.invoice",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-reported_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["company", "reported_at"], name="sync_error_company_idx"
                            ),
                            models.Index(
                                fields=["invoice", "resolved_at"], name="sync_error_open_idx"
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            _move_content_type("invoices", "handoff", "syncerror"),
            _move_content_type("handoff", "invoices", "syncerror"),
        ),
    ]
