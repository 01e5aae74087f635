#!/usr/bin/env bash
# Install Debian's chromium (for the browser tests of kg.visualise) and a CJK font (so
# screenshots show Chinese labels) when they are missing. Idempotent and quiet.
# Never runs `playwright install`: tests use executable_path=/usr/bin/chromium.
set -euo pipefail
pkgs=()
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  pkgs+=(fonts-wqy-microhei)
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "install-browser: installed ${pkgs[*]}"
