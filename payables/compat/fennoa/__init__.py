"""The Fennoa purchases_api, served by payables (see README: "Moving from Fennoa").

Paths, field names, the ``{status, data | errors}`` envelope and the status codes are
Fennoa's; every action is a call of the native services, every read one of the apps' queries.
"""
