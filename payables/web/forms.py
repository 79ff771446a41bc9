"""Forms of the web inbox: sign-in and passwords, approve / reject, the invoice list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import password_validators_help_text_html

from payables.approvals.models import Level
from payables.approvals.services import MAX_COMMENT
from payables.invoices.models import Invoice
from payables.invoices.schemas import InvoiceFilters
from payables.invoices.services.review import MAX_REASON as MAX_REVIEW_REASON
from payables.masterdata.services.users import MAX_PASSWORD_LENGTH
from payables.tenancy.models import CompanyUser
from payables.tenancy.permissions import Action, personal_scopes, user_may
from payables.tenancy.scopes import SCOPES


class DescribedErrorsForm(forms.Form):
    """A form whose invalid inputs point at their error message (``aria-describedby``).

    Django marks them ``aria-invalid``; the templates put the message in ``<id>-error``.
    Errors a view adds after validation (a service's refusal) are described too.
    """

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class SignInForm(DescribedErrorsForm):
    email = forms.CharField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _password_field(label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    # Bounded, so a huge input is refused before anything hashes it.
    return forms.CharField(
        label=label,
        max_length=MAX_PASSWORD_LENGTH,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewPasswordForm(DescribedErrorsForm):
    """A new password, typed twice. Its rules are the service's (Django's validators),
    whose refusal the view puts beside ``new_password1``."""

    new_password1 = _password_field(
        "New password", "new-password", help_text=password_validators_help_text_html()
    )
    new_password2 = _password_field("New password again", "new-password")

    def __init__(self, *args: Any, user: AbstractBaseUser | None = None, **kwargs: Any) -> None:
        # ``user``: Django's PasswordResetConfirmView hands it over; the view keeps it.
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The two passwords differ.")
        return data


class PasswordChangeForm(NewPasswordForm):
    """The signed-in user's current password, then the new one twice."""

    old_password = _password_field("Current password", "current-password")
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your current password is not this one.")
        return password


class ForgotPasswordForm(DescribedErrorsForm):
    email = forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class CompanyChoiceForm(DescribedErrorsForm):
    """Which of the matching companies to sign in to; choices come from the session."""

    member = forms.ChoiceField(label="Company", widget=forms.RadioSelect)

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = choices


class ApproveForm(DescribedErrorsForm):
    comment = forms.CharField(
        label="Comment (optional)",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(DescribedErrorsForm):
    # No ``required`` attribute in the HTML: the server's inline error is the one people see,
    # with or without JavaScript.
    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=MAX_COMMENT,
        error_messages={"required": "Give a reason for rejecting the invoice."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    use_required_attribute = False


class InvoiceFilterForm(DescribedErrorsForm):
    """Filters of the all-invoices list, read from the query string."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *Invoice.Status.choices], required=False
    )
    supplier = forms.CharField(label="Supplier", max_length=200, required=False)
    date_from = forms.DateField(
        label="Invoice date from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Invoice date to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sync_failed = forms.BooleanField(label="Failed to sync", required=False)
    # The worklists' flags (``?booked=false``): the tabs set them, as the API's filters.
    booked = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    prebooked = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    approved = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    needs_review = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    coded = forms.NullBooleanField(required=False, widget=forms.HiddenInput)
    po_match_status = forms.ChoiceField(
        choices=[("", ""), *Invoice._meta.get_field("po_match_status").choices],
        required=False,
        widget=forms.HiddenInput,
    )
    FLAGS = ("booked", "prebooked", "approved", "needs_review", "coded", "po_match_status")

    def flags(self) -> dict[str, bool | str]:
        """The worklist flags that are set (valid ones only)."""
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in self.FLAGS if data.get(name) not in (None, "")}

    def query_flags(self) -> dict[str, str]:
        """The flags as the query string carries them (``true``/``false``, or the value)."""
        return query_values(self.flags())

    def filters(self) -> InvoiceFilters:
        """The API's list filters from the valid fields (an invalid field filters nothing)."""
        data = getattr(self, "cleaned_data", {})  # set by is_valid(), valid fields only
        values = {
            "status": data.get("status") or None,
            "invoice_date_from": data.get("date_from"),
            "invoice_date_to": data.get("date_to"),
            "sync_failed": True if data.get("sync_failed") else None,
            "supplier_name": (data.get("supplier") or "").strip() or None,
            **self.flags(),
        }
        return InvoiceFilters(**{k: v for k, v in values.items() if v is not None})


def query_values(flags: dict[str, bool | str]) -> dict[str, str]:
    """``{"booked": False, "po_match_status": "discrepancy"}`` → ``booked=false`` and so on."""
    return {k: str(v).lower() if isinstance(v, bool) else v for k, v in flags.items()}


class AddApproverForm(DescribedErrorsForm):
    """An accountant or admin adds one approver at the end of the chain."""

    user = forms.ChoiceField(label="Approver")
    level = forms.TypedChoiceField(
        label="Level", choices=Level.choices, coerce=int, initial=Level.APPROVAL
    )

    def __init__(self, *args: object, company: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        approvers = CompanyUser.objects.filter(company=company, is_active=True).order_by("name")
        self.fields["user"].choices = [
            (str(u.pk), u.name) for u in approvers if user_may(u, Action.APPROVE)
        ]


class PersonalKeyForm(DescribedErrorsForm):
    """A personal API key: a label and what it may do; it acts as the signed-in user."""

    name = forms.CharField(label="Label", max_length=200, required=False)
    scopes = forms.MultipleChoiceField(
        label="May",
        choices=[(scope, f"{scope} — {text}") for scope, text in SCOPES.items()],
        initial=["approvals:read", "approvals:write", "invoices:read"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one scope."},
    )

    def __init__(self, *args: object, roles: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        allowed = personal_scopes(roles)  # a person's key never does more than they may
        field = self.fields["scopes"]
        field.choices = [choice for choice in field.choices if choice[0] in allowed]
        field.initial = [scope for scope in field.initial if scope in allowed]


class ClearReviewForm(DescribedErrorsForm):
    reason = forms.CharField(
        label="Why the findings do not stop the invoice",
        max_length=MAX_REVIEW_REASON,
        error_messages={"required": "Give a reason for clearing the review."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    use_required_attribute = False


class RerouteForm(DescribedErrorsForm):
    comment = forms.CharField(
        label="Comment (optional)",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
