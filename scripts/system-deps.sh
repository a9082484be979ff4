#!/usr/bin/env bash
# Debian packages and browser drivers the test suite needs, installed when
# missing. Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }

# (each feature that needs a system package adds a `need` line here)
need chromium chromium  # entity pages in a real browser (tests/test_browser.py, via Playwright)
need virtuoso-t virtuoso-opensource  # a remote SPARQL store (tests/backends.py)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
