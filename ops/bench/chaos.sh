#!/usr/bin/env bash
# The proof (issue 9): seeded, model-based convergence runs. Each seed generates a script of Stripe edits
# (create, update, clear, delete), an accountant's edits in e-conomic (mapped and unmapped fields), match-field
# and mapping changes, sandbox faults (429, 5xx, dropped responses, latency), kill -9 of the process and graceful
# restarts with the webhook off, and carries it out against a whole Accord process (release build) on a fresh
# database, a fresh e-conomic sandbox and its own localstripe. After quiescence it checks both systems and the
# read models against its own record, and prints one line per seed and the totals: seeds run, operations, faults
# injected, kills, duplicates, lost edits, divergent fields, ... and the first failing seed with the command that
# replays it. Exits 1 when any seed found something.
#
#   bash ops/bench/chaos.sh                      200 seeds (1…200) of 40 operations
#   bash ops/bench/chaos.sh --seeds 20           20 seeds
#   bash ops/bench/chaos.sh --seed 17 --operations 40 --verbose    replay one seed, logging every operation
#   bash ops/bench/chaos.sh --evidence /tmp/chaos      keep each failing seed's event log (seed-N.events.tsv)
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift
ensure_python_tools

start_bench_cluster
url=$BENCH_URL
.build/release/accord-bench chaos --database-url "$url" --python "$ACCORD_PYTHON" --localstripe-script "$PWD/ops/localstripe.py" "$@"
