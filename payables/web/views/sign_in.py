"""Signing in (email and password; a company to choose when several match) and out."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from payables.tenancy.models import CompanyUser
from payables.web.auth import BACKEND, active_members, matching_members
from payables.web.forms import (
    CompanyChoiceForm,
    SignInForm,
)

PENDING = "web_sign_in_pending"  # session key: members that matched, waiting for a choice
PENDING_SECONDS = 300


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email and password; when they match people of several companies, ask which one."""
    next_url = _safe_next(request)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = matching_members(form.cleaned_data["email"], form.cleaned_data["password"])
        if len(found) == 1:
            return _signed_in(request, found[0], next_url)
        if len(found) > 1:
            request.session[PENDING] = {
                "members": [str(m.pk) for m in found],
                "next": next_url,
                "until": time.time() + PENDING_SECONDS,
            }
            return redirect("web:choose_company")
        form.add_error(None, "The email address or the password is wrong, or the user is inactive.")
    status = 400 if form.errors else 200
    return render(request, "web/sign_in.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def choose_company(request: HttpRequest) -> HttpResponse:
    """Second step of a sign-in whose email and password matched in several companies."""
    pending = request.session.get(PENDING) or {}
    fresh = pending.get("until", 0) > time.time()
    members = active_members(pending["members"]) if fresh else []
    if not members:
        request.session.pop(PENDING, None)
        messages.error(request, "Please sign in again.")
        return redirect("web:sign_in")
    form = CompanyChoiceForm(
        request.POST or None, choices=[(str(m.pk), m.company.name) for m in members]
    )
    if request.method == "POST" and form.is_valid():
        member = next(m for m in members if str(m.pk) == form.cleaned_data["member"])
        return _signed_in(request, member, pending.get("next") or "")
    return render(request, "web/choose_company.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:sign_in")


def _signed_in(request: HttpRequest, member: CompanyUser, next_url: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, member.login, backend=BACKEND)
    return redirect(next_url or "web:inbox")


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if allowed else ""
