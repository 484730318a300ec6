#!/usr/bin/env bash
# Runs every test against a real, throwaway PostgreSQL and a throwaway localstripe (Stripe emulator). This is
# the README's test command and what CI runs.
#
# It installs what is missing (as root, with apt-get: PostgreSQL, libpq headers, pkg-config; with pip, into
# ops/.venv: localstripe and the `stripe` package), starts a cluster in a temporary directory (unix socket
# only) and localstripe on 127.0.0.1 (STRIPE_API_BASE; ACCORD_PYTHON is the venv's python, with which each
# end-to-end and chaos run starts a localstripe of its own: localstripe posts every event to every configured
# webhook, so runs sharing one would see each other's customers), builds, runs
# `swift test`, then (on a whole run, or with ACCORD_OUTSIDE_TESTS=1) schemathesis against the OpenAPI document
# (ops/schemathesis.sh) and the browser tests (ops/browser-tests.sh), stops everything, and exits non-zero when
# any of them failed. Extra arguments go to `swift test` (e.g. --filter EventStoreTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/lib/environment.sh

ensure_build_dependencies
ensure_swift
ensure_python_tools

cluster=$(make_cluster_dir)
cleanup() {
    ops/localstripe.sh stop "$cluster/localstripe" || true
    ops/postgres.sh stop "$cluster/pg" || true
    rm -rf "$cluster"
}
trap cleanup EXIT

export DATABASE_URL
DATABASE_URL=$(ops/postgres.sh start "$cluster/pg")
echo "ops/test.sh: PostgreSQL running at $DATABASE_URL"

export STRIPE_API_BASE ACCORD_PYTHON
STRIPE_API_BASE=$(ops/localstripe.sh start "$cluster/localstripe")
echo "ops/test.sh: localstripe running at $STRIPE_API_BASE"

swift build --build-tests
set +e
# A hung test must never hang CI: every database-backed suite has a 5-minute limit, and the whole run is
# aborted after 40 minutes (SIGABRT makes the Swift runtime print every thread's backtrace).
# At most ACCORD_TEST_WIDTH (default 8) tests run at once: every database test starts its own Accord (pools, projectors,
# workers) on one shared cluster, and a reader of the log waits for the oldest transaction running anywhere in that
# cluster (the watermark), so hundreds of tests started at once on two cores starve each other into timeouts.
timeout --signal=ABRT 40m swift test --skip-build --experimental-maximum-parallelization-width "${ACCORD_TEST_WIDTH:-8}" "$@"
status=$?
echo "ops/test.sh: swift test exited with $status"
# From outside, on a whole run (not when narrowed with arguments, unless ACCORD_OUTSIDE_TESTS=1): the API against
# its OpenAPI document, and the pages in a real browser; each starts its own `accord demo`. Either failing fails
# the run.
if [ $# -eq 0 ] || [ "${ACCORD_OUTSIDE_TESTS:-}" = 1 ]; then
    timeout 20m bash ops/schemathesis.sh
    schemathesis_status=$?
    echo "ops/test.sh: schemathesis exited with $schemathesis_status"
    timeout 20m bash ops/browser-tests.sh
    browser_status=$?
    echo "ops/test.sh: browser tests exited with $browser_status"
    [ $status -ne 0 ] || [ $schemathesis_status -eq 0 ] || status=$schemathesis_status
    [ $status -ne 0 ] || [ $browser_status -eq 0 ] || status=$browser_status
fi
set -e
exit $status
