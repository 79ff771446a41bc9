"""What every admin module builds on: read-only screens, and writes through named services.

It also brands Django's admin site "payables", and shows money as people read it
(``money_column``).

An admin that writes is a ``ServiceAdmin``: its ``save_model`` and ``delete_model`` call
the app's service by name, so a grep for a service finds the admin that calls it. A
form's ``clean`` may run read-only checks and never writes. When the service refuses at
save time, its transaction is undone and the form is shown again as the user sent it,
with the refusal beside the fields it names: a refused save is never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import pydantic
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from payables.errors import FieldError, PayablesError, ValidationFailed
from payables.money import format_amount
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

# Every admin module imports this one before registering: the site is branded by then.
admin.site.site_header = "payables"
admin.site.site_title = "payables admin"
admin.site.index_title = "Administration"

# What a service (or the schema it takes) raises to refuse a write.
REFUSALS = (PayablesError, pydantic.ValidationError)
# Where a refused save leaves its reasons for the form shown again (see ``ServiceAdmin``).
_REFUSAL = "_payables_admin_refusal"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search only; writes happen through services, which record events."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def money_column(
    field: str, currency: Callable[[Any], str], *, description: str | None = None
) -> Callable[[Any], str | None]:
    """A list column showing ``field`` at its currency's scale, with the currency.

    "176.50 EUR", not the stored 176.5000; ``currency`` answers a record's currency
    code. The column sorts by the field; an empty amount shows as Django's dash.
    """

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def show(obj: Any) -> str | None:
        amount = getattr(obj, field)
        if amount is None:
            return None
        code = currency(obj)
        return f"{format_amount(amount, code)} {code}"

    show.__name__ = field
    return show


def admin_actor(request: HttpRequest, company: Company) -> Actor:
    """The admin user acting for a company, as events and audit entries name them."""
    return Actor(company=company, label=f"admin:{request.user.get_username()}")


def refusal_errors(exc: PayablesError | pydantic.ValidationError) -> list[tuple[str | None, str]]:
    """(field or None, message) for each problem a service or schema names."""
    return list(_located(exc))


def _located(exc: PayablesError | pydantic.ValidationError) -> Iterable[tuple[str | None, str]]:
    if isinstance(exc, pydantic.ValidationError):
        for error in exc.errors():
            yield (str(error["loc"][0]) if error["loc"] else None), error["msg"]
    elif isinstance(exc, ValidationFailed):
        for error in exc.errors:
            yield from _located(error)
    else:
        field = exc.extra.get("field") or (exc.loc[0] if exc.loc else None)
        yield (str(field) if field is not None else None), exc.message


def show_stored(obj: models.Model, stored: models.Model) -> None:
    """Make the admin's ``obj`` the record the service stored: Django logs and links it."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(stored, field.attname))
    obj._state.adding = False
    obj._state.db = stored._state.db


class _ShowsRefusal(forms.BaseForm):
    """Mixed into a form shown again after a refused save: the refusal is its errors."""

    refusal: ClassVar[list[tuple[str | None, str]]] = []

    def full_clean(self) -> None:
        super().full_clean()
        for field, message in self.refusal:
            self.add_error(field if field in self.fields else None, message)


