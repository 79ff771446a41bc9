"""Number the approval steps stored before ``internal_id`` existed.

Per company in the order they were created, and the company's ``approval_step`` counter set past
them, so the approval steps created from now on continue the sequence.
"""

from django.db import migrations
from django.db.models import Max

COUNTER = "approval_step"


def number_existing(apps, schema_editor):
    Model = apps.get_model("approvals", "ApprovalStep")
    Counter = apps.get_model("tenancy", "Counter")
    unnumbered = Model.objects.filter(internal_id__isnull=True)
    companies = set(unnumbered.order_by().values_list("company_id", flat=True).distinct())
    for company_id in sorted(companies):
        mine = Model.objects.filter(company_id=company_id)
        last = mine.aggregate(last=Max("internal_id"))["last"] or 0
        batch = []
        for record in mine.filter(internal_id__isnull=True).order_by("created_at", "pk"):
            last += 1
            record.internal_id = last
            batch.append(record)
        Model.objects.bulk_update(batch, ["internal_id"], batch_size=500)
        counter, _ = Counter.objects.get_or_create(company_id=company_id, name=COUNTER)
        if counter.value < last:
            counter.value = last
            counter.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0003_compat_fennoa_approval_step_internal_id"),
        ("tenancy", "0011_company_auto_approve_matched"),
    ]

    # Backwards there is nothing to undo: the column goes with 0003.
    operations = [migrations.RunPython(number_existing, migrations.RunPython.noop)]
