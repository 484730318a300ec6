#!/usr/bin/env bash
# The web pages in a real browser: Debian's chromium and chromium-driver (installed with apt-get when missing, as
# root) driven by selenium from pytest (ops/browser/: page objects in pages.py, set-up through the API and the
# outside systems in accord_client.py, axe-core's accessibility check in accessibility.py) against a live
# `accord demo` (ops/lib/accord-demo.sh). A screenshot of each page, axe's findings per page and the demo's log
# are kept in ops/artifacts/browser/ (gitignored). Run by ops/test.sh after `swift test`; alone:
# `bash ops/browser-tests.sh` (builds accord first); extra arguments go to pytest (e.g. -k settings).
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/lib/environment.sh
source ops/lib/accord-demo.sh

ensure_chromium
export ACCORD_BROWSER_ARTIFACTS="$PWD/ops/artifacts/browser"
run_pytest() { "$ACCORD_PYTHON" -m pytest ops/browser -p no:cacheprovider -q "$@"; }
run_against_accord_demo "$ACCORD_BROWSER_ARTIFACTS" run_pytest "$@"
