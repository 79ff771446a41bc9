"""URLs of the digitization-compatible API, mounted at /compat/digitization/."""

from __future__ import annotations

urlpatterns: list = []
