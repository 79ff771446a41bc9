"""The fennoa-compatible API (see README: "Moving from …")."""
