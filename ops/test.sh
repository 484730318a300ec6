#!/usr/bin/env bash
# Runs every test against a real, throwaway PostgreSQL and a throwaway localstripe (Stripe emulator). This is
# the README's test command and what CI runs.
#
# It installs what is missing (as root, with apt-get: PostgreSQL, libpq headers, pkg-config; with pip, into
# ops/.venv: localstripe and the `stripe` package), starts a cluster in a temporary directory (unix socket
# only) and localstripe on 127.0.0.1 (STRIPE_API_BASE; ACCORD_PYTHON is the venv's python, with which each
# end-to-end and chaos run starts a localstripe of its own: localstripe posts every event to every configured
# webhook, so runs sharing one would see each other's customers), builds, runs
# `swift test`, stops both, and exits with the tests' status. Extra arguments go to `swift test`
# (e.g. --filter EventStoreTests).
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
timeout --signal=ABRT 40m swift test --skip-build "$@"
status=$?
set -e
echo "ops/test.sh: swift test exited with $status"
exit $status
