#!/usr/bin/env bash
# Initial-sync benchmark (issue 10): in a fresh, durable (fsync on) throwaway cluster, one tenant observes N e-conomic
# and N Stripe customers (100,000 each by default; half share an e-mail) through the command handler, with the
# projectors running; then the reactor starts, and it prints the time from all observed to all decided (links and
# partner creations requested), events and decisions per second, and the peak resident memory. With --tenants 10,
# nine more tenants each receive one new customer per second meanwhile, and it prints their p50/p99 observed ->
# decided latency. The baseline, same run: a smaller tenant of the same shape (--baseline-customers, 1,000 by
# default) decided one event at a time, and the ratio. Extra arguments go to `accord-bench initial-sync`
# (e.g. --customers 5000 --tenants 10 --batch-size 200).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

start_bench_cluster --durable
url=$BENCH_URL
.build/release/accord-bench initial-sync --database-url "$url" "$@"
