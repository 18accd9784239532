"""mappa-desktop core: domain rules, persistence, services and the command line.

This package never imports PySide6, ``ui`` or ``reports`` (except the composition root in
``__main__``/``cli``, which imports them lazily).
"""

__version__ = "0.1.0"
