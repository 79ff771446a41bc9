"""Admin building blocks: screens that show data whose changes must go through services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import pydantic
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from payables.errors import PayablesError, ValidationFailed
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company


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


def admin_actor(request: HttpRequest, company: Company) -> Actor:
    """The admin user acting for a company, as events and audit entries name them."""
    return Actor(company=company, label=f"admin:{request.user.get_username()}")


class ServiceForm(forms.ModelForm):
    """A model form whose validation is the service's write.

    The admin saves a form as soon as it validates (``ServiceAdmin`` has no inline
    formsets on a POST that could still refuse it), so validating *is* writing: the
    service checks, locks and records the event, and its refusal becomes this form's
    errors while its transaction undoes everything. Model validation is the service's.
    """

    model_admin: ClassVar[ServiceAdmin]
    request: ClassVar[HttpRequest]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.model_admin.code_fields():
            related = getattr(self.instance, name, None) if name in self.fields else None
            if related is not None:
                self.initial[name] = related.code

    def _post_clean(self) -> None:
        if self.errors:
            return
        admin_, adding = self.model_admin, self.instance._state.adding
        if not adding and not self.changed_data:
            return  # nothing to write, and no event to record
        company = self.cleaned_data["company"] if adding else self.instance.company
        actor = admin_actor(self.request, company)
        try:
            if adding:
                self.instance = admin_.create(dict(self.cleaned_data), actor=actor)
            else:
                changed = {name: self.cleaned_data[name] for name in self.changed_data}
                self.instance = admin_.update(self.instance, changed, actor=actor)
        except (PayablesError, pydantic.ValidationError) as exc:
            for field, message in _located(exc):
                self.add_error(field if field in self.fields else None, message)


def _located(exc: PayablesError | pydantic.ValidationError) -> Iterable[tuple[str | None, str]]:
    """(form field or None, message) for each problem a service or schema names."""
    if isinstance(exc, pydantic.ValidationError):
        for error in exc.errors():
            yield (str(error["loc"][0]) if error["loc"] else None), error["msg"]
    elif isinstance(exc, ValidationFailed):
        for error in exc.errors:
            yield from _located(error)
    else:
        field = exc.extra.get("field") or (exc.loc[0] if exc.loc else None)
        yield (str(field) if field is not None else None), exc.message


def _plural(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name_plural)


class ServiceAdmin(admin.ModelAdmin):
    """Add and change master data through its services; deactivate instead of delete.

    A subclass names the kind's ``schema_in``/``schema_patch`` and its ``create_service``,
    ``update_service`` and ``deactivate_service``. Links to other coded kinds are typed
    as their codes, which the service resolves within the record's company. A new
    record's company is picked on the add form; afterwards it (and ``fixed_on_change``)
    cannot change.
    """

    form = ServiceForm
    schema_in: ClassVar[type[pydantic.BaseModel]]
    schema_patch: ClassVar[type[pydantic.BaseModel]]
    create_service: ClassVar[Callable[..., models.Model]]
    update_service: ClassVar[Callable[..., models.Model]]
    deactivate_service: ClassVar[Callable[..., models.Model]]
    fixed_on_change: ClassVar[tuple[str, ...]] = ()
    actions = ["deactivate_selected"]

    def create(self, data: dict, *, actor: Actor) -> models.Model:
        return type(self).create_service(self.schema_in(**self._input(data)), actor=actor)

    def update(self, obj: models.Model, changes: dict, *, actor: Actor) -> models.Model:
        patch = self.schema_patch(**self._input(changes, self.schema_patch))
        return type(self).update_service(obj, patch, actor=actor)

    def _input(self, values: dict, schema: type[pydantic.BaseModel] | None = None) -> dict:
        """The form's values the schema takes; a linked record is given by its code."""
        fields = (schema or self.schema_in).model_fields
        return {name: value for name, value in values.items() if name in fields}

    def code_fields(self) -> list[str]:
        """Foreign keys to other coded kinds, edited as the code of the linked record."""
        return [
            f.name
            for f in self.model._meta.get_fields()
            if isinstance(f, models.ForeignKey) and hasattr(f.related_model, "code")
        ]

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name in self.code_fields():
            return forms.CharField(
                label=db_field.verbose_name.capitalize(),
                max_length=50,
                required=not db_field.null,
                empty_value=None,
                help_text=f"Code of one of the company's {_plural(db_field.related_model)}.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Model | None = None,
        change: bool = False,  # noqa: FBT001, FBT002
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"model_admin": self, "request": request})

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fixed = ["company", *self.fixed_on_change] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def get_inlines(self, request: HttpRequest, obj: models.Model | None) -> list:
        """Inlines are shown only: none on a POST, so nothing can refuse a written form."""
        return [] if request.method == "POST" else super().get_inlines(request, obj)

    def save_model(
        self,
        request: HttpRequest,
        obj: models.Model,
        form: forms.Form,
        change: bool,  # noqa: FBT001
    ) -> None:
        """Nothing to do: the service wrote the record when the form was validated."""

    def save_related(
        self,
        request: HttpRequest,
        form: forms.Form,
        formsets: list,
        change: bool,  # noqa: FBT001
    ) -> None:
        """Related rows are the service's to write."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Deactivate selected %(verbose_name_plural)s")
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for obj in queryset.select_related("company"):
            try:
                type(self).deactivate_service(obj, actor=admin_actor(request, obj.company))
            except PayablesError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"Deactivated {done} record(s).", messages.SUCCESS)
