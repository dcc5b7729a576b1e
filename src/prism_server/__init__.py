"""A small PRISM-compatible server for tests and offline rehearsal."""
