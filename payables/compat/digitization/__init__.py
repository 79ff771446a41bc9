"""The digitization-compatible API (see README: "Moving from …")."""
