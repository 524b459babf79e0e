"""``python -m symcollapse``: the command line (see :mod:`symcollapse.presentation.cli`)."""

from symcollapse.presentation.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
