"""Site-wide files browsers ask for by a fixed path: ``/favicon.ico``."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

# The icon the pages link to, also at the path browsers and crawlers try on their own.
FAVICON = Path(__file__).resolve().parents[1] / "static" / "web" / "favicon.ico"


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon, cached for a day; without it every visit logs a 404."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/vnd.microsoft.icon")
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
