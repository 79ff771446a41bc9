"""Approvers are company users of the tenancy app now (the table is the same)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_approval_chains_and_routing_rules"),
        ("tenancy", "0005_company_users_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="approvalstep",
                    name="approver",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approval_steps",
                        to="tenancy.companyuser",
                    ),
                ),
            ],
        ),
    ]
