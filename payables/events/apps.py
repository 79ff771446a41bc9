from __future__ import annotations

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "payables.events"
    # The app was called ``sync`` when its tables and migrations were made; keeping the
    # label keeps existing databases and their migration history valid.
    label = "sync"
    verbose_name = "Events and webhooks"
