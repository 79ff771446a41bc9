"""URL map: the API, the admin, and the web inbox at the root."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from payables.api import api
from payables.api_contract import api_urls
from payables.documents.upload_api import put_upload

urlpatterns = [
    path("api/v1/", api_urls(api)),  # JSON answers to unknown paths and methods too
    path("admin/", admin.site.urls),
    path("uploads/<str:token>", put_upload, name="document-upload"),  # upload locations
    # The vendors' own APIs (payables/compat), each under its own prefix.
    path("compat/merit/", include("payables.compat.merit.urls")),
    path("compat/fennoa/", include("payables.compat.fennoa.urls")),
    path("compat/fitek/", include("payables.compat.fitek.urls")),
    path("compat/digitization/", include("payables.compat.digitization.urls")),
    path("", include("payables.web.urls")),
]
