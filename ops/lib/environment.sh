# Shared by ops/*.sh: make sure the machine has what Accord needs to build, test and run.
# Sourced, not executed.

# Debian packages needed to build and to run the throwaway PostgreSQL.
ensure_build_dependencies() {
    local missing=()
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
        missing+=(postgresql)
    fi
    id postgres >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ] || missing+=(postgresql)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "ops: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        # Debian's package starts a system cluster; ours is separate, so leave that one alone.
    else
        echo "ops: missing ${missing[*]}; install them (e.g. sudo apt-get install ${missing[*]})" >&2
        return 1
    fi
}

# Puts the Swift toolchain on PATH when it is installed in /opt/swift but not on PATH.
ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        for candidate in /opt/swift/usr/bin /opt/swift/bin /usr/share/swift/usr/bin; do
            if [ -x "$candidate/swift" ]; then
                export PATH="$candidate:$PATH"
                break
            fi
        done
    fi
    command -v swift >/dev/null 2>&1 || { echo "ops: no Swift toolchain found (need Swift 6.1 or later)" >&2; return 1; }
}

# A fresh directory for a throwaway cluster that the postgres user can reach when we run as root.
make_cluster_dir() {
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/accord.XXXXXX")
    chmod 0755 "$dir"
    echo "$dir"
}

# The Python tools the tests use: localstripe (a stateful Stripe emulator that sends signed webhooks) and the
# official `stripe` package (its WebhookSignature.generate_signature_header makes reference webhook headers).
# Creates the venv ops/.venv (gitignored) when missing, installs the pinned versions from PyPI when they
# are not already there, and exports ACCORD_PYTHON (the venv's python).
ACCORD_LOCALSTRIPE_VERSION=1.15.10
ACCORD_STRIPE_PYTHON_VERSION=16.1.0
# The testing tools run from outside (ops/schemathesis.sh, ops/browser-tests.sh): schemathesis against the
# OpenAPI document, selenium driving Debian's chromium, pytest, axe-core 4.9 (bundled by selenium-axe-python) and
# openapi-spec-validator. Pinned; selenium 4.51 is the newest whose certifi requirement PyPI here can meet.
ACCORD_OUTSIDE_TEST_TOOLS=(schemathesis==4.32.5 selenium==4.51.0 pytest==9.2.0 selenium-axe-python==2.2.0 openapi-spec-validator==0.9.0)
ensure_python_tools() {
    local root venv python
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    venv="$root/ops/.venv"
    python=$(command -v python3 || true)
    [ -n "$python" ] || { echo "ops: python3 not found (install Debian's python3 and python3-venv)" >&2; return 1; }
    if [ ! -x "$venv/bin/python" ]; then
        if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
            rm -rf "$venv"
            if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
                echo "ops: installing python3-venv"
                export DEBIAN_FRONTEND=noninteractive
                apt-get update -qq
                apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
                "$python" -m venv "$venv" || { rm -rf "$venv"; return 1; }
            else
                echo "ops: 'python3 -m venv' failed; install python3-venv (e.g. sudo apt-get install python3-venv)" >&2
                return 1
            fi
        fi
    fi
    if ! "$venv/bin/python" - "$ACCORD_LOCALSTRIPE_VERSION" "$ACCORD_STRIPE_PYTHON_VERSION" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
sys.exit(0 if (version("localstripe"), version("stripe")) == (sys.argv[1], sys.argv[2]) else 1)
PY
    then
        echo "ops: installing localstripe==$ACCORD_LOCALSTRIPE_VERSION stripe==$ACCORD_STRIPE_PYTHON_VERSION into ops/.venv"
        "$venv/bin/python" -m pip install -q "localstripe==$ACCORD_LOCALSTRIPE_VERSION" "stripe==$ACCORD_STRIPE_PYTHON_VERSION" \
            || { echo "ops: pip could not install the Python test tools" >&2; return 1; }
    fi
    if ! "$venv/bin/python" - "${ACCORD_OUTSIDE_TEST_TOOLS[@]}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
sys.exit(0 if all(version(name) == pinned for name, pinned in (tool.split("==") for tool in sys.argv[1:])) else 1)
PY
    then
        echo "ops: installing ${ACCORD_OUTSIDE_TEST_TOOLS[*]} into ops/.venv"
        "$venv/bin/python" -m pip install -q "${ACCORD_OUTSIDE_TEST_TOOLS[@]}" \
            || { echo "ops: pip could not install the outside test tools" >&2; return 1; }
    fi
    export ACCORD_PYTHON="$venv/bin/python"
}

# For ops/bench/*.sh: builds accord-bench in release and starts a throwaway cluster, stopped and removed when the
# script exits (with ops/localstripe.sh's, if one was started in "$BENCH_CLUSTER/localstripe"). Sets BENCH_CLUSTER
# and BENCH_URL. Extra arguments go to ops/postgres.sh start (--durable: fsync on, what appends and rebuilds measure).
start_bench_cluster() {
    swift build -c release --product accord-bench >/dev/null
    BENCH_CLUSTER=$(make_cluster_dir)
    trap 'ops/localstripe.sh stop "$BENCH_CLUSTER/localstripe" >/dev/null 2>&1 || true; ops/postgres.sh stop "$BENCH_CLUSTER/pg" || true; rm -rf "$BENCH_CLUSTER"' EXIT
    BENCH_URL=$(ops/postgres.sh start "$BENCH_CLUSTER/pg" "$@")
}

# Debian's chromium and chromium-driver for ops/browser-tests.sh (selenium drives them; a browser download cannot
# work here). Installed with apt-get when missing, as root.
ensure_chromium() {
    command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "ops: installing chromium chromium-driver"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    else
        echo "ops: chromium and chromedriver are missing; install them (e.g. sudo apt-get install chromium chromium-driver)" >&2
        return 1
    fi
}
