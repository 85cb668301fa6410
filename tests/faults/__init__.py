"""Fault, load and hostile-input scenarios: ``pytest -m faults`` runs them alone."""
