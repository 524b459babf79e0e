"""``python -m symcollapse``: the command line (see :mod:`symcollapse.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
