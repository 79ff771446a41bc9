"""The whole-tree shape check agrees with the counted parse: it lets through exactly the
documents the counted parse lets through, so every refusal keeps its error."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from payables.einvoice.errors import LimitExceeded
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.xmlshape import parse_counted, parse_whole

SAMPLES = sorted(SAMPLES_DIR.glob("*.xml"))
# Tight limits, so that each sample is refused by some of them and passes others.
LIMITS = [
    ParseLimits(max_depth=3),
    ParseLimits(max_depth=6),
    ParseLimits(max_repeats=1),
    ParseLimits(max_repeats=3),
    ParseLimits(max_children=4),
    ParseLimits(max_children=12),
    ParseLimits(max_lines=1),
    ParseLimits(max_lines=2, max_repeats=2),
    ParseLimits(max_elements=50),
    ParseLimits(),
]


def _changed(limits: ParseLimits) -> str:
    default = ParseLimits()
    changed = {k: v for k, v in dataclasses.asdict(limits).items() if getattr(default, k) != v}
    return ",".join(f"{k}={v}" for k, v in changed.items()) or "defaults"


def _verdict(data: bytes, limits: ParseLimits) -> str:
    try:
        parse_counted(data, limits)
    except LimitExceeded as exc:
        return exc.message
    except etree.XMLSyntaxError:
        return "syntax"
    return "read"


@pytest.mark.parametrize("limits", LIMITS, ids=_changed)
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_whole_tree_parse_passes_what_the_counted_parse_passes(sample, limits):
    data = sample.read_bytes()
    verdict = _verdict(data, limits)
    whole = parse_whole(data, limits)
    if verdict == "read" and data.count(b"<") <= limits.max_elements:
        assert whole is not None
        assert etree.tostring(whole) == etree.tostring(parse_counted(data, limits))
    else:
        assert whole is None, verdict


@pytest.mark.parametrize(
    ("document", "limits"),
    [
        # The same name under parents of one name counts across them within the header...
        (b"<r>" + b"<w><a/></w>" * 3 + b"</r>", ParseLimits(max_repeats=2)),
        # ...and across nested wrappers of distinct names.
        (b"<r><x><w><a/><a/></w></x><y><w><a/></w></y></r>", ParseLimits(max_repeats=2)),
        # Lines count against max_lines, not against max_repeats or the width.
        (b"<r>" + b"<InvoiceLine><a/></InvoiceLine>" * 3 + b"</r>", ParseLimits(max_lines=2)),
        (b"<r>" + b"<b/>" * 3 + b"<InvoiceLine/>" * 5 + b"</r>", ParseLimits(max_children=2)),
        (b"<r><a><b><c/></b></a></r>", ParseLimits(max_depth=3)),
    ],
)
def test_shapes_over_a_limit_are_left_to_the_counted_parse(document, limits):
    with pytest.raises(LimitExceeded):
        parse_counted(document, limits)
    assert parse_whole(document, limits) is None


@pytest.mark.parametrize(
    ("document", "limits"),
    [
        # Each line opens a count of its own: 3 lines of 2 each stay within 2.
        (b"<r>" + b"<InvoiceLine><a/><a/></InvoiceLine>" * 3 + b"</r>", ParseLimits(max_repeats=2)),
        (b"<r>" + b"<b/>" * 2 + b"<InvoiceLine/>" * 5 + b"</r>", ParseLimits(max_children=2)),
        (b"<r><a><b/></a></r>", ParseLimits(max_depth=3)),
    ],
)
def test_shapes_within_the_limits_are_read_whole(document, limits):
    parse_counted(document, limits)
    assert parse_whole(document, limits) is not None
