#!/usr/bin/env bash
# Replay benchmark: seeds a fresh, durable throwaway cluster with one tenant holding at least 1,000,000 domain events
# (the rebuild benchmark's seed, not measured), then — in a second process, so the peak memory is the replay's own —
# reads the tenant's events with a raw COPY (SELECT … WHERE tenant_id = … ORDER BY txid, global_position) TO STDOUT,
# replays the tenant's log under a proposed mapping with the same code as `accord replay`, and prints events/s, the
# ratio to the raw read, and peak memory. Pass --events N to change the size.
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

events=1000000
if [ "${1:-}" = "--events" ]; then events=$2; fi

start_bench_cluster --durable
url=$BENCH_URL
.build/release/accord-bench rebuild seed --database-url "$url" --events "$events" --tenants 1
.build/release/accord-bench replay --database-url "$url" --tenant tenant00
