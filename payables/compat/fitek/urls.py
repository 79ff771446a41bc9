"""URLs of the fitek-compatible API, mounted at /compat/fitek/."""

from __future__ import annotations

urlpatterns: list = []
