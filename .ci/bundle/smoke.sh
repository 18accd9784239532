#!/usr/bin/env bash
# Smoke test of the self-contained bundle: build it (.ci/bundle/build.sh), then run it the way a
# machine with no Python would: a clean environment (env -i, PATH=/usr/bin:/bin, no venv, a temp
# HOME), Qt offscreen. Checks that the app opens on demo data and stays up, and that the bundled
# command line makes a minutes PDF (`demo`, `minutes`) that the bundled `verify` accepts, and
# refuses once a byte of it is changed; and, with a PostgreSQL server at 127.0.0.1:5432, that
# the bundled driver migrates and reads a database there.
#   .ci/bundle/smoke.sh              build, then test
#   .ci/bundle/smoke.sh --no-build   test the bundle already built
# (MAPPA_BUNDLE_DIR and MAPPA_BUNDLE_VENV are passed on to build.sh.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${MAPPA_BUNDLE_DIR:-$root/build/bundle}
ready_deadline_s=${MAPPA_SMOKE_DEADLINE_S:-300}  # bounds a hang; the test waits for a condition
if [ "${1:-}" != "--no-build" ]; then
  "$root/.ci/bundle/build.sh"
fi
app="$out/dist/mappa-desktop/mappa-desktop"
test -x "$app" || { echo "smoke: no bundle at $app"; exit 1; }

tmp=$(mktemp -d)
gui_pid=""
cleanup() {
  if [ -n "$gui_pid" ] && kill -0 "$gui_pid" 2>/dev/null; then kill "$gui_pid"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/home"
clean() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" QT_QPA_PLATFORM=offscreen "$@"; }
fail() { echo "smoke: FAIL: $1"; shift; for f in "$@"; do [ -f "$f" ] && tail -n 20 "$f"; done; exit 1; }

echo "smoke: the bundle runs with no Python: $(clean "$app" --version)"

# 1. The app opens on the demo database (the bundled migrations create it) and stays up.
log="$tmp/home/.local/state/mappa-desktop/log/mappa-desktop.log"
demo_db="$tmp/home/.local/share/mappa-desktop/mappa-demo.sqlite3"
start=$(date +%s)
# Not through clean(): a backgrounded function is a subshell, and $! would be the subshell's
# PID, not the app's (the app then outlived the test).
env -i PATH=/usr/bin:/bin HOME="$tmp/home" QT_QPA_PLATFORM=offscreen "$app" --demo \
  >"$tmp/gui.out" 2>&1 &
gui_pid=$!
until grep -q "demo data ready" "$log" 2>/dev/null; do
  kill -0 "$gui_pid" 2>/dev/null || fail "the app exited before the demo data was ready" "$tmp/gui.out" "$log"
  [ $(( $(date +%s) - start )) -lt "$ready_deadline_s" ] || fail "no 'demo data ready' within ${ready_deadline_s}s" "$tmp/gui.out" "$log"
  sleep 0.5
done
cases=$(clean "$app" cases --database "sqlite:///$demo_db" --json | grep -o '"id":' | wc -l)
[ "$cases" -gt 0 ] || fail "the demo database has no cases"
kill -0 "$gui_pid" 2>/dev/null || fail "the app exited after loading the demo data" "$tmp/gui.out" "$log"
grep -q "Traceback" "$tmp/gui.out" "$log" && fail "a traceback was logged" "$tmp/gui.out" "$log"
echo "smoke: the app opened on demo data ($cases cases) in $(( $(date +%s) - start ))s and stayed up"
kill "$gui_pid"
wait "$gui_pid" 2>/dev/null || true
kill -0 "$gui_pid" 2>/dev/null && fail "the app did not stop when asked to (SIGTERM)"
gui_pid=""

# 2. The command line: demo, minutes (fonts from the bundle), verify.
db="sqlite:///$tmp/cli.sqlite3"
clean "$app" demo --cases 50 --database "$db" >/dev/null
clean "$app" minutes 1 -o "$tmp/minutes.pdf" --database "$db"
grep -aq "DejaVuSans" "$tmp/minutes.pdf" || fail "the minutes PDF does not embed the bundled DejaVu font"
clean "$app" verify "$tmp/minutes.pdf" --database "$db" | tee "$tmp/verify.out"
grep -q "Genuine" "$tmp/verify.out" || fail "verify did not call the minutes genuine"
cp "$tmp/minutes.pdf" "$tmp/changed.pdf"
printf 'X' | dd of="$tmp/changed.pdf" bs=1 seek=1500 conv=notrunc status=none
if clean "$app" verify "$tmp/changed.pdf" --database "$db" >"$tmp/changed.out" 2>&1; then
  fail "verify accepted a changed file" "$tmp/changed.out"
fi
echo "smoke: verify refuses a changed file: $(head -n 1 "$tmp/changed.out")"

# 3. PostgreSQL through the bundled driver, when a server is at hand (CI has one).
if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_db="mappa_bundle_smoke_$$"
  createdb -h 127.0.0.1 -U postgres "$pg_db"
  pg_url="postgresql+psycopg://postgres@127.0.0.1:5432/$pg_db"
  pg_ok=0
  clean "$app" migrate --database "$pg_url" >/dev/null && clean "$app" cases --database "$pg_url" \
    >/dev/null && pg_ok=1
  dropdb -h 127.0.0.1 -U postgres "$pg_db"
  [ "$pg_ok" = 1 ] || fail "the bundle could not migrate and read a PostgreSQL database"
  echo "smoke: the bundle migrates and reads a PostgreSQL database"
else
  echo "smoke: no PostgreSQL server at 127.0.0.1:5432: its check is skipped"
fi

# 4. The resources the installed app reads are in the bundle.
for f in resources/icons/mappa-desktop-256.png resources/guide/user-guide.md \
  resources/fonts/DejaVuSans.ttf mappa_desktop/db/migrations/env.py; do
  test -f "$out/dist/mappa-desktop/_internal/$f" || fail "the bundle lacks $f"
done
echo "smoke: OK ($(du -sh "$out/dist/mappa-desktop" | cut -f1), $(find "$out/dist/mappa-desktop" -type f | wc -l) files)"
