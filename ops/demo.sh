#!/usr/bin/env bash
# The demo: a full sync on embedded defaults. Starts a throwaway PostgreSQL and localstripe (Stripe emulator)
# in a temporary directory, then `accord demo`, which runs the local e-conomic sandbox, sets up tenant "demo",
# creates demo customers, runs Accord (API, web UI, webhooks, projectors, reactor, outbound worker) and prints
# what happened. Runs until Ctrl-C; everything is removed afterwards. Extra arguments go to `accord demo`
# (e.g. --port 9090).
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/lib/environment.sh

ensure_build_dependencies
ensure_swift
ensure_python_tools

echo "ops/demo.sh: building accord (the first build takes a few minutes)…"
swift build --product accord
accord=$(swift build --product accord --show-bin-path)/accord

workdir=$(make_cluster_dir)
cleanup() {
    ops/localstripe.sh stop "$workdir/localstripe" >/dev/null 2>&1 || true
    ops/postgres.sh stop "$workdir/pg" >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

export DATABASE_URL STRIPE_API_BASE
ops/postgres.sh start "$workdir/pg" >/dev/null
STRIPE_API_BASE=$(ops/localstripe.sh start "$workdir/localstripe")
# As in a deployment: the owner role migrates, and Accord runs as the login role that is only a member of the
# runtime roles (db/README.md).
DATABASE_URL=$(ops/postgres.sh url "$workdir/pg" owner) "$accord" migrate
DATABASE_URL=$(ops/postgres.sh url "$workdir/pg" runtime)
echo "ops/demo.sh: PostgreSQL at $DATABASE_URL"
echo "ops/demo.sh: localstripe at $STRIPE_API_BASE"
echo "ops/demo.sh: to use the CLI from another shell:  export DATABASE_URL='$DATABASE_URL'"

# Not exec: the trap must run after Ctrl-C stops accord.
"$accord" demo "$@"
