"""Writes of company users, and of the Django auth users they sign in to the web UI with.

Invitations and "forgot password" mails carry links to the web's set-password page,
made with Django's password reset tokens: a link works once, for
``PASSWORD_RESET_TIMEOUT``, and no longer once the email address changes.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.masterdata import queries
from payables.masterdata.errors import (
    DuplicateEmail,
    NoEmailAddress,
    TooManyPasswordRequests,
    UserInactive,
)
from payables.masterdata.models import (
    Account,
    DimensionType,
    DimensionValue,
    PasswordLinkRequest,
)
from payables.masterdata.payloads import user_payload
from payables.masterdata.services.checks import Problems
from payables.masterdata.services.records import (
    Changes,
    Data,
    Kind,
    Plan,
    Upserted,
    create_record,
    deactivate_record,
    update_record,
    upsert_record,
    without_code,
)
from payables.money import fits_scale
from payables.tenancy.actors import Actor
from payables.tenancy.models import ROLES, Company, CompanyUser

logger = logging.getLogger(__name__)

USER = Kind(
    model=CompanyUser,
    details=queries.users,
    payload=user_payload,
    created_event=event_types.USER_CREATED,
    updated_event=event_types.USER_UPDATED,
    deactivated_event=event_types.USER_DEACTIVATED,
)
MAX_PASSWORD_LENGTH = 1000
_FIELDS = (
    "code", "name", "email", "roles", "can_be_last_approver", "approval_limit_amount",
    "is_active", "coding_accounts", "coding_dimensions",
)  # fmt: skip


class _SignIn:
    """The user's own Django auth user: created with it, its email and active flag copied.

    Never shared with another company's user, so no company can touch another's sign-in.
    """

    def differs(self, user: CompanyUser) -> bool:
        return user.login_id is None  # removed in the admin: a write makes a new one

    def write(self, user: CompanyUser) -> None:
        login = _login_of(user)
        login.email, login.is_active = user.email, user.is_active
        login.save()


def create_user(data: Data, *, actor: Actor, invite: bool = False) -> CompanyUser:
    """Create a user with a sign-in that has no password yet (see ``set_user_password``).

    ``invite`` also e-mails them a link to set one, as ``invite_user`` does.
    """
    fields = _clean(data, company=actor.company)
    if invite and not fields["email"]:
        message = "An invitation needs an email address."
        raise FieldError(message, loc=["email"], code="email_required")
    with transaction.atomic():
        lock_company_writes(actor.company)
        _refuse_taken_email(actor.company, fields["email"], code=fields["code"])
        user = create_record(USER, fields, actor=actor, related=_SignIn())
        if invite:
            _invite(user, actor)
        return user


def update_user(user: CompanyUser, patch: Changes, *, actor: Actor) -> CompanyUser:
    """Change the given fields; deactivating a user also stops their sign-in."""
    changes = dict(patch)
    return update_record(USER, user, lambda fresh: _build(fresh, changes, actor), actor=actor)


def upsert_user(code: str, data: Data, *, actor: Actor) -> Upserted[CompanyUser]:
    return upsert_record(USER, plan_user(code, data, actor=actor), actor=actor)


def plan_user(code: str, data: Data, *, actor: Actor) -> Plan:
    """Check an upsert of the user with this code (``upsert_records`` writes it).

    Whether another user has the email address is asked under the company's lock.
    """
    fields = _clean(without_code(data), company=actor.company)
    return Plan(
        {"code": code},
        fields,
        _SignIn(),
        check=lambda: _refuse_taken_email(actor.company, fields["email"], code=code),
    )


def deactivate_user(user: CompanyUser, *, actor: Actor) -> CompanyUser:
    """Mark the user inactive; their sign-in stops working with it."""
    return deactivate_record(USER, user, actor=actor, related=_SignIn())


def set_user_password(user: CompanyUser, password: str, *, actor: Actor) -> CompanyUser:
    """Set the password the user signs in to the web UI with; checked by Django's validators.

    An inactive user is refused: their sign-in stays off until they are reactivated.

    The event names the user only: password data never leaves this function.
    """
    if len(password) > MAX_PASSWORD_LENGTH:  # hashing a huge one would tie up the server
        message = f"A password has at most {MAX_PASSWORD_LENGTH} characters."
        raise ValidationFailed([FieldError(message, loc=["password"], code="invalid_password")])
    with transaction.atomic():
        lock_company_writes(actor.company)
        user.refresh_from_db()
        if not user.is_active:
            raise UserInactive(f"User {user.code!r} is inactive and cannot have a password set.")
        login = _login_of(user)
        try:
            validate_password(password, user=login)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                [FieldError(m, loc=["password"], code="invalid_password") for m in exc.messages]
            ) from None
        login.set_password(password)
        login.save()
        record_event(
            event_types.USER_PASSWORD_SET,
            actor=actor,
            subject_type=CompanyUser.subject_type,
            subject_id=user.id,
            payload={"id": str(user.id), "code": user.code},
        )
    return user


def invite_user(user: CompanyUser, *, actor: Actor) -> CompanyUser:
    """E-mail the user a link to set their web sign-in password; again, a fresh link.

    The mail leaves after commit, so an undone write sends none. A password the user has
    keeps working: the link only lets them choose a new one.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        user.refresh_from_db()
        _invite(user, actor)
    return user


