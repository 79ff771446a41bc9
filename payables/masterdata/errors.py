"""Errors of the master data app."""

from __future__ import annotations

from payables.errors import Conflict, FieldError, PayablesError


class DuplicateSupplier(Conflict):
    """A supplier with the same registry code, VAT number or ERP code exists already."""

    code = "duplicate_supplier"


class DuplicateCode(Conflict):
    """Another record of the same kind has this code already (409, with ``existing_id``)."""

    code = "duplicate_code"


class DuplicateEmail(Conflict):
    """Another user of the company has this email address already."""

    code = "duplicate_email"


class DuplicateSellerMapping(Conflict):
    """The supplier's seller code is mapped to another item already."""

    code = "duplicate_seller_mapping"


class UnknownCode(FieldError):
    """A reference names a code the company does not have (422, located at the field)."""

    code = "unknown_code"


class UserInactive(Conflict):
    """The user is deactivated: they get no invitation and no password link."""

    code = "user_inactive"


class NoEmailAddress(Conflict):
    """The user has no email address to send an invitation to."""

    code = "no_email_address"


class TooManyPasswordRequests(PayablesError):
    """One client asked for password links too often; it may ask again after a while."""

    status = 429
    code = "too_many_requests"
    default_message = "Too many requests for password links from here: try again in an hour."
