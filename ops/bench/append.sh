#!/usr/bin/env bash
# Append benchmark, all in one run on one fresh, durable (fsync on) throwaway cluster:
# - a PGClient round trip (SELECT 1, no commit): the client's hops and libpq;
# - single-event appends with an expected version, 1 and 8 writers, one transaction each and with shared commits,
#   each as a ratio to a raw single-row INSERT-and-commit loop (same clients, rows and indexes, same PGClient) run in
#   alternating rounds with them (a neighbour's build slowing the machine weighs on all alike);
# - batched appends of 100,000 events in batches of 1,000 against a raw COPY of the same rows into an identical table.
# Where the time goes and the figures measured so far: docs/event-store.md.
# Extra arguments go to `accord-bench append` (e.g. --events 200000 --rounds 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

start_bench_cluster --durable
url=$BENCH_URL
.build/release/accord-bench append --database-url "$url" "$@"
