"""The desktop menu entry: ``mappa-desktop desktop-entry [--uninstall]``.

Writes a freedesktop.org desktop entry (``applications/mappa-desktop.desktop``) and the
application icon (``icons/hicolor/<size>/apps/mappa-desktop.png`` and ``scalable/...svg``) into
the user's data directory (``$XDG_DATA_HOME``, else ``~/.local/share``), so the app appears in
the desktop's menu and starts the program that wrote the entry: the bundle, or the
``mappa-desktop`` command of the environment it was installed into. Nothing here needs Qt.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.abc import Traversable
from pathlib import Path
from typing import TextIO

import resources
from mappa_desktop.domain.errors import MappaError, StorageError
from mappa_desktop.files import write_atomically

APP_ID = "mappa-desktop"
ENTRY_NAME = f"{APP_ID}.desktop"
ICON_PNG = re.compile(rf"^{re.escape(APP_ID)}-(\d+)\.png$")
# Characters that make an Exec argument need quoting (Desktop Entry Specification, "Exec key").
RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True, slots=True)
class Installed:
    entry: Path
    icons: tuple[Path, ...]
    command: tuple[str, ...]


def data_home(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME`` if set to an absolute path, else ``~/.local/share`` (XDG spec)."""
    configured = environ.get("XDG_DATA_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path(environ.get("HOME") or Path.home()) / ".local" / "share"


def program_command(
    *, argv0: str | None = None, executable: str | None = None, frozen: bool | None = None
) -> tuple[str, ...]:
    """How to start this same installation: the bundle's executable, the ``mappa-desktop``
    script being run, or this Python with ``-m mappa_desktop``."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if frozen:  # the PyInstaller bundle: its executable is the program
        return (str(Path(executable).absolute()),)
    script = Path(argv0) if argv0 else None
    if script is not None and script.name == APP_ID and script.is_file():
        return (str(script.absolute()),)  # not resolved: a pipx symlink survives upgrades
    return (str(Path(executable).absolute()), "-m", "mappa_desktop")


def _escape_string(value: str) -> str:
    """The general escapes of a desktop entry string value."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


def exec_value(command: Sequence[str]) -> str:
    """The ``Exec`` value for ``command``: each argument quoted where the specification asks,
    ``%`` doubled, then the string escapes applied (so a literal backslash becomes four)."""
    parts = []
    for argument in command:
        quoted = argument.replace("%", "%%")
        if any(ch in RESERVED for ch in argument):
            quoted = '"' + re.sub(r'(["`$\\])', r"\\\1", quoted) + '"'
        parts.append(quoted)
    return _escape_string(" ".join(parts))


def entry_text(command: Sequence[str]) -> str:
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=mappa-desktop",
        "GenericName=MAPPA panel records",
        "Comment=Cases, risk assessments, meetings and signed-off minutes for MAPPA Level 2 and "
        "3 panels",
        f"Exec={exec_value(command)}",
    ]
    if len(command) == 1:
        lines.append(f"TryExec={_escape_string(command[0])}")
    lines += [
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Office;",
        "Keywords=MAPPA;minutes;meeting;risk;panel;",
        f"StartupWMClass={APP_ID}",
        "StartupNotify=true",
    ]
    return "\n".join(lines) + "\n"


def _icon_targets(home: Path) -> list[tuple[bytes, Path]]:
    """Each shipped icon file and where it goes in the hicolor theme."""
    theme = home / "icons" / "hicolor"
    targets = [
        (
            resources.path("icons", f"{APP_ID}.svg").read_bytes(),
            theme / "scalable" / "apps" / f"{APP_ID}.svg",
        )
    ]
    for size, source in sorted(app_icon_pngs().items()):
        targets.append((source.read_bytes(), theme / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
    return targets


def app_icon_pngs() -> dict[int, Traversable]:
    """The application icon's PNG renderings by size (resources/icons/mappa-desktop-N.png)."""
    found = {}
    for node in resources.path("icons").iterdir():
        match = ICON_PNG.match(node.name)
        if match:
            found[int(match.group(1))] = node
    return found


def _check_platform() -> None:
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise MappaError(
            "Desktop menu entries are for Linux desktops; on Windows the installer adds the "
            "Start menu entry (see docs/windows-installer.md)."
        )


def install(home: Path, command: Sequence[str]) -> Installed:
    _check_platform()
    entry = home / "applications" / ENTRY_NAME
    written = []
    try:
        for data, target in _icon_targets(home):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
            target.chmod(0o644)
            written.append(target)
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(entry, entry_text(command).encode("utf-8"))
        entry.chmod(0o644)
    except OSError as exc:
        raise StorageError(f"Cannot write {exc.filename or home}: {exc.strerror or exc}.") from None
    return Installed(entry=entry, icons=tuple(written), command=tuple(command))


def uninstall(home: Path) -> list[Path]:
    """Remove the entry and the icons this command installs; returns what was removed."""
    _check_platform()
    removed = []
    for target in [home / "applications" / ENTRY_NAME] + [t for _, t in _icon_targets(home)]:
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StorageError(f"Cannot remove {target}: {exc.strerror or exc}.") from None
        removed.append(target)
    return removed


def run(args: argparse.Namespace, out: TextIO) -> int:
    home = data_home()
    if args.uninstall:
        removed = uninstall(home)
        out.write(
            f"Removed the menu entry and icons ({len(removed)} files) from {home}.\n"
            if removed
            else f"No mappa-desktop menu entry was installed in {home}.\n"
        )
        return 0
    done = install(home, program_command())
    out.write(
        f"Installed the menu entry {done.entry} (it starts {' '.join(done.command)}) and "
        f"{len(done.icons)} icons under {home / 'icons' / 'hicolor'}.\n"
    )
    return 0


def add_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``desktop-entry``: it needs no database."""
    parser = subparsers.add_parser(
        "desktop-entry",
        help="add mappa-desktop to the desktop's application menu (Linux)",
        description="Install a desktop menu entry and the application icon for this user "
        "(in $XDG_DATA_HOME, else ~/.local/share), starting this installation of "
        "mappa-desktop; --uninstall removes them.",
    )
    parser.add_argument(
        "--uninstall", action="store_true", help="remove the menu entry and the icons"
    )
    parser.set_defaults(run=run)
