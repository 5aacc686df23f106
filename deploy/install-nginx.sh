#!/usr/bin/env bash
# Installs Debian's nginx if it is missing (for `make stack` and CI's stack tests), without leaving
# the distribution's default site running: the stack starts its own nginx with its own config.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "nginx is missing: run 'sudo apt-get install nginx' (or this script as root)." >&2
  exit 1
fi
# Keep the package's post-install from starting the default site on port 80 (policy-rc.d is how
# Debian lets an installer say "do not start services"); remove that guard again afterwards.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  guard=/usr/sbin/policy-rc.d
fi
trap 'if [ -n "$guard" ]; then rm -f "$guard"; fi' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
echo "installed $(/usr/sbin/nginx -v 2>&1)"
