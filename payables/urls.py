"""URL map: the API, the admin, and a root that points at the docs."""

from __future__ import annotations

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path

from payables.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", lambda request: redirect("/api/v1/docs")),
]
