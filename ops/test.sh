#!/usr/bin/env bash
# Runs every test against a real, throwaway PostgreSQL. This is the README's test command and what CI runs.
#
# It installs what is missing (as root, with apt-get: PostgreSQL, libpq headers, pkg-config), starts a
# cluster in a temporary directory (unix socket only), builds, runs `swift test`, stops the cluster, and
# exits with the tests' status. Extra arguments go to `swift test` (e.g. --filter EventStoreTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/lib/environment.sh

ensure_build_dependencies
ensure_swift

cluster=$(make_cluster_dir)
cleanup() {
    ops/postgres.sh stop "$cluster/pg" || true
    rm -rf "$cluster"
}
trap cleanup EXIT

export DATABASE_URL
DATABASE_URL=$(ops/postgres.sh start "$cluster/pg")
echo "ops/test.sh: PostgreSQL running at $DATABASE_URL"

swift build --build-tests
set +e
swift test --skip-build "$@"
status=$?
set -e
echo "ops/test.sh: swift test exited with $status"
exit $status
