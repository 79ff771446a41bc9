"""Who performs a service call: recorded on every event and audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from payables.tenancy.models import ApiKey, Company, CompanyUser, Integrator


@dataclass(frozen=True)
class Actor:
    """The company acted for, and a label naming the person or system that acted."""

    company: Company
    label: str
    integrator: Integrator | None = None
    user: CompanyUser | None = None

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> Actor:
        if api_key.user_id:
            return cls.for_user(api_key.user, via=f"key {api_key.prefix}")
        integrator = api_key.integrator
        return cls(
            company=integrator.company,
            label=f"integrator:{integrator.name} (key {api_key.prefix})",
            integrator=integrator,
        )

    @classmethod
    def for_user(cls, user: CompanyUser, via: str = "web") -> Actor:
        """A company user acting in person: through the web UI or a personal key."""
        return cls(company=user.company, label=f"user:{user.code} {user.name} ({via})", user=user)

    @classmethod
    def system(cls, company: Company, name: str = "system") -> Actor:
        return cls(company=company, label=name)
