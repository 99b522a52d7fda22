#!/usr/bin/env bash
# The deploy test runs the shipped nginx site configuration in front of gunicorn
# (pingan/core/tests/test_deploy_proxy.py): nginx from Debian's packages, never started as
# a service here (the test runs its own, unprivileged, in a temporary folder).
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
echo "Installing nginx from Debian's packages..."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { echo "ERROR: nginx could not be installed" >&2; exit 1; }
