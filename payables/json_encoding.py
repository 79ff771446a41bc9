"""How payables writes JSON: Decimals as strings, timestamps to the microsecond."""

from __future__ import annotations

from datetime import datetime

from ninja.responses import NinjaJSONEncoder


class PreciseJSONEncoder(NinjaJSONEncoder):
    """Write timestamps to the microsecond, as stored.

    Django's encoder cuts them to milliseconds; a client sending an answer's
    ``modified_at`` back as ``modified_after`` would then get that record again.
    """

    def default(self, o: object) -> object:
        if isinstance(o, datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)
