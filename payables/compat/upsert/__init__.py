"""The external invoice upsert at its literal path (see README: "Moving from …")."""