class ServiceAdmin(admin.ModelAdmin):
    """Adds, changes and deletes only through the services a subclass names.

    A subclass writes in ``save_model`` (and ``delete_model``, unless deletion is off);
    Django's own saving and deleting are refused here so none slips through. Actions
    write one record at a time with ``write_each``.
    """

    def save_model(
        self,
        request: HttpRequest,
        obj: models.Model,
        form: forms.Form,
        change: bool,  # noqa: FBT001
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__}.save_model must call a service")

    def save_related(
        self,
        request: HttpRequest,
        form: forms.Form,
        formsets: list,
        change: bool,  # noqa: FBT001
    ) -> None:
        """Related rows are the service's to write."""

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        raise NotImplementedError(f"{type(self).__name__}.delete_model must call a service")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The bulk delete action: ``delete_model`` (its service, its event) per record."""
        self.write_each(request, queryset, lambda obj: self.delete_model(request, obj))

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """On a refused save, the form again with the input sent and the refusal as errors.

        Django runs a POST in one transaction, which the refusal undoes. The same input
        is then validated once more with the refusal added (``get_form``), so the answer
        is the page Django shows for any invalid form, and nothing is written.
        """
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as exc:
            if request.method != "POST":
                raise
            setattr(request, _REFUSAL, refusal_errors(exc))
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Model | None = None,
        change: bool = False,  # noqa: FBT001, FBT002
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form
        return type(form.__name__, (_ShowsRefusal, form), {"refusal": refusal})

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """A refused delete leaves the record, and its page says why."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as exc:
            self.message_user(request, _message(exc), messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )

    def write_each(
        self, request: HttpRequest, queryset: QuerySet, write: Callable[[Any], object]
    ) -> int:
        """Call ``write`` (a service call) for each selected record, each on its own.

        A refusal is reported beside the record it refused and leaves the others done.
        Answers how many were written.
        """
        done = 0
        for obj in queryset:
            try:
                write(obj)
            except REFUSALS as exc:
                self.message_user(request, f"{obj}: {_message(exc)}", messages.ERROR)
            else:
                done += 1
        return done


def _message(exc: PayablesError | pydantic.ValidationError) -> str:
    return "; ".join(
        f"{field}: {message}" if field else message for field, message in _located(exc)
    )


class RuleForm(forms.ModelForm):
    """A company rule's form: shows the service's refusals beside the fields; writes nothing.

    A subclass names ``rule_fields`` and ``check_rule(company, values, rule=)``, the
    service's read-only check; ``RuleAdmin.save_model`` writes ``rule_values()``.
    """

    rule_fields: ClassVar[tuple[str, ...]]
    check_rule: ClassVar[Callable[..., object]]

    def rule_values(self) -> dict:
        """What the rule services take: every field of a new rule, the changed ones of a rule."""
        adding = self.instance._state.adding
        names = [n for n in self.rule_fields if adding or n in self.changed_data]
        return {name: self.cleaned_data[name] for name in names}

    def clean(self) -> dict:
        """The service's own checks, read-only, so a refusal is shown before any write."""
        data = super().clean()
        adding = self.instance._state.adding
        if self.errors or (adding and data.get("company") is None):
            return data
        company = data["company"] if adding else self.instance.company
        try:
            self.check_rule(company, self.rule_values(), rule=None if adding else self.instance)
        except ValidationFailed as exc:
            for error in exc.errors:
                field = str(error.loc[0]) if error.loc else None
                self.add_error(field if field in self.fields else None, self.message(error))
        return data

    def message(self, error: FieldError) -> str:
        """How a refusal reads beside its field."""
        return error.message


class RuleAdmin(ServiceAdmin):
    """A company's ordered rules (routing, coding), written by the services a subclass names.

    ``create_rule(values, actor=)``, ``update_rule(rule, values, actor=)`` and
    ``delete_rule(rule, actor=)``; the form's ``rule_values()`` gives what to write.
    """

    create_rule: ClassVar[Callable[..., models.Model]]
    update_rule: ClassVar[Callable[..., models.Model]]
    delete_rule: ClassVar[Callable[..., object]]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["company"] if obj else []

    def save_model(
        self,
        request: HttpRequest,
        obj: models.Model,
        form: forms.Form,
        change: bool,  # noqa: FBT001
    ) -> None:
        """Create or change the rule through its service; ``obj`` then shows what it stored."""
        actor = admin_actor(request, obj.company)
        values = form.rule_values()
        if not change:
            stored = self.create_rule(values, actor=actor)
        elif values:
            stored = self.update_rule(obj, values, actor=actor)
        else:
            return  # nothing changed: nothing to write, no event to record
        show_stored(obj, stored)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        """Deleting a rule (alone or in the bulk action) records its event."""
        self.delete_rule(obj, actor=admin_actor(request, obj.company))
