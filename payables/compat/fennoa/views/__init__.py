"""The Fennoa-compatible endpoints, one module per topic."""
