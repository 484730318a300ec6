#!/usr/bin/env bash
# The edge under abuse: 200 signed Stripe webhooks/s for 60 s (by default) against a whole Accord process (rate
# limits on with their defaults) next to an in-process e-conomic sandbox; p50/p99 of each delivery answered
# (sent → 200) and recorded (sent → the customer's observation in the log), nothing lost; then the same with a
# concurrent flood of 2,000 forged webhooks/s and 2,000 bad-key API requests/s: the legitimate p99s against the run
# without the flood (ratios) and the workers' lag. The tenant creates partners by hand: this measures the edge and
# the workers taking deliveries in (ops/bench/sync.sh measures Stripe → e-conomic); also printed, the deliveries the
# inbox recorded per second during each run. The signed deliveries go over connections of their own, as Stripe's do,
# the flood over others. Setup makes 2 × rate × duration customers in localstripe first (a few minutes at the defaults).
# Loopback only; every sender is bounded in count, rate and time. Fresh, durable (fsync on) throwaway PostgreSQL
# and a fresh localstripe. Extra arguments go to `accord-bench webhooks` (e.g. --duration 10 --rate 100
# --flood-rate 500).
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift
ensure_python_tools

start_bench_cluster --durable
stripe=$(ops/localstripe.sh start "$BENCH_CLUSTER/localstripe")
# As in a deployment: migrated as the owner role, Accord running as the runtime login role.
"$(swift build -c release --product accord-bench --show-bin-path)/accord-bench" webhooks \
    --owner-url "$(ops/postgres.sh url "$BENCH_CLUSTER/pg" owner)" --database-url "$(ops/postgres.sh url "$BENCH_CLUSTER/pg" runtime)" \
    --stripe-api-base "$stripe" "$@"
