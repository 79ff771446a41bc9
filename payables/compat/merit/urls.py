"""URLs of the merit-compatible API, mounted at /compat/merit/."""

from __future__ import annotations

urlpatterns: list = []
