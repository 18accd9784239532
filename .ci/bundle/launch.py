"""The bundle's entry point: the same program as the ``mappa-desktop`` command."""

import sys

from mappa_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
