#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing: the report test (test/report/browser.test.ts) opens the
# generated HTML in headless Chromium through playwright-core, which downloads no browser of its own.
# Run by `npm test` (the pretest hook) and by .ci/run. Needs root (or sudo) and Debian's apt mirrors.
# SADDLE_SKIP_CHROMIUM=1 skips the install (the browser test then fails, saying how to install it).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ] || [ "${SADDLE_SKIP_CHROMIUM:-}" = 1 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and there is no apt-get; install Chromium and set CHROMIUM_PATH" >&2
  exit 0 # not fatal here: the browser test reports it
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ensure-chromium: $CHROMIUM is missing; as root run: apt-get update && apt-get install -y --no-install-recommends chromium" >&2
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian's chromium (for the report's browser test) ..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
  echo "ensure-chromium: apt-get could not install chromium; the browser test will fail until it is installed" >&2
  exit 0
fi
if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "installed at $CHROMIUM")" >&2
else
  echo "ensure-chromium: chromium is installed but $CHROMIUM is not executable (CHROMIUM_PATH?)" >&2
fi
