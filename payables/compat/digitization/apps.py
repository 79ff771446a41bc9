from __future__ import annotations

from django.apps import AppConfig


class DigitizationCompatConfig(AppConfig):
    name = "payables.compat.digitization"
    label = "compat_digitization"
    verbose_name = "Digitization service API (compatible)"

    def ready(self) -> None:
        """Install the SNS-style webhook body its subscriptions carry; the webhook engine
        (events) calls it and never imports this package."""
        from payables.compat.digitization.messages import MESSAGE_FORMAT
        from payables.events.webhooks.formats import install_format

        install_format(MESSAGE_FORMAT)
