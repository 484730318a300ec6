#!/usr/bin/env bash
# Import benchmark: generates a customer file (1,000,000 rows by default: `;`-separated with a BOM, quoted names,
# doubled quotes, quoted multi-line addresses, 1% bad rows) in a temporary directory, reads it with the
# customer-file reader alone (the baseline), then imports it with `CustomerImporter` into a fresh, durable
# (fsync on) throwaway cluster, and prints rows/s for both, their ratio, and the peak resident memory of the
# importing process (ru_maxrss). The generated file is deleted afterwards. Extra arguments go to
# `accord-bench import` (e.g. --rows 200000, --chunk-size 2000).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

start_bench_cluster --durable
url=$BENCH_URL
.build/release/accord-bench import --database-url "$url" "$@"
