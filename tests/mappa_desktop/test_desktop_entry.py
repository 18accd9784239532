"""``mappa-desktop desktop-entry``: the menu entry and icons land where freedesktop desktops look,
pass desktop-file-validate, start the program that wrote them, and go again with --uninstall."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from mappa_desktop import cli, desktop_entry

VALIDATOR = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(
    VALIDATOR is None, reason="desktop-file-validate (Debian desktop-file-utils) is not installed"
)


def validate(entry: Path) -> None:
    assert VALIDATOR is not None
    done = subprocess.run([VALIDATOR, str(entry)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def entry_values(entry: Path) -> dict[str, str]:
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_the_icon_is_shipped_as_svg_and_png_sizes_that_match_their_names() -> None:
    pngs = desktop_entry.app_icon_pngs()
    assert {16, 32, 48, 64, 128, 256, 512} <= set(pngs)
    for size, node in pngs.items():
        assert png_size(node.read_bytes()) == (size, size), node.name
    svg = Path(desktop_entry.__file__).parents[1] / "resources" / "icons" / "mappa-desktop.svg"
    assert b"<svg" in svg.read_bytes()


@needs_validator
def test_install_writes_a_valid_entry_and_the_icons_into_the_xdg_data_home(
    xdg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["desktop-entry"]) == 0
    entry = xdg / "applications" / "mappa-desktop.desktop"
    assert f"Installed the menu entry {entry}" in capsys.readouterr().out
    validate(entry)
    values = entry_values(entry)
    assert values["Icon"] == "mappa-desktop" and values["Type"] == "Application"
    # Run under pytest, the program is this Python with -m mappa_desktop.
    assert values["Exec"] == f"{sys.executable} -m mappa_desktop"
    assert "TryExec" not in values
    for size in desktop_entry.app_icon_pngs():
        icon = xdg / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "mappa-desktop.png"
        assert png_size(icon.read_bytes()) == (size, size)
    assert (xdg / "icons" / "hicolor" / "scalable" / "apps" / "mappa-desktop.svg").is_file()

    assert cli.main(["desktop-entry", "--uninstall"]) == 0
    assert "Removed the menu entry and icons (10 files)" in capsys.readouterr().out
    assert not [p for p in xdg.rglob("*") if p.is_file()]
    assert cli.main(["desktop-entry", "--uninstall"]) == 0
    assert "No mappa-desktop menu entry was installed" in capsys.readouterr().out


def test_installing_again_replaces_the_entry(xdg: Path) -> None:
    first = desktop_entry.install(xdg, ("/opt/old/mappa-desktop",))
    again = desktop_entry.install(xdg, ("/opt/new/mappa-desktop",))
    assert first.entry == again.entry
    assert entry_values(again.entry)["Exec"] == "/opt/new/mappa-desktop"


@pytest.mark.slow
def test_the_installed_command_writes_an_entry_that_starts_itself(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "mappa-desktop"
    if not script.is_file():
        pytest.skip(f"no installed mappa-desktop command beside {sys.executable}")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "MAPPA_HOME": str(tmp_path)}
    done = subprocess.run(
        [str(script), "desktop-entry"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    values = entry_values(tmp_path / "xdg" / "applications" / "mappa-desktop.desktop")
    assert values["Exec"] == values["TryExec"] == str(script)
    started = subprocess.run(
        [values["Exec"], "--version"], capture_output=True, text=True, env=env, timeout=120
    )
    assert started.returncode == 0 and started.stdout.startswith("mappa-desktop "), started


def test_program_command_is_the_bundle_the_script_or_python_m(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "mappa-desktop"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    bundle = tmp_path / "dist" / "mappa-desktop"
    assert desktop_entry.program_command(argv0="x", executable=str(bundle), frozen=True) == (
        str(bundle),
    )
    assert desktop_entry.program_command(
        argv0=str(script), executable="/usr/bin/python3", frozen=False
    ) == (str(script),)
    python_m = desktop_entry.program_command(
        argv0="/somewhere/pytest", executable="/venv/bin/python", frozen=False
    )
    assert python_m == ("/venv/bin/python", "-m", "mappa_desktop")


@needs_validator
def test_exec_quotes_paths_with_spaces_and_shell_characters(xdg: Path) -> None:
    awkward = "/opt/My Apps/50% $off\\v2/mappa-desktop"
    assert desktop_entry.exec_value([awkward]) == (
        '"/opt/My Apps/50%% \\\\$off\\\\\\\\v2/mappa-desktop"'
    )
    assert desktop_entry.exec_value(["/usr/bin/python3", "-m", "mappa_desktop"]) == (
        "/usr/bin/python3 -m mappa_desktop"
    )
    done = desktop_entry.install(xdg, (awkward,))
    validate(done.entry)


def test_an_unwritable_data_directory_is_one_line_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert cli.main(["desktop-entry"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: Cannot write "), err


def test_a_relative_xdg_data_home_is_ignored_as_the_specification_says(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert desktop_entry.data_home({"XDG_DATA_HOME": "relative", "HOME": str(home)}) == (
        home / ".local" / "share"
    )
    assert desktop_entry.data_home({"XDG_DATA_HOME": str(tmp_path), "HOME": str(home)}) == (
        tmp_path
    )
