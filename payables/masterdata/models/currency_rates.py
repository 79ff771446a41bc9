"""The company's own exchange rates, which win over the ECB reference rates."""

from __future__ import annotations

import uuid

from django.db import models

from payables.tenancy.models import Company

# As Invoice.currency_rate: home-currency units per unit of the other currency.
RATE = {"max_digits": 16, "decimal_places": 10}


class CurrencyRateQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> CurrencyRateQuerySet:
        return self.filter(company=company)


class CurrencyRate(models.Model):
    """One day's rate of one currency, in the company's home currency.

    Loaded by the company (its bank's or its accounting system's rates); an invoice in
    ``currency`` dated ``rate_date`` (or a few days after) is converted with it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code.")
    rate_date = models.DateField()
    rate = models.DecimalField(
        **RATE, help_text="Home-currency units for one unit of the currency."
    )
    source_label = models.CharField(
        max_length=100, blank=True, help_text="Where the rate came from: `api` or a file name."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = CurrencyRateQuerySet.as_manager()

    class Meta:
        ordering = ["currency", "rate_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "currency", "rate_date"],
                name="currency_rate_unique_per_company_currency_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_date}: {self.rate}"
