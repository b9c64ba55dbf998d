"""What the tests share and are not tests: factories, checkers, and the fake API, clock and browser they
run against. Importable as `support.<module>` (pyproject.toml puts tests/ on the path)."""
