"""The learned coding model: the supplier's usual coding, sharpened by a text model.

Per target (account, VAT code, each dimension type) two models are kept:

* the **supplier baseline**: how often the supplier's lines were coded with each label
  (the company's overall frequencies for a supplier never seen);
* the **text model**: a multinomial logistic regression over TF-IDF word (1-2) and
  character (2-5, within words) n-grams of the row text, with one-hot tokens for the
  supplier, currency, item code and amount size, and supplier-word pairs.

A prediction blends the two for known suppliers (``Options.blend`` is the text model's
weight; ``bench/coding_accuracy.py`` measures the choice) and is the text model's alone
for a new supplier. Training is deterministic; a model serialises to bytes with its
engine version, and a payload of another version is refused rather than misread.
"""

from __future__ import annotations

import pickle
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier

from payables.coding.learning.examples import Example, Line, Suggestion
from payables.coding.learning.features import line_tokens, normalise_text, split_tokens

ENGINE_VERSION = "1"
TOP = 3


class EngineVersionMismatch(ValueError):
    """The payload was written by another engine version: retrain."""


@dataclass(frozen=True)
class Options:
    """The engine's knobs; the defaults are what the bench chose."""

    blend: float = 0.85  # the text model's weight for known suppliers (1: text only)
    c: float = 10.0  # inverse regularisation of the logistic regression
    max_iter: int = 300
    classifier: str = "sgd"  # "sgd": log loss by stochastic gradient; "logistic": lbfgs
    alpha: float = 1e-4  # the SGD classifier's regularisation
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    max_char_features: int = 200_000


Prediction = dict[str, list[Suggestion]]


class _Featuriser:
    """Lines to one sparse matrix: word and character TF-IDF, and categorical tokens."""

    def __init__(self, options: Options) -> None:
        self.vectorisers: list[tuple[str, TfidfVectorizer | CountVectorizer | None]] = [
            (
                "text",
                TfidfVectorizer(
                    ngram_range=options.word_ngrams, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
                ),
            ),
            (
                "text",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=options.char_ngrams,
                    sublinear_tf=True,
                    max_features=options.max_char_features,
                ),
            ),
            ("tokens", CountVectorizer(analyzer=split_tokens, binary=True, lowercase=False)),
        ]

    @staticmethod
    def _inputs(lines: Sequence[Line]) -> dict[str, list[str]]:
        return {
            "text": [normalise_text(line.text) for line in lines],
            "tokens": [" ".join(line_tokens(line)) for line in lines],
        }

    def fit_transform(self, lines: Sequence[Line]) -> sparse.csr_matrix:
        inputs = self._inputs(lines)
        blocks = []
        for i, (source, vectoriser) in enumerate(self.vectorisers):
            try:
                blocks.append(vectoriser.fit_transform(inputs[source]))
            except ValueError:  # an empty vocabulary: no line had any text
                self.vectorisers[i] = (source, None)
        return sparse.hstack(blocks, format="csr")

    def transform(self, lines: Sequence[Line]) -> sparse.csr_matrix:
        inputs = self._inputs(lines)
        blocks = [v.transform(inputs[source]) for source, v in self.vectorisers if v is not None]
        return sparse.hstack(blocks, format="csr")


class _Target:
    """One target's baseline frequencies and text model (or its only label)."""

    def __init__(self, lines: Sequence[Line], labels: Sequence[str], features, options: Options):
        self.by_supplier: dict[str, Counter[str]] = defaultdict(Counter)
        for line, label in zip(lines, labels, strict=True):
            self.by_supplier[line.supplier][label] += 1
        self.by_supplier = dict(self.by_supplier)
        self.overall: Counter[str] = Counter(labels)
        self.classes: list[str] = sorted(self.overall)
        self.classifier: LogisticRegression | SGDClassifier | None = None
        if len(self.classes) > 1:
            self.classifier = _classifier(options)
            with warnings.catch_warnings():  # a few epochs short of the tolerance is fine
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.classifier.fit(features, labels)
            self.classes = [str(c) for c in self.classifier.classes_]

    def baseline(self, lines: Sequence[Line]) -> np.ndarray:
        """Each line's supplier frequencies (the overall ones for a new supplier)."""
        index = {label: i for i, label in enumerate(self.classes)}
        table = np.zeros((len(lines), len(self.classes)))
        for row, line in enumerate(lines):
            counts = self.by_supplier.get(line.supplier, self.overall)
            total = sum(counts.values())
            for label, count in counts.items():
                table[row, index[label]] = count / total
        return table

    def probabilities(self, lines: Sequence[Line], features, blend: float) -> np.ndarray:
        if self.classifier is None:
            return np.ones((len(lines), 1))
        text = self.classifier.predict_proba(features)
        known = np.array([line.supplier in self.by_supplier for line in lines])
        mixed = blend * text + (1 - blend) * self.baseline(lines)
        return np.where(known[:, None], mixed, text)


