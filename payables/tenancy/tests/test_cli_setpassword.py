"""``payables setpassword EMAIL [--company NAME]``: a password from the terminal or stdin."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from payables.cli import main
from payables.events.models import Event
from payables.masterdata.schemas import UserIn
from payables.masterdata.services import create_user, deactivate_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser

PASSWORD = "talvine-jõgi-2026"


class Terminal(io.StringIO):
    """Input that says it is a terminal, so the command asks with getpass."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def make_user(company: Company):
    def make(code: str = "E1", *, email: str = "mari@example.com", of: Company = company):
        data = UserIn(code=code, name="Mari Maasikas", email=email, roles=["approver"])
        return create_user(data.model_dump(), actor=Actor.system(of))

    return make


def setpassword(*args: str, stdin: io.StringIO | None = None) -> str:
    out = io.StringIO()
    call_command("setpassword", *args, stdin=stdin or io.StringIO(PASSWORD + "\n"), stdout=out)
    return out.getvalue()


def _signs_in(email: str, password: str) -> bool:
    answer = Client().post("/sign-in/", {"email": email, "password": password})
    return answer.status_code == 302


def test_reads_the_password_from_stdin_and_the_user_signs_in(make_user):
    make_user()
    output = setpassword("Mari@Example.com")
    assert output == "Password set for mari@example.com (Mari Maasikas) of Acme Ostud OÜ.\n"
    assert _signs_in("mari@example.com", PASSWORD)
    [event] = Event.objects.filter(type="user.password_set")
    assert event.actor == "cli:setpassword"


def test_reads_only_the_first_line_without_its_line_end(make_user):
    make_user()
    setpassword("mari@example.com", stdin=io.StringIO(f"{PASSWORD}\r\nsecond line\n"))
    assert _signs_in("mari@example.com", PASSWORD)


def test_asks_twice_on_a_terminal(make_user, monkeypatch):
    make_user()
    prompts = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or PASSWORD)
    setpassword("mari@example.com", stdin=Terminal())
    assert prompts == ["New password: ", "New password again: "]
    assert _signs_in("mari@example.com", PASSWORD)


def test_two_different_answers_on_a_terminal_change_nothing(make_user, monkeypatch):
    make_user()
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ; nothing was changed"):
        setpassword("mari@example.com", stdin=Terminal())
    assert not Event.objects.filter(type="user.password_set").exists()


def test_an_address_in_two_companies_needs_the_company(make_user, other_company):
    make_user()
    theirs = make_user(of=other_company)
    with pytest.raises(CommandError) as refused:
        setpassword("mari@example.com")
    assert str(refused.value) == (
        "mari@example.com is a user of several companies ('Acme Ostud OÜ', 'Other Oy'), "
        "each with a password of its own: name one with --company."
    )
    assert not Event.objects.filter(type="user.password_set").exists()

    setpassword("mari@example.com", "--company", "Other Oy")
    login = CompanyUser.objects.select_related("login").get(pk=theirs.pk).login
    assert login.check_password(PASSWORD)
    ours = CompanyUser.objects.select_related("login").get(company__name="Acme Ostud OÜ").login
    assert not ours.has_usable_password()


def test_an_unknown_address_or_company_is_refused(make_user):
    make_user()
    with pytest.raises(CommandError, match=r"No user has the email address nobody@example.com\."):
        setpassword("nobody@example.com")
    with pytest.raises(CommandError, match="is not a user of a company named 'Nope'"):
        setpassword("mari@example.com", "--company", "Nope")


def test_an_inactive_user_gets_no_password(make_user, actor):
    deactivate_user(make_user(), actor=actor)
    with pytest.raises(CommandError, match="inactive user of Acme Ostud OÜ"):
        setpassword("mari@example.com")
    assert not _signs_in("mari@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("short\n", "too short"), ("\n", "The password is empty"), ("", "The password is empty")],
    ids=["too-short", "empty-line", "no-input"],
)
def test_a_refused_password_changes_nothing(make_user, typed, message):
    make_user()
    with pytest.raises(CommandError, match=message):
        setpassword("mari@example.com", stdin=io.StringIO(typed))
    assert not Event.objects.filter(type="user.password_set").exists()


@pytest.mark.django_db(transaction=True)  # the script closes connections, as any command
def test_the_payables_script_reads_stdin(company, monkeypatch, capsys):
    data = UserIn(code="E1", name="Mari Maasikas", email="mari@example.com")
    create_user(data.model_dump(), actor=Actor.system(company))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    main(["setpassword", "mari@example.com"])
    assert "Password set for mari@example.com" in capsys.readouterr().out
    assert _signs_in("mari@example.com", PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_the_payables_script_says_why_it_refused(company, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(["setpassword", "nobody@example.com"])
    assert exit_info.value.code == 1
    assert "No user has the email address nobody@example.com." in capsys.readouterr().err
