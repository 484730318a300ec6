#!/usr/bin/env bash
# A throwaway localstripe (Stripe emulator) on 127.0.0.1, with its pid, port and log files in a directory.
#
#   ops/localstripe.sh start DIR   start it (on a free port), wait until it answers, print its base URL
#   ops/localstripe.sh stop DIR    stop it
#   ops/localstripe.sh url DIR     print the base URL (http://127.0.0.1:PORT)
#
# Needs the venv from ensure_python_tools (ops/lib/environment.sh); ACCORD_PYTHON may name its python.
# The emulator keeps its store in memory only (see ops/localstripe.py) and is never reachable from
# outside the machine.
set -euo pipefail

usage() { echo "usage: $0 start DIR | stop DIR | url DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
ops=$(cd "$(dirname "$0")" && pwd)
pid_file="$dir/localstripe.pid"
port_file="$dir/localstripe.port"
log_file="$dir/localstripe.log"

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

url() {
    [ -s "$port_file" ] || { echo "ops/localstripe.sh: not started in $dir" >&2; exit 1; }
    echo "http://127.0.0.1:$(cat "$port_file")"
}

case $command in
    start)
        if running; then
            echo "ops/localstripe.sh: already running in $dir" >&2
            url
            exit 0
        fi
        python=${ACCORD_PYTHON:-$ops/.venv/bin/python}
        [ -x "$python" ] || { echo "ops/localstripe.sh: no Python venv at $python (run ensure_python_tools from ops/lib/environment.sh)" >&2; exit 1; }
        rm -f "$port_file"
        nohup "$python" "$ops/localstripe.py" --port-file "$port_file" >"$log_file" 2>&1 </dev/null &
        echo $! >"$pid_file"
        for _ in $(seq 1 150); do
            if [ -s "$port_file" ] && ! running; then break; fi
            if [ -s "$port_file" ]; then
                base=$(url)
                # Any HTTP answer means it serves; an unauthenticated request gets 401.
                if "$python" -c 'import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/v1/customers", timeout=2)
except urllib.error.HTTPError:
    pass' "$base" 2>/dev/null; then
                    echo "$base"
                    exit 0
                fi
            fi
            running || break
            sleep 0.2
        done
        echo "ops/localstripe.sh: localstripe did not start; its log ($log_file):" >&2
        tail -n 30 "$log_file" >&2 || true
        exit 1
        ;;
    stop)
        if running; then
            pid=$(cat "$pid_file")
            kill "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pid_file" "$port_file"
        ;;
    url)
        url
        ;;
    *)
        usage
        ;;
esac
