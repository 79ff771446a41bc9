"""Remove raw confirmation tokens from stored confirmation messages (shown by API and admin).

Confirm URLs are now built when a message is sent (see ``webhooks/confirmation.py``).
A stored request still pending dies unsent at its next claim (its token cannot be rebuilt);
POST /webhooks/{id}/resend-confirmation sends a new one. A URL already delivered still works.
"""

from django.db import migrations

ELIDED = "token-sent-to-the-target-only"


def redact(apps, schema_editor):
    WebhookMessage = apps.get_model("sync", "WebhookMessage")
    confirmations = WebhookMessage.objects.filter(type="SubscriptionConfirmation")
    for message in confirmations.iterator():
        data = message.payload.get("data") or {}
        url = data.get("confirm_url")
        if not url or url.endswith("/" + ELIDED):
            continue
        data["confirm_url"] = url.rsplit("/", 1)[0] + "/" + ELIDED
        message.payload["data"] = data
        message.save(update_fields=["payload"])


class Migration(migrations.Migration):
    dependencies = [("sync", "0002_webhook_subscriptions_and_deliveries")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
