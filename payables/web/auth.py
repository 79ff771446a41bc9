"""Web sign-in of company users: email and password, in one company or a choice of several.

Each company user has a Django auth user of its own (``CompanyUser.login``). Emails are
unique per company, not globally, so one address and password can match people of
several companies; the sign-in view then asks which company.
"""

from __future__ import annotations

from typing import Any

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
    ) -> AbstractBaseUser | None:
        if email is None or password is None:
            return None
        found = matching_members(email, password)
        if company_id is not None:
            found = [m for m in found if str(m.company_id) == str(company_id)]
        return found[0].login if len(found) == 1 else None

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        user = (
            get_user_model()
            .objects.filter(pk=user_id, is_active=True, company_user__is_active=True)
            .select_related("company_user__company")
            .first()
        )
        return user
