"""Matching invoices to purchase orders: the pure engine and its tolerances."""
