#!/usr/bin/env bash
# Build the self-contained bundle: build/bundle/dist/mappa-desktop/mappa-desktop (one folder, runs
# without any Python installed). The build venv holds the runtime dependencies and PyInstaller
# only ('.[bundle]'), never the developer tools. Prints the build time and the bundle's size.
#   .ci/bundle/build.sh       a fresh build venv in build/bundle/venv (MAPPA_BUNDLE_DIR=DIR moves
#                             everything; PYTHON=python3.11 picks the Python)
#   MAPPA_BUNDLE_VENV=VENV .ci/bundle/build.sh    use VENV, a runtime-only install such as the
#                             one .ci/runtime-only.sh makes (PyInstaller is added to it)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${MAPPA_BUNDLE_DIR:-$root/build/bundle}
venv=${MAPPA_BUNDLE_VENV:-}
start=$(date +%s)

rm -rf "$out/work" "$out/dist"
mkdir -p "$out"
if [ -n "$venv" ]; then
  venv=$(cd "$venv" && pwd)
else
  venv="$out/venv"
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q "$root[bundle]" 2>&1 | grep -v "is ignored" || true
(cd "$out" && "$venv/bin/python" -c "import mappa_desktop, PyInstaller") # the install worked
installed=$(date +%s)

"$venv/bin/pyinstaller" --noconfirm --log-level WARN \
  --distpath "$out/dist" --workpath "$out/work" "$root/.ci/bundle/mappa-desktop.spec"
done_at=$(date +%s)

bundle="$out/dist/mappa-desktop"
test -x "$bundle/mappa-desktop"
printf 'bundle: %s\n' "$bundle"
printf 'build time: %ss (install %ss, PyInstaller %ss)\n' \
  "$((done_at - start))" "$((installed - start))" "$((done_at - installed))"
printf 'bundle size: %s on disk, %s files\n' "$(du -sh "$bundle" | cut -f1)" \
  "$(find "$bundle" -type f | wc -l)"
