"""``mappa-desktop`` and ``python -m mappa_desktop``: the command line, or the app without a
command (see ``mappa_desktop.cli``)."""

from __future__ import annotations

import sys


def main() -> int:
    from mappa_desktop.cli import main as run

    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
