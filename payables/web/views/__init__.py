"""The web inbox's views, one module per page or topic; thin: parse, authorise, call, render.

Actions are plain POST forms that htmx enhances; without JavaScript they post and redirect.
"""

from payables.web.views.invoice import (
    add_approver,
    approve,
    attachment_content,
    export,
    invoice_detail,
    page_image,
    reject,
    reroute,
)
from payables.web.views.keys import personal_keys, revoke_key
from payables.web.views.lists import inbox, invoice_list
from payables.web.views.passwords import change_password, forgot_password, set_password
from payables.web.views.sign_in import choose_company, sign_in, sign_out
from payables.web.views.site import favicon

__all__ = [
    "add_approver",
    "approve",
    "attachment_content",
    "change_password",
    "choose_company",
    "export",
    "favicon",
    "forgot_password",
    "inbox",
    "invoice_detail",
    "invoice_list",
    "page_image",
    "personal_keys",
    "reject",
    "reroute",
    "revoke_key",
    "set_password",
    "sign_in",
    "sign_out",
]