def _classifier(options: Options) -> LogisticRegression | SGDClassifier:
    if options.classifier == "logistic":
        return LogisticRegression(C=options.c, max_iter=options.max_iter, random_state=0)
    return SGDClassifier(
        loss="log_loss", alpha=options.alpha, max_iter=50, tol=1e-4, random_state=0
    )


class CodingEngine:
    """A trained model: ``predict`` lines, ``dumps`` to bytes (``loads`` reads them)."""

    def __init__(self, examples: Sequence[Example], options: Options) -> None:
        self.options = options
        self.sample_count = len(examples)
        self.targets: dict[str, _Target] = {}
        if not examples:
            return
        self.featuriser = _Featuriser(options)
        lines = [example.line for example in examples]
        features = self.featuriser.fit_transform(lines)
        names = sorted({name for example in examples for name in example.labels})
        for name in names:
            rows = [
                i for i, example in enumerate(examples) if _learns(name, example.labels.get(name))
            ]
            if rows:
                self.targets[name] = _Target(
                    [lines[i] for i in rows],
                    [examples[i].labels[name] for i in rows],
                    features[rows],
                    options,
                )

    def predict(self, lines: Sequence[Line], *, top: int = TOP) -> list[Prediction]:
        """Per line, per target, the ``top`` labels with their probabilities, likeliest first.

        The label ``""`` of a dimension target means "no value". Without examples the
        engine knows no targets and every prediction is empty.
        """
        if not lines or not self.targets:
            return [{} for _ in lines]
        features = self.featuriser.transform(lines)
        return self._rank(
            {
                name: target.probabilities(lines, features, self.options.blend)
                for name, target in self.targets.items()
            },
            len(lines),
            top,
        )

    def predict_baseline(self, lines: Sequence[Line], *, top: int = TOP) -> list[Prediction]:
        """The supplier baseline alone: what the text model is measured against."""
        return self._rank(
            {name: target.baseline(lines) for name, target in self.targets.items()},
            len(lines),
            top,
        )

    def _rank(self, tables: dict[str, np.ndarray], count: int, top: int) -> list[Prediction]:
        predictions: list[Prediction] = [{} for _ in range(count)]
        for name, table in tables.items():
            classes = self.targets[name].classes
            for row in range(count):
                ranked = sorted(
                    zip(classes, table[row].tolist(), strict=True), key=lambda c: (-c[1], c[0])
                )
                predictions[row][name] = [
                    Suggestion(label, round(p, 6)) for label, p in ranked[:top] if p > 0
                ]
        return predictions

    def dumps(self) -> bytes:
        """Serialise the model with its engine version."""
        return pickle.dumps((ENGINE_VERSION, self), protocol=pickle.HIGHEST_PROTOCOL)


def _learns(target: str, label: str | None) -> bool:
    """An uncoded account or VAT code teaches nothing; an empty dimension is "no value"."""
    if label is None:
        return False
    return bool(label) or target.startswith("dimension:")


def train(examples: Iterable[Example], *, options: Options | None = None) -> CodingEngine:
    """Train on booked lines (in any order: the result does not depend on it)."""
    ordered = sorted(
        examples,
        key=lambda e: (e.line.supplier, e.line.text, e.line.amount, sorted(e.labels.items())),
    )
    return CodingEngine(ordered, options or Options())


def loads(payload: bytes) -> CodingEngine:
    """Read a model ``CodingEngine.dumps`` wrote; only ever our own stored payloads.

    Raises ``EngineVersionMismatch`` for a model of another engine version.
    """
    version, engine = pickle.loads(payload)
    if version != ENGINE_VERSION or not isinstance(engine, CodingEngine):
        raise EngineVersionMismatch(f"The model was trained by engine {version!r}; retrain it.")
    return engine
