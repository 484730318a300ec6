#!/usr/bin/env bash
# Encoding benchmark: the event payloads Accord writes most (observations and links) encoded to JSON text by
# StreamingJSONEncoder, which Accord uses for payloads and projection rows, and by Foundation's JSONEncoder as the
# baseline in the same run; prints payloads/s for each and their ratio. No database. Extra arguments go to
# `accord-bench encode` (e.g. --payloads 50000, --rounds 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

swift build -c release --product accord-bench >/dev/null
.build/release/accord-bench encode "$@"
