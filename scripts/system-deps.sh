#!/usr/bin/env bash
# Debian packages the sandbox, the HTML report, the PostgreSQL store and the cluster tests need. Installs them when we are root
# and they are missing; otherwise says what to install and goes on (the tests that need them
# say so when they skip).
set -euo pipefail
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
# The PostgreSQL store's tests start a real server from Debian's binaries in a temporary folder.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
# The cluster tests keep a local Ray cluster on loopback inside a network namespace of their own.
command -v ip >/dev/null 2>&1 || need+=(iproute2)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "showdown: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need[@]}" >/dev/null
  }
else
  echo "showdown: please install ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
fi
