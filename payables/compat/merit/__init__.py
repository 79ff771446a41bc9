"""The merit-compatible API (see README: "Moving from …")."""
