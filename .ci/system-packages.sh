#!/bin/sh
# The Debian packages mappa-desktop needs (README "Set up", and .ci/run). Installs only what is
# missing, as root or through sudo; when everything is present it needs neither, so an ordinary
# user can run it too.
#   sh .ci/system-packages.sh              the app: Python's venv, Qt's libraries, fonts
#   sh .ci/system-packages.sh --dev        and what the tests use (pdftotext, qpdf,
#                                          desktop-file-validate)
#   sh .ci/system-packages.sh [--dev] PKG  and these packages too
set -eu

# Qt needs libEGL, libGL, xkbcommon, fontconfig, freetype, D-Bus, GLib and X11 even offscreen;
# the xcb libraries draw real windows; fonts-noto-cjk shows Chinese, Japanese and Korean names.
runtime="python3 python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
  libfreetype6 libdbus-1-3 libglib2.0-0 libx11-6 libx11-xcb1 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0
  libxcb-sync1 libxcb-xkb1 libxcb-shm0 libxcb-render0 libxcb-util1 libxcb-glx0
  fonts-dejavu-core fonts-noto-core fonts-noto-cjk"
dev="poppler-utils qpdf desktop-file-utils"

packages=$runtime
if [ "${1:-}" = "--dev" ]; then
  packages="$packages $dev"
  shift
fi
packages="$packages $*"

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system packages: this script is for Debian or Ubuntu (apt); install the equivalents of:" \
    $packages >&2
  exit 1
fi
missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii'; then
    missing="$missing $package"
  fi
done
if [ -z "$missing" ]; then
  echo "system packages: all present"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "system packages: missing:$missing. There is no sudo here: ask an administrator to run," \
    "as root: apt-get install --no-install-recommends$missing" >&2
  exit 1
fi
echo "system packages: installing$missing"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# $missing is split into package names on purpose (no quotes).
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  $missing >/dev/null