def send_password_links(email: str, *, client_address: str = "") -> None:
    """E-mail the address a link to set a new password, one per company it is a user of.

    Each company user signs in with a password of their own, so a person in several
    companies gets one link per company, named, and resets the one they need. An unknown
    or inactive address gets no mail; the caller answers the same either way, so nobody
    learns who has an account. No event is recorded: only the request is kept, for the
    throttle (``_note_password_request``), which refuses a client that asks too often
    (``TooManyPasswordRequests``) and mails an address at most so often, known or not.
    """
    if not _note_password_request(email, client_address):
        return
    members = list(
        CompanyUser.objects.filter(
            email=email.strip().lower(), is_active=True, login__is_active=True
        )
        .select_related("company", "login")
        .order_by("company__name", "company_id")
    )
    if not members:
        return
    context = {
        "email": members[0].email,
        "links": [(member.company.name, _password_link(member.login)) for member in members],
        **_link_context(),
    }
    body = render_to_string("masterdata/mail/password_links.txt", context)
    _send("Set a new payables password", body, members[0], what="password links")


# Both limits count the requests of the last hour, from a client address or for an e-mail
# address, answered or not; only the client's limit is told (a 429), so the answer for
# an address never depends on whether it belongs to a user.
PASSWORD_REQUEST_WINDOW = timedelta(hours=1)


def _note_password_request(email: str, client_address: str) -> bool:
    """Keep a "forgot password" request; True when the address may be mailed now.

    Raises ``TooManyPasswordRequests``, keeping nothing, when the client has asked
    ``PAYABLES_PASSWORD_REQUESTS_PER_CLIENT`` times within the window. Concurrent
    requests may each pass a limit at once; it bounds a flood, not the exact count.
    """
    now = timezone.now()
    since = now - PASSWORD_REQUEST_WINDOW
    requests = PasswordLinkRequest.objects.filter(requested_at__gt=since)
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    with transaction.atomic():
        PasswordLinkRequest.objects.filter(requested_at__lte=since).delete()
        if (
            client_address
            and requests.filter(client_address=client_address).count()
            >= settings.PAYABLES_PASSWORD_REQUESTS_PER_CLIENT
        ):
            raise TooManyPasswordRequests()
        mailed_before = requests.filter(address_digest=digest).count()
        PasswordLinkRequest.objects.create(
            address_digest=digest, client_address=client_address, requested_at=now
        )
    return mailed_before < settings.PAYABLES_PASSWORD_LINKS_PER_ADDRESS


def _invite(user: CompanyUser, actor: Actor) -> None:
    if not user.is_active:
        raise UserInactive(f"User {user.code!r} is inactive; reactivate them to invite them.")
    if not user.email:
        raise NoEmailAddress(
            f"User {user.code!r} has no email address to send the invitation to.",
            extra={"field": "email"},
        )
    _login_of(user)
    record_event(
        event_types.USER_INVITED,
        actor=actor,
        subject_type=CompanyUser.subject_type,
        subject_id=user.id,
        payload={"id": str(user.id), "code": user.code, "email": user.email},
    )
    transaction.on_commit(partial(_send_invitation, user.id))


def _send_invitation(user_id: UUID) -> None:
    """Send the mail of a committed invitation, to the user as they are now."""
    user = (
        CompanyUser.objects.filter(pk=user_id, is_active=True, login__is_active=True)
        .select_related("company", "login")
        .first()
    )
    if user is None or not user.email:  # deactivated since, in another transaction
        return
    context = {
        "name": user.name,
        "email": user.email,
        "company": user.company.name,
        "link": _password_link(user.login),
        **_link_context(),
    }
    body = render_to_string("masterdata/mail/invitation.txt", context)
    _send(f"You are invited to payables by {user.company.name}", body, user, what="invitation")


