#!/usr/bin/env bash
# `make test-future` moves the clock of the test processes (and of the Chromium they start)
# with libfaketime from Debian's faketime package. Prints the library's path.
set -euo pipefail
find_lib() { ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n1; }
if [ -z "$(find_lib)" ]; then
  echo "Installing faketime from Debian's packages..." >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq faketime >/dev/null
fi
lib="$(find_lib)"
[ -n "$lib" ] || { echo "ERROR: libfaketime could not be installed" >&2; exit 1; }
echo "$lib"
