# Shared by ops/schemathesis.sh and ops/browser-tests.sh (sourced, not executed): a live Accord to test from
# outside, as `accord demo` sets it up — its own throwaway PostgreSQL and localstripe in a directory, the
# e-conomic sandbox in-process, tenant "demo" with its settings, connections, an API key and an admin, demo customers on
# both sides, and `accord serve`'s services (API, pages, webhooks, projectors, reactor, outbound worker) on a free
# port. Each run gets its own cluster and localstripe: localstripe posts every event to every webhook it knows.
#
#   start_accord_demo DIR ACCORD_BINARY   waits until the demo has settled and its report names the API key; then
#                                         exports ACCORD_URL, ACCORD_API_KEY, ACCORD_ADMIN_EMAIL, ACCORD_ADMIN_PASSWORD,
#                                         ACCORD_SANDBOX_URL, STRIPE_API_BASE,
#                                         DATABASE_URL (of the demo's database) and ACCORD_BINARY (for the CLI); its
#                                         output is in DIR/demo.log
#   stop_accord_demo DIR                  stops Accord, localstripe and PostgreSQL (safe to call twice)
#   run_against_accord_demo ARTIFACTS COMMAND…
#                                         the whole of a test from outside: installs what is missing, builds
#                                         accord, empties ARTIFACTS, starts the demo, runs COMMAND, keeps the demo's
#                                         log in ARTIFACTS and stops everything; exits with COMMAND's status

start_accord_demo() {
    local dir=$1 accord=$2 log
    log="$dir/demo.log"
    DATABASE_URL=$(ops/postgres.sh start "$dir/pg")
    STRIPE_API_BASE=$(ops/localstripe.sh start "$dir/localstripe")
    ACCORD_BINARY=$accord
    export DATABASE_URL STRIPE_API_BASE ACCORD_BINARY
    "$accord" demo --port 0 >"$log" 2>&1 </dev/null &
    echo $! >"$dir/demo.pid"
    # The demo reports once the sync has settled (at most 120 s), and prints the API key last.
    local waited=0
    until grep -q '^ *API key  *ak_' "$log" 2>/dev/null; do
        if ! kill -0 "$(cat "$dir/demo.pid")" 2>/dev/null || [ $waited -ge 600 ]; then
            echo "ops: accord demo did not come up; its output ($log):" >&2
            tail -n 40 "$log" >&2 || true
            return 1
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    ACCORD_URL=$(sed -n 's|^ *Web UI  *\(http://[^ ]*\)/ui .*|\1|p' "$log" | head -n 1)
    ACCORD_API_KEY=$(sed -n 's|^ *API key  *\(ak_[^ ]*\).*|\1|p' "$log" | head -n 1)
    ACCORD_SANDBOX_URL=$(sed -n 's|^e-conomic sandbox at \(http://[^:]*:[0-9]*\):.*|\1|p' "$log" | head -n 1)
    ACCORD_ADMIN_EMAIL=$(sed -n 's|^ *Web UI  *http://[^ ]* — log in as \([^ ]*\) .*|\1|p' "$log" | head -n 1)
    ACCORD_ADMIN_PASSWORD=$(sed -n 's|^ *Password  *\([^ ]*\)$|\1|p' "$log" | head -n 1)
    export ACCORD_URL ACCORD_API_KEY ACCORD_SANDBOX_URL ACCORD_ADMIN_EMAIL ACCORD_ADMIN_PASSWORD
    [ -n "$ACCORD_URL" ] && [ -n "$ACCORD_API_KEY" ] && [ -n "$ACCORD_SANDBOX_URL" ] || {
        echo "ops: could not read Accord's URL, API key and sandbox URL from $log" >&2
        return 1
    }
}

stop_accord_demo() {
    local dir=$1 pid
    if [ -s "$dir/demo.pid" ]; then
        pid=$(cat "$dir/demo.pid")
        kill -INT "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$dir/demo.pid"
    fi
    ops/localstripe.sh stop "$dir/localstripe" >/dev/null 2>&1 || true
    ops/postgres.sh stop "$dir/pg" >/dev/null 2>&1 || true
}

run_against_accord_demo() {
    local artifacts=$1 accord
    shift
    ensure_build_dependencies
    ensure_swift
    ensure_python_tools
    swift build --product accord >/dev/null
    accord="$(swift build --show-bin-path)/accord"
    rm -rf "$artifacts" && mkdir -p "$artifacts"
    ACCORD_DEMO_DIR=$(make_cluster_dir)
    ACCORD_ARTIFACTS_DIR=$artifacts
    trap 'stop_accord_demo "$ACCORD_DEMO_DIR"; cp "$ACCORD_DEMO_DIR/demo.log" "$ACCORD_ARTIFACTS_DIR/" 2>/dev/null || true; rm -rf "$ACCORD_DEMO_DIR"' EXIT
    start_accord_demo "$ACCORD_DEMO_DIR" "$accord"
    echo "ops: accord demo at $ACCORD_URL"
    "$@"
}