def _send(subject: str, body: str, user: CompanyUser, *, what: str) -> None:
    """Send one plain-text mail; a mail server that fails is logged, not raised.

    The write it announces has committed by now; an admin can send an invitation again.
    """
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:  # smtplib's errors are OSErrors too
        logger.exception("Could not send the %s mail of user %s", what, user.id)


def _password_link(login: AbstractBaseUser) -> str:
    """The set-password page of this sign-in, as an absolute URL under ``BASE_URL``."""
    path = reverse(
        "web:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(login.pk)),
            "token": default_token_generator.make_token(login),
        },
    )
    return settings.BASE_URL.rstrip("/") + path


def _link_context() -> dict:
    return {
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "sign_in": settings.BASE_URL.rstrip("/") + reverse("web:sign_in"),
        "forgot": settings.BASE_URL.rstrip("/") + reverse("web:forgot_password"),
    }


def _build(fresh: CompanyUser, changes: dict, actor: Actor) -> tuple[dict, _SignIn]:
    fields = _clean(
        {name: getattr(fresh, name) for name in _FIELDS} | changes, company=actor.company
    )
    if fields["email"] != fresh.email:
        _refuse_taken_email(actor.company, fields["email"], code=fresh.code)
    return fields, _SignIn()


def _clean(values: Data, *, company: Company) -> dict:
    """Turn input into model fields: email lower case, roles in a fixed order."""
    problems = Problems()
    fields = {name: values[name] for name in _FIELDS if name in values}
    fields["email"] = fields["email"].lower()
    if fields["email"]:
        try:
            validate_email(fields["email"])
        except DjangoValidationError:
            problems.add("Enter a valid email address.", loc=["email"], code="invalid_email")
    fields["roles"] = [role for role in ROLES if role in fields["roles"]]
    limit = fields["approval_limit_amount"]
    if limit is not None and limit < 0:
        problems.add("The approval limit may not be negative.", loc=["approval_limit_amount"])
    elif limit is not None and not fits_scale(limit, company.home_currency):
        problems.add(
            f"The approval limit has more decimals than {company.home_currency} allows.",
            loc=["approval_limit_amount"],
            code="invalid_scale",
        )
    _clean_coding_allowance(fields, company, problems)
    problems.raise_any()
    return fields


def _clean_coding_allowance(fields: dict, company: Company, problems: Problems) -> None:
    """What the person may code to: existing accounts and dimension values, each once and
    sorted (so an upsert of the same allowance in another order changes nothing)."""
    accounts = list(fields.get("coding_accounts") or [])
    known = set(
        Account.objects.filter(company=company, code__in=accounts).values_list("code", flat=True)
    )
    for index, code in enumerate(accounts):
        if code not in known:
            problems.add(
                f"There is no account with code {code!r}.",
                loc=["coding_accounts", index],
                code="unknown_code",
            )
    fields["coding_accounts"] = sorted(set(accounts))
    dimensions = dict(fields.get("coding_dimensions") or {})
    values = DimensionValue.objects.filter(company=company, type__code__in=list(dimensions))
    found = set(values.values_list("type__code", "code"))
    types = set(
        DimensionType.objects.filter(company=company, code__in=list(dimensions)).values_list(
            "code", flat=True
        )
    )
    for type_code, codes in dimensions.items():
        if type_code not in types:
            problems.add(
                f"There is no dimension type with code {type_code!r}.",
                loc=["coding_dimensions", type_code],
                code="unknown_code",
            )
            continue
        for index, code in enumerate(codes):
            if (type_code, code) not in found:
                problems.add(
                    f"Dimension {type_code!r} has no value with code {code!r}.",
                    loc=["coding_dimensions", type_code, index],
                    code="unknown_code",
                )
    fields["coding_dimensions"] = {t: sorted(set(c)) for t, c in sorted(dimensions.items())}


def _refuse_taken_email(company: Company, email: str, *, code: str) -> None:
    """Refuse an email address another user (one with another code) has already."""
    if not email:
        return
    other = CompanyUser.objects.for_company(company).filter(email=email).exclude(code=code).first()
    if other is not None:
        raise DuplicateEmail(
            f"User {other.code!r} has this email address already.",
            extra={"existing_id": str(other.id), "field": "email"},
        )


def _login_of(user: CompanyUser) -> AbstractBaseUser:
    """Return the user's auth user, creating (and linking) one that cannot sign in yet."""
    if user.login_id is not None:
        return user.login
    login = get_user_model()(username=f"user-{user.id}", email=user.email, is_active=user.is_active)
    login.set_unusable_password()
    login.save()
    user.login = login
    user.save(update_fields=["login"])
    return login
