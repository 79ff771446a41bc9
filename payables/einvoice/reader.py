"""What a format's mapping carries through one document: the limits and its findings."""

from __future__ import annotations

from payables.einvoice.model import Finding, ParseLimits


class DocumentReader:
    """Holds the caller's limits and collects the findings noted while reading."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.findings: list[Finding] = []

    def note(self, rule_id: str, severity: str, message: str, location: str = "") -> None:
        self.findings.append(Finding(rule_id, severity, message, location))
