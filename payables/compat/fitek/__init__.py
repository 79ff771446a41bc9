"""The fitek-compatible API (see README: "Moving from …")."""
