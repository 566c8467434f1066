#!/usr/bin/env bash
# The hosted-page tests drive Debian's Chromium through playwright-core (never a browser
# download). Installs it when it is missing and this machine can (root with apt-get).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
[ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[rebill] installing Debian's chromium for the browser tests…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "[rebill] chromium is missing: install Debian's chromium package (or set CHROMIUM_PATH) for the browser tests" >&2
fi
