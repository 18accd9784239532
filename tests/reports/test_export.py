"""Writing files all or nothing, and safe names for personal copies."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mappa_desktop import files  # where the atomic writer lives
from mappa_desktop.files import write_atomically
from mappa_desktop.operations import file_names
from mappa_desktop.operations.file_names import copy_file_name, safe_file_part


def test_write_creates_the_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "minutes.pdf"
    write_atomically(target, b"%PDF-1.4 new")
    assert target.read_bytes() == b"%PDF-1.4 new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["minutes.pdf"]  # no temporary file left


def test_replacing_keeps_the_old_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "minutes.pdf"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failure_mid_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "minutes.pdf"
    target.write_bytes(b"the issued copy")
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd: int) -> None:  # the disk fills up after part of the data is written
        calls.append(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"x" * 1_000_000)
    monkeypatch.setattr(files.os, "fsync", real_fsync)
    assert calls
    assert target.read_bytes() == b"the issued copy"
    assert [p.name for p in tmp_path.iterdir()] == ["minutes.pdf"]


def test_a_failing_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "minutes.pdf"

    def failing_replace(_src: object, _dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(PermissionError):
        write_atomically(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_in_another_process_never_shows_a_partial_file(
    tmp_path: Path,
) -> None:
    """Kill a writer mid-way: the target holds the old content, never a prefix of the new."""
    import subprocess
    import sys

    target = tmp_path / "minutes.pdf"
    target.write_bytes(b"old")
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from mappa_desktop import files\n"
        "real = os.fsync\n"
        "def stop(fd):\n"
        "    os._exit(3)  # the power goes off after the data, before the rename\n"
        "files.os.fsync = stop\n"
        f"files.write_atomically(Path({str(target)!r}), b'n' * 5_000_000)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True)
    assert done.returncode == 3, done.stderr
    assert target.read_bytes() == b"old"


def test_write_to_a_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "nope" / "minutes.pdf", b"data")


def test_file_names_for_copies_keep_letters_and_drop_path_characters() -> None:
    assert copy_file_name("2025-03-04", 12, 3, "Zoë Ångström (Probation)") == (
        "MAPPA minutes 2025-03-04 meeting 12 - copy 03 - Zoë Ångström (Probation).pdf"
    )
    assert safe_file_part('a/b\\c:d*e?f"g<h>i|j') == "a b c d e f g h i j"
    assert safe_file_part("../..") == "recipient"
    assert safe_file_part("محمد العلي") == "محمد العلي"
    assert len(safe_file_part("x" * 500)) == file_names.MAX_NAME
