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
