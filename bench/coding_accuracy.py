"""Coding accuracy: top-1 accuracy of the learned suggestions against the supplier baseline.

A history of booked lines comes from ``bench/coding_history.py`` (documented there;
seeded, so the figures repeat). It is split in time: the model trains on the earlier
80 % and is tested on the later 20 %, as it would be used. For the account, the VAT code
and each dimension (an empty dimension counts: predicting "no project" right is right)
it prints the share of test lines whose top suggestion is the booked value:

* **baseline**: the supplier's most frequent coding in the training part (the company's
  most frequent for a supplier never seen), what a "copy the last coding" feature does;
* **model**: ``payables.coding.learning`` with its default options;

their difference in percentage points and the share of the baseline's errors the model
avoids; the same on the lines of suppliers first seen in the test part; the training time
and the prediction rate. ``--blends`` also compares the text model's weight against the
supplier baseline (1.0: the text model alone). Prints figures only; asserts nothing.

    python bench/coding_accuracy.py [--count 20000] [--seed 7] [--suppliers 150] [--blends 1,0.85]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from coding_history import BookedLine, generate  # noqa: E402

from payables.coding.learning import (  # noqa: E402
    ACCOUNT,
    VAT_CODE,
    Example,
    Line,
    Options,
    Prediction,
    dimension_target,
    train,
)

DIMENSION_TYPES = ("department", "cost_centre", "project")
TARGETS = (ACCOUNT, VAT_CODE, *(dimension_target(t) for t in DIMENSION_TYPES))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="booked lines generated")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed")
    parser.add_argument("--suppliers", type=int, default=150, help="suppliers generated")
    parser.add_argument(
        "--blends", default="", help="also try these text-model weights, e.g. 1,0.7,0.5"
    )
    return parser.parse_args(argv)


def example(booked: BookedLine) -> Example:
    return Example.booked(
        to_line(booked),
        account=booked.account,
        vat_code=booked.vat_code,
        dimensions=booked.dimensions,
        dimension_types=DIMENSION_TYPES,
    )


def to_line(booked: BookedLine) -> Line:
    return Line(booked.supplier, booked.text, booked.amount, booked.currency, booked.item_code)


def accuracy(predictions: list[Prediction], truth: list[Example], target: str) -> float:
    right = 0
    for prediction, known in zip(predictions, truth, strict=True):
        ranked = prediction.get(target, [])
        right += bool(ranked) and ranked[0].label == known.labels[target]
    return right / len(truth) if truth else float("nan")


def report(title: str, baseline: list, model: list, truth: list[Example]) -> None:
    print(f"\n{title} ({len(truth):,} lines)")
    print(
        f"  {'target':<22} {'baseline':>9} {'model':>9} {'difference':>11} {'errors avoided':>15}"
    )
    for target in TARGETS:
        base, mine = accuracy(baseline, truth, target), accuracy(model, truth, target)
        avoided = (mine - base) / (1 - base) if base < 1 else 0.0
        print(
            f"  {target:<22} {base:>9.1%} {mine:>9.1%} {(mine - base) * 100:>+9.1f}pp "
            f"{avoided:>14.0%}"
        )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    started = time.perf_counter()
    history = generate(options.count, seed=options.seed, suppliers=options.suppliers)
    generated = time.perf_counter() - started
    cut = int(len(history) * 0.8)
    train_part, test_part = history[:cut], history[cut:]
    known = {line.supplier for line in train_part}
    print(
        f"history: {len(history):,} lines of {len({h.supplier for h in history})} suppliers, "
        f"{history[0].booked_on} to {history[-1].booked_on} (seed {options.seed}, "
        f"generated in {generated:.1f}s)"
    )
    print(
        f"train: {len(train_part):,} lines up to {train_part[-1].booked_on}; test: "
        f"{len(test_part):,} lines from {test_part[0].booked_on}, "
        f"{sum(h.supplier not in known for h in test_part):,} of them of "
        f"{len({h.supplier for h in test_part} - known)} new suppliers"
    )
    examples = [example(h) for h in train_part]
    truth = [example(h) for h in test_part]
    lines = [e.line for e in truth]

    started = time.perf_counter()
    engine = train(examples)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    model = engine.predict(lines)
    predicted = time.perf_counter() - started
    baseline = engine.predict_baseline(lines)
    payload = engine.dumps()

    report("all test lines", baseline, model, truth)
    new = [i for i, h in enumerate(test_part) if h.supplier not in known]
    pick = lambda rows: [rows[i] for i in new]  # noqa: E731
    report("lines of new suppliers", pick(baseline), pick(model), pick(truth))
    multi = _multi_account_rows(train_part, test_part)
    pick = lambda rows: [rows[i] for i in multi]  # noqa: E731
    report(
        "lines of known suppliers booked to several accounts",
        pick(baseline),
        pick(model),
        pick(truth),
    )

    print(
        f"\ntraining: {trained:.1f}s for {len(examples):,} lines ({len(engine.targets)} targets); "
        f"model {len(payload) / 1e6:.1f} MB serialised"
    )
    print(f"prediction: {len(lines) / predicted:,.0f} lines/s ({len(lines):,} lines in one call)")
    started = time.perf_counter()
    for line in lines[:200]:
        engine.predict([line])
    single = (time.perf_counter() - started) / 200
    print(f"one line at a time: {single * 1000:.1f} ms per line")

    for blend in [float(b) for b in options.blends.split(",") if b]:
        variant = train(examples, options=replace(Options(), blend=blend)).predict(lines)
        figures = ", ".join(
            f"{t.removeprefix('dimension:')} {accuracy(variant, truth, t):.1%}" for t in TARGETS
        )
        print(f"blend {blend:.2f}: {figures}")
    return 0


def _multi_account_rows(train_part: list[BookedLine], test_part: list[BookedLine]) -> list[int]:
    accounts: dict[str, set[str]] = {}
    for booked in train_part:
        accounts.setdefault(booked.supplier, set()).add(booked.account)
    return [i for i, h in enumerate(test_part) if len(accounts.get(h.supplier, ())) > 1]


if __name__ == "__main__":
    sys.exit(main())
