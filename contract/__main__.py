"""``python -m contract``: the compiler's command line, see :mod:`contract.compiler.cli`."""

from __future__ import annotations

import sys

from contract.compiler.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
