"""The signed-in user's personal API keys."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from payables.tenancy.models import ApiKey
from payables.tenancy.services import create_personal_api_key, revoke_api_key
from payables.web.forms import PersonalKeyForm
from payables.web.views.access import (
    counts,
    member_required,
)


@require_http_methods(["GET", "POST"])
@member_required
def personal_keys(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own API keys: list, and issue one (its secret shown once)."""
    roles = request.member.roles
    form = PersonalKeyForm(request.POST or None, roles=roles)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, issued = create_personal_api_key(
                request.member, scopes=form.cleaned_data["scopes"], name=form.cleaned_data["name"]
            )
            form = PersonalKeyForm(roles=roles)
        else:
            status = 422
    keys = ApiKey.objects.filter(user=request.member).order_by("-created_at")
    context = {"nav": "keys", "form": form, "keys": keys, "issued": issued}
    context["counts"] = counts(request.actor)
    response = render(request, "web/keys.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a new key's secret
    return response


@require_POST
@member_required
def revoke_key(request: HttpRequest, key_id: UUID) -> HttpResponse:
    """Revoke one of the user's own keys; anybody else's is not found."""
    api_key = ApiKey.objects.filter(user=request.member, pk=key_id).first()
    if api_key is None:
        raise Http404("No such key.")
    revoke_api_key(api_key)
    messages.success(request, f"The key {api_key.prefix}… is revoked.")
    response = HttpResponseRedirect(reverse("web:keys"))
    response.status_code = 303
    return response
