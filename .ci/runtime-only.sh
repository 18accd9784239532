#!/usr/bin/env bash
# A user's install: the project with its runtime dependencies only, in a fresh venv. Checks that
# no developer tool came with it, that the command line works on demo data (--help, demo,
# cases), and that the installed package carries its user guide, icons and desktop entry.
#   .ci/runtime-only.sh [VENV]      (default: build/runtime-venv; removed and made again)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$root/build/runtime-venv}
start=$(date +%s)
rm -rf "$venv"
python3 -m venv "$venv"
venv=$(cd "$venv" && pwd)
"$venv/bin/pip" install -q "$root" 2>&1 | grep -v "is ignored" || true
echo "runtime-only: installed in $(( $(date +%s) - start ))s ($(du -sh "$venv" | cut -f1))"

dev_tools=$("$venv/bin/pip" list --format=freeze 2>/dev/null \
  | grep -i -E '^(pytest|pytest-qt|pytest-timeout|ruff|mypy|hypothesis|pypdf|import-linter|types-[a-z-]+|pyinstaller)==' \
  || true)
if [ -n "$dev_tools" ]; then
  echo "runtime-only: FAIL: developer tools in a runtime install:" $dev_tools
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"  # so that python -c imports the installed packages, not the checkout's
export MAPPA_HOME="$tmp/home" XDG_DATA_HOME="$tmp/xdg" QT_QPA_PLATFORM=offscreen
app="$venv/bin/mappa-desktop"
db="sqlite:///$tmp/demo.sqlite3"
"$app" --help >/dev/null
"$app" demo --cases 50 --database "$db" >/dev/null
cases=$("$app" cases --database "$db" --json | grep -c '"id":')
[ "$cases" = 50 ] || { echo "runtime-only: FAIL: 'cases' listed $cases cases, not 50"; exit 1; }
"$app" cases --database "$db" | head -n 3

"$venv/bin/python" -c "
from ui.dialogs.guide import guide_path
from mappa_desktop.desktop_entry import app_icon_pngs
path = guide_path()
assert path is not None and 'site-packages' in str(path), path
assert (path.parent / 'screenshots' / '01-case-list.png').is_file()
assert 256 in app_icon_pngs()
print('runtime-only: the user guide is shipped at', path)
"
"$app" desktop-entry
entry="$XDG_DATA_HOME/applications/mappa-desktop.desktop"
grep -qx "Exec=$app" "$entry" || { echo "runtime-only: FAIL: $entry does not start $app"; exit 1; }
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$entry"; fi
echo "runtime-only: OK in $(( $(date +%s) - start ))s (no developer tools; --help, demo, cases," \
  "guide, desktop entry)"
