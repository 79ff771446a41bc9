"""Company users come over from masterdata, whose 0004 renamed their table to this app's
name: the model is taken into state only, and the keys' user references follow it."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(old_app: str, new_app: str, model: str):
    """Carry the model's content type over, so permissions and admin history follow it."""

    def move(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType")
        if not content_types.objects.filter(app_label=new_app, model=model).exists():
            content_types.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("tenancy", "0004_company_auto_export_on_approval"),
        ("masterdata", "0004_move_company_users_to_tenancy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CompanyUser",
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
                            "code",
                            models.CharField(help_text="The company's own code.", max_length=50),
                        ),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("modified_at", models.DateTimeField(auto_now=True, db_index=True)),
                        ("name", models.CharField(max_length=200)),
                        (
                            "email",
                            models.CharField(blank=True, help_text="Lower case.", max_length=254),
                        ),
                        (
                            "roles",
                            models.JSONField(
                                default=list,
                                help_text="A sorted subset of approver, accountant, admin.",
                            ),
                        ),
                        ("can_be_last_approver", models.BooleanField(default=False)),
                        (
                            "approval_limit_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                help_text="In the company's home currency; none: no limit.",
                                max_digits=19,
                                null=True,
                            ),
                        ),
                        (
                            "company",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tenancy.company",
                            ),
                        ),
                        (
                            "login",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="company_user",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "user",
                        "ordering": ["code", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("company", "code"), name="user_code_unique_per_company"
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("email", ""), _negated=True),
                                fields=("company", "email"),
                                name="user_email_unique_per_company",
                            ),
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="apikey",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Set for a personal key.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to="tenancy.companyuser",
                    ),
                ),
                migrations.AlterField(
                    model_name="idempotencykey",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.companyuser",
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            _move_content_type("masterdata", "tenancy", "companyuser"),
            _move_content_type("tenancy", "masterdata", "companyuser"),
        ),
    ]
