#!/usr/bin/env bash
# Rebuild benchmark: seeds a fresh, durable throwaway cluster with at least 1,000,000 domain events (setup, not
# measured), then — in a second process, so the peak memory is the rebuild's own — reads every event with a raw
# COPY (SELECT … ORDER BY txid, global_position) TO STDOUT, rebuilds every projection from the first event
# with the same code as `accord rebuild`, and prints events/s, the ratio to the raw read, and peak memory.
# Pass --events N to change the size.
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

events=1000000
if [ "${1:-}" = "--events" ]; then events=$2; fi

start_bench_cluster --durable
url=$BENCH_URL
.build/release/accord-bench rebuild seed --database-url "$url" --events "$events"
.build/release/accord-bench rebuild run --database-url "$url"
