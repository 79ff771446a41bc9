"""Learned coding suggestions, a pure engine: booked lines in, ranked labels out; no Django.

engine = train(examples)                    # Example(Line(...), {"account": "6010", …})
engine.predict([Line(...)])                 # [{"account": [Suggestion("6010", 0.93), …]}]
loads(engine.dumps())                       # bytes to store and read back
"""

from __future__ import annotations

from payables.coding.learning.engine import (
    ENGINE_VERSION,
    CodingEngine,
    EngineVersionMismatch,
    Options,
    Prediction,
    loads,
    train,
)
from payables.coding.learning.examples import (
    ACCOUNT,
    DIMENSION_PREFIX,
    VAT_CODE,
    Example,
    Line,
    Suggestion,
    dimension_target,
)

__all__ = [
    "ACCOUNT",
    "DIMENSION_PREFIX",
    "ENGINE_VERSION",
    "VAT_CODE",
    "CodingEngine",
    "EngineVersionMismatch",
    "Example",
    "Line",
    "Options",
    "Prediction",
    "Suggestion",
    "dimension_target",
    "loads",
    "train",
]
