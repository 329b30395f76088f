"""Benchmarks of the mock and the suite, each a command: ``python -m bench.<name>``."""

__all__: list[str] = []
