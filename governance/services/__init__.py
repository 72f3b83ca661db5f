"""Writes of the governance app, one module per part of the charter."""
