"""Requests for "forgot password" links, kept a while to bound how often they are answered."""

from __future__ import annotations

from django.db import models


class PasswordLinkRequest(models.Model):
    """One "forgot password" request, whether or not the address belonged to a user.

    The address is kept as a digest only: nobody's address is stored because somebody
    typed it. Rows older than the throttle's window are deleted as new ones come in.
    """

    address_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the lower-cased e-mail address, hex."
    )
    client_address = models.CharField(
        max_length=45, blank=True, help_text="The IP address the request came from."
    )
    requested_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["address_digest", "requested_at"], name="pwlink_address_idx"),
            models.Index(fields=["client_address", "requested_at"], name="pwlink_client_idx"),
        ]

    def __str__(self) -> str:
        return f"password link request at {self.requested_at:%Y-%m-%d %H:%M}"
