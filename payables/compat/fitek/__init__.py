"""Fitek's import APIs v3 at /compat/fitek/v3 (README: "Moving from Fitek"): credentials and
RequestId in the body, one answer envelope, each API over the native service it mirrors."""
