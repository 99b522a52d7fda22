#!/usr/bin/env bash
# GNU gettext: makemessages/compilemessages, and the test that the English catalogue
# holds every msgid the source marks (pingan/web/tests/test_english.py).
set -euo pipefail
if command -v xgettext >/dev/null 2>&1 && command -v msgmerge >/dev/null 2>&1; then
  exit 0
fi
echo "Installing gettext from Debian's packages..."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gettext >/dev/null
command -v xgettext >/dev/null || { echo "ERROR: gettext could not be installed" >&2; exit 1; }
