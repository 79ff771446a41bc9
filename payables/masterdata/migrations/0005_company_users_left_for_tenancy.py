"""The company user model leaves this app's state; its table stays, now tenancy's."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("masterdata", "0004_move_company_users_to_tenancy"),
        ("tenancy", "0005_company_users_move_here"),
        ("approvals", "0002_approvers_are_tenancy_users"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CompanyUser")],
        ),
    ]
