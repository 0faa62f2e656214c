#!/usr/bin/env bash
# Browser tests (tests/test_web_ui.py): Debian's chromium and the Python playwright driver.
# Never `playwright install`: it downloads a browser build, which these machines refuse.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
.venv/bin/pip install --quiet playwright fastapi uvicorn httpx
