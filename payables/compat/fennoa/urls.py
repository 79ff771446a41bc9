"""URLs of the fennoa-compatible API, mounted at /compat/fennoa/."""

from __future__ import annotations

urlpatterns: list = []
