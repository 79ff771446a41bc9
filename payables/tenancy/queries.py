"""Reads of the tenancy app: the API key a request presents, the companies it serves, the
company users named by reference."""

from __future__ import annotations

import functools
import uuid

from django.db import connections
from django.db.models.query import get_related_populators

from payables.errors import FieldError, Loc
from payables.tenancy.actors import Actor
from payables.tenancy.models import ApiKey, Company, CompanyUser
from payables.tenancy.services import hash_key


def find_api_key(raw: str) -> ApiKey | None:
    """Return the key whose hash matches a raw secret (revoked ones too), or None.

    With its owner (integrator or user) and the owner's company, read in one query that
    every API request makes afresh: a revocation, a role taken away or a company changed
    counts from the very next request.
    """
    return _key_lookup(ApiKey.objects.db)(hash_key(raw))


class _KeyLookup:
    """``find_api_key``'s query, compiled once per process and database.

    Every API request runs it: compiling the ORM query (five tables, some 50 columns) and
    building the instances took over 1 ms of CPU, several times the query itself. Here
    the ORM compiles it once and its own machinery (converters, ``from_db``, the related
    populators of ``select_related``) builds the same instances from each row. What it
    keeps is only read afterwards, so the threads of a process share it.
    """

    _PLACEHOLDER = "\x00key_hash"  # stands for the hash; no hash can equal it

    def __init__(self, alias: str) -> None:
        query = ApiKey.objects.using(alias).select_related("integrator__company", "user__company")
        query = query.filter(key_hash=self._PLACEHOLDER).order_by()[:1]  # the hash is unique
        compiler = query.query.get_compiler(alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.hash_at = self.params.index(self._PLACEHOLDER)
        select = compiler.select
        self.converters = list(compiler.get_converters([s[0] for s in select]).items())
        fields = compiler.klass_info["select_fields"]
        self.own = slice(fields[0], fields[-1] + 1)
        self.attnames = [column.target.attname for column, *_ in select[self.own]]
        self.populators = get_related_populators(compiler.klass_info, select, alias)
        self.alias = alias

    def __call__(self, key_hash: str) -> ApiKey | None:
        connection = connections[self.alias]
        params = list(self.params)
        params[self.hash_at] = key_hash
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchone()
        if found is None:
            return None
        row = list(found)
        for position, (converters, column) in self.converters:
            for convert in converters:
                row[position] = convert(row[position], column, connection)
        api_key = ApiKey.from_db(self.alias, self.attnames, row[self.own])
        for populator in self.populators:
            populator.populate(row, api_key)
        return api_key


@functools.cache
def _key_lookup(alias: str) -> _KeyLookup:
    return _KeyLookup(alias)


def company_code(company: Company) -> str:
    """How feeds and reports name a company: its registry code, else its UUID."""
    return company.registry_code or str(company.id)


def company_by_code(actor: Actor, code: str | None, *, loc: Loc) -> Company:
    """The actor's company that ``code`` names (its ``Company.code``); none given: its own.

    A company the actor does not serve is refused like an unknown one (422 at ``loc``),
    so a key cannot learn which other companies exist.
    """
    if code is None:
        return actor.company
    for company in actor.companies:
        if code == company_code(company):
            return company
    raise FieldError(
        "Not a company this API key serves; give the registry code of its company or of "
        "one it was granted.",
        loc=loc,
        code="company_code_mismatch",
    )


def find_user(company: Company, ref: str) -> CompanyUser | None:
    """A company user by UUID, email (any case) or external code."""
    users = CompanyUser.objects.filter(company=company)
    ref = ref.strip()
    try:
        found = users.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        found = None
    if found is None and "@" in ref:
        found = users.filter(email=ref.lower()).first()
    return found or users.filter(code=ref).first()
