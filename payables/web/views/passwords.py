"""Passwords: change your own, ask for a link by e-mail, and set one through a link.

The links come from invitations and "forgot password" mails (``masterdata.services.users``);
they carry Django's password reset tokens, and the set-password page is Django's
``PasswordResetConfirmView``, writing through ``set_user_password``. Each company user
has a sign-in of their own, so a link sets the password of one company's user only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from payables.errors import PayablesError, ValidationFailed
from payables.masterdata.errors import TooManyPasswordRequests
from payables.masterdata.services import send_password_links, set_user_password
from payables.masterdata.services.users import PASSWORD_REQUEST_WINDOW
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser
from payables.web.auth import client_address
from payables.web.forms import ForgotPasswordForm, NewPasswordForm, PasswordChangeForm
from payables.web.views.access import counts, member_required


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def change_password(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own password: the current one, then the new one twice.

    The session stays signed in; the user's other sessions end with the old password.
    """
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and _set(request.member, form, "web"):
        update_session_auth_hash(request, get_user_model().objects.get(pk=request.user.pk))
        messages.success(request, "Your password is changed.")
        return _see_other(reverse("web:password"))
    context = {"nav": "password", "form": form, "counts": counts(request.actor)}
    return render(request, "web/password.html", context, status=422 if form.errors else 200)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    """Ask for a set-password link by e-mail; the answer never says whether the address is known."""
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            send_password_links(email, client_address=client_address(request) or "")
        except TooManyPasswordRequests as exc:
            form.add_error(None, exc.message)
            answer = render(request, "web/password_forgot.html", {"form": form}, status=429)
            answer["Retry-After"] = str(int(PASSWORD_REQUEST_WINDOW.total_seconds()))
            return answer
        messages.success(
            request,
            f"If {email} belongs to a user, a link to set a new password is on its way there.",
        )
        return _see_other(reverse("web:sign_in"))
    status = 422 if form.errors else 200
    return render(request, "web/password_forgot.html", {"form": form}, status=status)


class SetPasswordView(PasswordResetConfirmView):
    """Django's token page (``/password/set/<uidb64>/<token>/``) for a company user's sign-in.

    Django checks the token and moves it into the session (so it never leaks in a
    Referer); this view refuses sign-ins of inactive users or of no company, writes through
    the service, and answers a bad, used or expired link with a 400 page saying so.
    """

    form_class = NewPasswordForm
    template_name = "web/password_set.html"
    success_url = reverse_lazy("web:sign_in")

    def get_user(self, uidb64: str) -> AbstractBaseUser | None:
        login = super().get_user(uidb64)
        if login is None or not login.is_active:
            return None
        self.member = (
            CompanyUser.objects.filter(login=login, is_active=True)
            .select_related("company")
            .first()
        )
        return login if self.member is not None else None

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        if not _set(self.member, form, "password link"):
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            f"Your password for {self.member.company.name} is set: sign in with "
            f"{self.member.email} and it.",
        )
        return _see_other(str(self.success_url))

    def form_invalid(self, form: Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def render_to_response(self, context: dict, **kwargs: Any) -> HttpResponse:
        if not context.get("validlink"):
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


set_password = SetPasswordView.as_view()


def _set(member: CompanyUser, form: NewPasswordForm, via: str) -> bool:
    """Set the form's new password through the service; a refusal becomes the form's errors."""
    try:
        set_user_password(
            member, form.cleaned_data["new_password1"], actor=Actor.for_user(member, via=via)
        )
    except ValidationFailed as exc:
        for error in exc.errors:
            form.add_error("new_password1", error.message)
        return False
    except PayablesError as exc:
        form.add_error(None, exc.message)
        return False
    return True


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
