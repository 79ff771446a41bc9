"""The pure coding engine: tiny histories, determinism, round trips, text that decides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.coding.learning import (
    ACCOUNT,
    ENGINE_VERSION,
    VAT_CODE,
    EngineVersionMismatch,
    Example,
    Line,
    dimension_target,
    loads,
    train,
)
from payables.coding.learning.engine import pickle

PROJECT = dimension_target("project")


def booked(supplier: str, text: str, account: str, vat: str = "24", **dimensions: str) -> Example:
    return Example.booked(
        Line(supplier, text, Decimal("40.00"), "EUR"),
        account=account,
        vat_code=vat,
        dimensions=dimensions,
        dimension_types=("project",),
    )


def telecom_history() -> list[Example]:
    """A telecom whose subscriptions are expenses and whose devices are assets."""
    history = []
    for month in range(1, 13):
        history.append(booked("tele", f"Mobile subscription {month:02d}/2025", "6010"))
        history.append(booked("tele", f"mobile subscription period {month}.2025", "6010"))
    for model in ("iPhone 15", "Galaxy S24", "Pixel 9", "iPhone 16"):
        history.append(booked("tele", f"Device purchase {model}", "1210"))
    history.append(booked("office", "copy paper", "6200", project="P-1"))
    return history


def test_no_history_gives_no_suggestions():
    engine = train([])
    assert engine.sample_count == 0
    assert engine.predict([Line("tele", "anything")]) == [{}]


def test_one_booked_line_is_certain_of_its_coding():
    engine = train([booked("tele", "Mobile subscription", "6010")])
    [prediction] = engine.predict([Line("other", "something else entirely")])
    assert [(s.label, s.probability) for s in prediction[ACCOUNT]] == [("6010", 1.0)]
    assert prediction[VAT_CODE][0].label == "24"
    assert prediction[PROJECT][0].label == ""  # "no project", learned as such


def test_lines_without_text_still_train():
    engine = train([booked("a", "", "6010"), booked("b", "", "6200")])
    [prediction] = engine.predict([Line("b", "")])
    assert prediction[ACCOUNT][0].label == "6200"


def test_uncoded_lines_teach_nothing_about_the_account():
    engine = train([booked("a", "paper", "6200"), booked("a", "pens", "")])
    [prediction] = engine.predict([Line("a", "pens")])
    assert [s.label for s in prediction[ACCOUNT]] == ["6200"]


def test_the_text_tells_two_accounts_of_one_supplier_apart():
    engine = train(telecom_history())
    subscription, device = engine.predict(
        [Line("tele", "MOBILE SUBSCRIPTION 03/2026"), Line("tele", "device purchase iphone 17")]
    )
    assert subscription[ACCOUNT][0].label == "6010"
    assert device[ACCOUNT][0].label == "1210"
    assert device[ACCOUNT][0].probability > 0.5
    baseline = engine.predict_baseline([Line("tele", "device purchase iphone 17")])
    assert baseline[0][ACCOUNT][0].label == "6010"  # what the supplier majority says


def test_suggestions_are_ranked_at_most_three_with_probabilities_summing_to_at_most_one():
    history = telecom_history() + [booked("tele", f"roaming {n}", f"60{n}") for n in range(20, 25)]
    [prediction] = train(history).predict([Line("tele", "roaming charges")])
    ranked = prediction[ACCOUNT]
    assert len(ranked) == 3
    assert [s.probability for s in ranked] == sorted((s.probability for s in ranked), reverse=True)
    assert sum(s.probability for s in ranked) <= 1.0 + 1e-9


def test_training_is_deterministic_whatever_the_order():
    history = telecom_history()
    lines = [Line("tele", "device purchase"), Line("new", "mobile subscription")]
    first = train(history).predict(lines)
    again = train(list(reversed(history))).predict(lines)
    assert first == again


def test_a_model_survives_a_round_trip_through_bytes():
    engine = train(telecom_history())
    lines = [Line("tele", "device purchase"), Line("office", "paper")]
    payload = engine.dumps()
    assert isinstance(payload, bytes)
    restored = loads(payload)
    assert restored.predict(lines) == engine.predict(lines)
    assert restored.sample_count == engine.sample_count


def test_a_model_of_another_engine_version_is_refused():
    payload = pickle.dumps((ENGINE_VERSION + "-old", train([])))
    with pytest.raises(EngineVersionMismatch):
        loads(payload)


def test_a_new_supplier_is_coded_by_its_text():
    engine = train(telecom_history())
    [prediction] = engine.predict([Line("never-seen", "Device purchase Galaxy S25")])
    assert prediction[ACCOUNT][0].label == "1210"
