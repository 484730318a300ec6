#!/usr/bin/env bash
# Append benchmark: single-event appends with an expected version (1 and 8 writers), batched appends of
# 100,000 events in batches of 1,000, and a raw COPY of the same rows into an identical table, all in one
# run on one fresh, durable (fsync on) throwaway cluster. Prints rates and the batched/COPY ratio.
# Extra arguments go to `accord-bench append` (e.g. --events 200000).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

swift build -c release --product accord-bench >/dev/null
cluster=$(make_cluster_dir)
trap 'ops/postgres.sh stop "$cluster/pg" || true; rm -rf "$cluster"' EXIT
url=$(ops/postgres.sh start "$cluster/pg" --durable)
.build/release/accord-bench append --database-url "$url" "$@"
