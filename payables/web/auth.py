"""Web sign-in of company users: email and password, in one company or a choice of several.

Each company user has a Django auth user of its own (``CompanyUser.login``). Emails are
unique per company, not globally, so one address and password can match people of
several companies; the sign-in view then asks which company.

Failed sign-ins, here and in the admin, are throttled by django-axes: ``SignInThrottle``
comes first among the backends, and axes counts failures by the account typed
(``attempted_account``) and the client's address (``client_address``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from payables.tenancy.models import CompanyUser

BACKEND = "payables.web.auth.CompanyUserBackend"


def matching_members(email: str, password: str) -> list[CompanyUser]:
    """Active company users, of any company, whose sign-in has this email and password."""
    email = email.strip().lower()
    users = list(
        CompanyUser.objects.filter(email=email, is_active=True, login__is_active=True)
        .select_related("login", "company")
        .order_by("company__name", "company_id")
    )
    if not users:
        # Hash anyway, so an unknown address answers as slowly as a wrong password.
        get_user_model()().set_password(password)
    return [user for user in users if user.login.check_password(password)]


def active_members(ids: list[str]) -> list[CompanyUser]:
    """The company users with these ids who may still sign in, by company name."""
    return list(
        CompanyUser.objects.filter(pk__in=ids, is_active=True, login__is_active=True)
        .select_related("company", "login")
        .order_by("company__name", "company_id")
    )


def signed_in_member(user: Any) -> CompanyUser | None:
    """The active company user behind a signed-in auth user, or None (e.g. a superuser)."""
    member = getattr(user, "company_user", None)
    if member is None or not member.is_active:
        return None
    return member


class CompanyUserBackend(BaseBackend):
    """Authenticate a company user by email and password (and company, when several match).

    ``get_user`` also ends the sessions of users deactivated since they signed in.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        company_id: str | None = None,
        *,
        choose_later: bool = False,
    ) -> AbstractBaseUser | None:
        """The one user matching; several match only with ``choose_later``.

        With ``choose_later`` (the sign-in form), several matches answer the first one's
        sign-in carrying all of them as ``members``, so the form can ask which company
        without checking the password again, and a right password never counts as a
        failed sign-in.
        """
        if email is None or password is None:
            return None
        found = matching_members(email, password)
        if company_id is not None:
            found = [m for m in found if str(m.company_id) == str(company_id)]
        if len(found) == 1 or (found and choose_later):
            login = found[0].login
            login.members = found
            return login
        return None

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        user = (
            get_user_model()
            .objects.filter(pk=user_id, is_active=True, company_user__is_active=True)
            .select_related("company_user__company")
            .first()
        )
        return user


class SignInThrottle(AxesStandaloneBackend):
    """axes' check, first among the backends: refuses a locked account or address.

    It authenticates nobody itself. A call without a request (a password checked from
    code or a shell, not a sign-in) has no client to throttle and passes, where axes
    would raise.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def attempted_account(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The account a sign-in attempt names, as axes counts it (``AXES_USERNAME_CALLABLE``).

    The web form's e-mail, in lower case as sign-in compares it (so ``ANN@…`` and
    ``ann@…`` share one count), or the admin's username.
    """
    sources = [credentials or {}]
    if request is not None and request.method == "POST":
        sources.append(request.POST)
    for source in sources:
        email = source.get("email")
        if email:
            return str(email).strip().lower()
        username = source.get("username")
        if username:
            return str(username)
    return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, as axes counts it (``AXES_CLIENT_IP_CALLABLE``).

    With ``PAYABLES_TRUSTED_PROXY_COUNT`` proxies in front, the address the outermost of
    them saw: the Nth entry from the right of ``X-Forwarded-For`` (entries further left
    are whatever the client sent). Without proxies, or when the header is short or not
    an address, the peer's own address.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PAYABLES_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",")]
    if len(hops) < proxies:
        return peer
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return peer
