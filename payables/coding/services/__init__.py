"""The coding app's writes, one module per topic."""
