"""Signing in (email and password; a company to choose when several match) and out."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate, login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from payables.tenancy.models import CompanyUser
from payables.web.auth import BACKEND, active_members
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
        # Through Django's authenticate, so axes refuses a locked account or address and
        # counts a failure (AxesMiddleware then answers with ``locked_out``).
        user = authenticate(
            request,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            choose_later=True,
        )
        found = user.members if user is not None else []
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


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The answer to a sign-in refused by the throttle (axes' ``AXES_LOCKOUT_CALLABLE``).

    The sign-in page it came from, the web inbox's or the admin's, again with the
    e-mail or username typed and why it is refused, as 429 Too Many Requests.
    """
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    message = (
        "Too many failed sign-ins for this account or from this address: signing in is "
        f"blocked for {minutes} minutes. Wait, then try again; an administrator can lift "
        "the block sooner."
    )
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith(reverse("admin:index")):
        form = _refused(AuthenticationForm, message)(request, data=request.POST)
        context = {
            **admin.site.each_context(request),
            "title": _("Log in"),
            "app_path": request.get_full_path(),
            "form": form,
            "username": request.POST.get("username", ""),
            REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, ""),
        }
        return render(request, "admin/login.html", context, status=status)
    form = _refused(SignInForm, message)(data=request.POST)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "web/sign_in.html", context, status=status)


def _refused(form_class: type[forms.Form], message: str) -> type[forms.Form]:
    """``form_class`` showing the values sent and ``message``, without checking them again.

    Checking the admin's form would authenticate once more: one more failure counted.
    """

    def full_clean(self: forms.Form) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}
        self.add_error(None, message)

    return type(f"Refused{form_class.__name__}", (form_class,), {"full_clean": full_clean})


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
