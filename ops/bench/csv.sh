#!/usr/bin/env bash
# CSV benchmark: generates a customer file (1,000,000 rows by default, with quoted separators, doubled quotes and
# quoted line breaks) and streams it through the CSV tokenizer alone and through the full customer-file reader,
# printing rows/s and peak resident memory. No database. Extra arguments go to `accord-bench csv`
# (e.g. --rows 200000, or --file PATH to read an existing file).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

swift build -c release --product accord-bench >/dev/null
.build/release/accord-bench csv "$@"
