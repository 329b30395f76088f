"""``python -m contract``: see :mod:`contract.cli`."""

from __future__ import annotations

import sys

from contract.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
