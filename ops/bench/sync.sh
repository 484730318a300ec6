#!/usr/bin/env bash
# End-to-end sync benchmark: 1,000 Stripe customers (by default) created in localstripe while a whole Accord
# process (webhook inbox, projectors, reactor, outbound worker) runs next to an in-process e-conomic sandbox;
# prints customers/s until every customer exists once in e-conomic with its number written back to Stripe,
# against two baselines from the same run: the same creates sent straight to the sandbox, and localstripe
# creating customers alone. Fresh, durable (fsync on) throwaway PostgreSQL and a fresh localstripe. localstripe sends
# its burst of deliveries on a connection each and never retries one the edge refused; the catch-up from its events
# list brings those every --catch-up-interval seconds (5 by default; accord serve: 60), and the run prints how many
# came each way, and where the outbound worker's time went (each step's count, mean, and slots kept busy).
# Rate limits toward e-conomic and Stripe are raised (--economic-rate, --stripe-rate; neither emulator has one).
# Extra arguments go to `accord-bench sync` (e.g. --customers 200, --concurrency 16).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift
ensure_python_tools

start_bench_cluster --durable
url=$BENCH_URL
stripe=$(ops/localstripe.sh start "$BENCH_CLUSTER/localstripe")
.build/release/accord-bench sync --database-url "$url" --stripe-api-base "$stripe" "$@"
