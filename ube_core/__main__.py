"""``python -m ube_core <command>``: the command line (see ``ube_core.cli``)."""

from __future__ import annotations

import sys

from ube_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
