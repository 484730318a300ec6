#!/usr/bin/env bash
# What of the deployment can be checked on a machine without a container runtime (docs/deploy.md):
#   1. compose.yaml parses and wires what docs/deploy.md says (PostgreSQL, migrations as a one-off step that the
#      replicas wait for, two `accord serve` replicas with readiness checks, the sandbox);
#   2. the Containerfile's build step (its `swift build` line, run as written) and its start steps, outside a
#      container: `accord migrate`, then two `accord serve` replicas on one database and the sandbox, each asked
#      /health and /ready until ready, then stopped with SIGTERM (the Containerfile's STOPSIGNAL), which must end
#      them with exit status 0 within compose's stop_grace_period.
# It prints what it could not check. Run from anywhere: bash ops/deploy/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source ops/lib/environment.sh
ensure_build_dependencies
ensure_swift

echo "== compose.yaml"
python3 - ops/deploy/compose.yaml <<'PY'
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
expect = {"postgres", "migrate", "accord-1", "accord-2", "sandbox"}
assert set(services) == expect, f"services {sorted(services)} != {sorted(expect)}"
assert services["migrate"]["command"] == ["migrate"], "migrate runs accord migrate"
assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
for replica in ("accord-1", "accord-2"):
    s = services[replica]
    assert s["command"] == ["serve"], replica
    assert s["depends_on"]["migrate"]["condition"] == "service_completed_successfully", replica
    assert "/ready" in " ".join(s["healthcheck"]["test"]), replica
    env = s["environment"]
    for key in ("DATABASE_URL", "ACCORD_MASTER_KEY"):
        assert key in env, f"{replica} lacks {key}"
    assert "migrate" not in s["command"], "replicas never migrate"
assert services["sandbox"]["command"][:2] == ["sandbox", "economic"]
print("compose.yaml: 5 services; migrations once, before both replicas; readiness on /ready")
PY

echo "== Containerfile: build step"
build_line=$(sed -n 's/^RUN \(swift build .*\)$/\1/p' ops/deploy/Containerfile)
[ -n "$build_line" ] || { echo "no 'RUN swift build' line in the Containerfile" >&2; exit 1; }
echo "$ $build_line"
eval "$build_line" >/dev/null
binary=.build/release/accord
[ -x "$binary" ] || { echo "the build step made no $binary" >&2; exit 1; }

echo "== Containerfile: start steps (outside a container)"
cluster=$(make_cluster_dir)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    ops/postgres.sh stop "$cluster/pg" >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap cleanup EXIT
export DATABASE_URL=$(ops/postgres.sh start "$cluster/pg")
export ACCORD_MIGRATIONS_DIR="$PWD/db/migrations" ACCORD_HOST=127.0.0.1 ACCORD_LOG_FORMAT=json
export ACCORD_MASTER_KEY=$("$binary" master-key generate)
"$binary" migrate >/dev/null 2>"$cluster/migrate.log"
echo "migrate: done"
"$binary" sandbox economic --port 18089 2>"$cluster/sandbox.log" & pids+=($!)
ports=(18081 18082)
serve_pids=()
for port in "${ports[@]}"; do
    ACCORD_PORT=$port "$binary" serve 2>"$cluster/serve-$port.log" & serve_pids+=($!)
    pids+=($!)
done
for port in "${ports[@]}"; do
    ready=""
    for _ in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then ready=yes; break; fi
        sleep 0.5
    done
    [ -n "$ready" ] || { echo "replica on $port never became ready; its log:" >&2; tail -20 "$cluster/serve-$port.log" >&2; exit 1; }
    echo "replica :$port: $(curl -fsS "http://127.0.0.1:$port/health") $(curl -fsS "http://127.0.0.1:$port/ready")"
done
curl -fsS http://127.0.0.1:18089/_sandbox >/dev/null && echo "sandbox :18089: answers"
curl -fsS http://127.0.0.1:18081/metrics >"$cluster/metrics.txt"
python3 - ops/deploy/grafana-dashboard.json "$cluster/metrics.txt" <<'PY'
import json, re, sys
dashboard = json.load(open(sys.argv[1]))
exposed = open(sys.argv[2]).read()
used = sorted({re.sub(r"_bucket$", "", name) for p in dashboard["panels"] for t in p["targets"]
               for name in re.findall(r"\b(?:accord|http_server)_[a-z_]+", t["expr"])})
# Series that exist from the first scrape; the others appear once there is traffic of their kind.
always = {"accord_outbound_requests", "accord_outbound_oldest_due_seconds", "accord_inbox_backlog", "accord_db_pool_connections",
          "accord_db_pool_waiting", "http_server_requests_total", "http_server_request_duration_seconds"}
missing = [name for name in used if name in always and name not in exposed]
assert not missing, f"the dashboard uses metrics /metrics does not expose: {missing}"
print(f"grafana-dashboard.json: {len(used)} metrics used; {len([n for n in used if n in always])} checked in /metrics, "
      f"the others ({', '.join(n for n in used if n not in always)}) appear with traffic")
PY
grep -q '"level"' "$cluster/serve-18081.log" && echo "logs: JSON lines (ACCORD_LOG_FORMAT=json)"
for pid in "${serve_pids[@]}"; do
    kill -TERM "$pid"
    status=0
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then echo "replica $pid still running 30 s after SIGTERM" >&2; exit 1; fi
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || { echo "replica $pid exited with $status after SIGTERM" >&2; exit 1; }
done
echo "SIGTERM: both replicas stopped gracefully (exit 0)"

cat <<'NOTE'
== not checked here (no container runtime on this machine)
- the images themselves: the base images' tags, apt installs in them, --static-swift-stdlib inside swift:6.3-bookworm,
  COPY paths into the image, USER 10001, HEALTHCHECK and EXPOSE as a runtime applies them;
- compose's own behaviour: condition ordering, the named volume, port publishing, stop_grace_period, the
  ${ACCORD_MASTER_KEY:?} interpolation.
NOTE
