"""Who performs a service call: recorded on every event and audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from payables.tenancy.models import ApiKey, Company, Integrator


@dataclass(frozen=True)
class Actor:
    """The company acted for, and a label naming the person or system that acted."""

    company: Company
    label: str
    integrator: Integrator | None = None

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> Actor:
        integrator = api_key.integrator
        return cls(
            company=integrator.company,
            label=f"integrator:{integrator.name} (key {api_key.prefix})",
            integrator=integrator,
        )

    @classmethod
    def system(cls, company: Company, name: str = "system") -> Actor:
        return cls(company=company, label=name)
