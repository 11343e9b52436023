#!/bin/sh
# SPDX-License-Identifier: MIT
# ensure-packages.sh PKG...: install the Debian packages that are missing, or say what to run.
# Used by every Makefile target so that a fresh Debian 12 machine needs nothing by hand.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "weft needs these Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh image may have no package lists yet: update once, only when the install needs it.
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null
} || { echo "apt-get install failed for:$missing" >&2; exit 1; }
