"""Following the set-password links of invitation and password mails, as a person would."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.test import Client

LINK = re.compile(r"^(https?://\S+/password/set/[^/\s]+/[^/\s]+/)$", re.MULTILINE)


def links_in(message: EmailMessage) -> list[str]:
    """The set-password links of a mail, as paths of this site (they start with BASE_URL)."""
    links = LINK.findall(message.body)
    assert all(link.startswith(settings.BASE_URL) for link in links), links
    return [link.removeprefix(settings.BASE_URL.rstrip("/")) for link in links]


def open_link(client: Client, path: str) -> object:
    """Open a link: Django moves the token into the session and redirects to the form."""
    response = client.get(path)
    if response.status_code == 302:
        response = client.get(response["Location"])
    return response


def set_password_through(client: Client, path: str, password: str) -> object:
    """Open the link and send the form with the password twice; the final answer."""
    form = open_link(client, path)
    assert form.status_code == 200, form.content
    return client.post(
        form.request["PATH_INFO"], {"new_password1": password, "new_password2": password}
    )
