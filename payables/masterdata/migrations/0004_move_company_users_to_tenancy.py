"""Company users move to the tenancy app (people are access, not accounting master data):
first their table takes the tenancy app's name; masterdata 0005 drops the model from this
app's state once tenancy 0005 has taken it over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("masterdata", "0003_bulk_jobs_of_master_data"),
    ]

    operations = [
        migrations.AlterModelTable(name="companyuser", table="tenancy_companyuser"),
    ]
