"""Who performs a service call: recorded on every event and audit entry."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

from payables.tenancy.models import ApiKey, Company, CompanyUser, Integrator


@dataclass(frozen=True)
class Actor:
    """The company acted for, and a label naming the person or system that acted.

    ``api_key`` is the integrator key the request came with: an accounting office's key
    may serve other companies besides its own (``companies``).
    """

    company: Company
    label: str
    integrator: Integrator | None = None
    user: CompanyUser | None = None
    api_key: ApiKey | None = dataclasses.field(default=None, compare=False, repr=False)

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> Actor:
        if api_key.user_id:
            return cls.for_user(api_key.user, via=f"key {api_key.prefix}")
        integrator = api_key.integrator
        return cls(
            company=integrator.company,
            label=f"integrator:{integrator.name} (key {api_key.prefix})",
            integrator=integrator,
            api_key=api_key,
        )

    @classmethod
    def for_user(cls, user: CompanyUser, via: str = "web") -> Actor:
        """A company user acting in person: through the web UI or a personal key."""
        return cls(company=user.company, label=f"user:{user.code} {user.name} ({via})", user=user)

    @classmethod
    def system(cls, company: Company, name: str = "system") -> Actor:
        return cls(company=company, label=name)

    @cached_property
    def companies(self) -> tuple[Company, ...]:
        """The companies this actor may read and act for: its own first, then those its
        integrator key was granted (read once, when first asked)."""
        if self.api_key is None:
            return (self.company,)
        granted = self.api_key.granted_companies.exclude(pk=self.company.pk).order_by("id")
        return (self.company, *granted)

    def acting_for(self, company: Company) -> Actor:
        """The same actor acting for another of its companies (the caller checked it is one)."""
        return dataclasses.replace(self, company=company)
