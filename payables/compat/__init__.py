"""The vendors' own APIs, served by payables: thin adapters over the services.

One package per vendor, each mounted under its own prefix (``/compat/<vendor>/``; the
external upsert at its literal path under ``/api/v1``). They parse the vendor's shapes,
authorise, call the same services as the native API and answer in the vendor's envelope;
no business rule lives here.
"""
