"""Backups: ``payables backup DIR`` and ``payables restore DIR``.

A backup folder holds the database (SQLite's online backup, or ``pg_dump -Fc``), every
stored file, and ``manifest.json`` (written last) with the migration state and each file's
SHA-256, which a restore checks before it changes anything.
"""
