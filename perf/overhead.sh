#!/usr/bin/env bash
# perf/overhead.sh: CPU per request of one edge with a feature on against the same edge without it.
#   --feature qos        per-slice QoS configured (issue 13: "compare.sh's CPU per request with QoS configured is
#                        within 5 % of the same run without")
#   --feature accesslog  the access log on (issue 16 item 4: "overhead ... goal <= 5 % CPU per request"): its ring,
#                        its drain thread writing a Chronicle queue and the per-slice/per-route request metrics (the
#                        defaults of telemetry.requestMetrics), against an edge with telemetry.requestMetrics false
#                        and no accessLog (no ring, no thread)
#   --feature requestmetrics  the default edge (telemetry.requestMetrics true: the ring and its drain thread feeding
#                        the per-slice/per-route request metrics, nothing on disk) against the same bare edge
#   --feature c1         the default edge with the JIT stopped at C1 (-XX:TieredStopAtLevel=1: ~13 MB less RSS, no
#                        C2 compilations after a start; issue 17 items 4-5) against the same edge with C2: what
#                        the memory lever costs per request
#
# Starts on 127.0.0.1 (ports 18300-18302): io.mecmesh.perf.isolation.SaturatedBackend (:18300, 16 workers x 1 us) and
# `mecmesh run` as a static edge (admin :18301, listener :18302, eventLoopThreads 1), twice per repetition,
# alternating: "plain" (neither feature) and the feature's run. qos: dataplane.slices with one slice classifying the
# listener's traffic, MBRs of 10 Gbit/s each way and qos.requestsPerSecond 1,000,000 (every request passes classify,
# the admit stage's requests/s bucket and both byte buckets, none is limited). accesslog: an accessLog section (every
# exchange a ring record, drained into a Chronicle queue on disk). Load: mecmesh-loadgen open loop, HTTP/1.1, 1 KiB
# responses, --rate (default 5,000 req/s) over 32 connections, --warmup + --duration seconds. CPU: the appliance
# process's utime + stime (/proc/PID/stat, every thread: the access log's drain thread counts) over the measured
# window, divided by the requests completed in it. Prints one line per run and the medians.
# Build first: mvn -B -q -DskipTests package
set -euo pipefail
rate=5000 duration=15 warmup=5 reps=3 feature=qos
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rate) rate="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --feature) feature="$2"; shift 2 ;;
        --help|-h) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
case "$feature" in
    qos|accesslog|requestmetrics|c1) ;;
    *) echo "--feature: expected qos, accesslog, requestmetrics or c1, got '$feature'" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
perf_dir="$root/perf"
mecmesh_bin="$root/packaging/target/mecmesh/bin/mecmesh"
work="$(mktemp -d /tmp/mecmesh-overhead.XXXXXX)"
keep=false
log() { printf '[overhead %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
source "$perf_dir/lib/harness.sh"
[[ -x "$mecmesh_bin" ]] || { log "build first: mvn -B -q -DskipTests package"; exit 1; }

write_config()
{
    local kind="$1" file="$work/$1.yaml"
    : >"$file"
    if [[ "$kind" == plain && "$feature" != qos && "$feature" != c1 ]]; then
        # The bare data plane: no access-log ring at all (telemetry.requestMetrics, default true, attaches it).
        cat >>"$file" <<YAML
telemetry:
  requestMetrics: false
YAML
    fi
    if [[ "$kind" == accesslog ]]; then
        cat >>"$file" <<YAML
accessLog:
  enabled: true
  directory: $work/access-log-$kind
YAML
    fi
    cat >>"$file" <<YAML
role: edge
node: {id: bench, site: site-a, zone: zone-1}
dataDirectory: $work/data-$kind
admin: {address: 127.0.0.1, port: 18301}
dataplane:
  transport: auto
  eventLoopThreads: 1
  listeners:
    - {name: ingress, address: 127.0.0.1, port: 18302}
  clusters:
    - {name: backend, endpoints: ["127.0.0.1:18300"]}
  routes:
    - {name: all, host: "*", pathPrefix: /, cluster: backend}
YAML
    if [[ "$kind" == qos ]]; then
        cat >>"$file" <<YAML
  slices:
    - snssai: 1-000001
      name: embb
      fiveQi: 9
      bitRates: {mbrUplinkBps: 10000000000, mbrDownlinkBps: 10000000000}
      classification:
        - listener: ingress
      qos: {mode: police, requestsPerSecond: 1000000}
YAML
    fi
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_pid=
"$root/perf/bin/mecmesh-loadgen" --help >/dev/null
java -Xmx256m -cp "$perf_dir/target/classes:$perf_dir/target/lib/*" io.mecmesh.perf.isolation.SaturatedBackend \
    --port 18300 --workers 16 --service-us 1 >"$work/backend.out" 2>&1 &
started_pids+=("$!")
write_config plain
write_config "$feature"
ticks_per_s="$(getconf CLK_TCK)"
results=()
for ((rep = 1; rep <= reps; rep++)); do
    for kind in plain "$feature"; do
        jit_opts=""
        [[ "$kind" == c1 ]] && jit_opts="-XX:TieredStopAtLevel=1"
        MECMESH_JAVA_OPTS="$jit_opts" "$mecmesh_bin" run --config "$work/$kind.yaml" >"$work/$kind-$rep.out" 2>&1 &
        pid=$!
        started_pids+=("$pid")
        for _ in $(seq 60); do
            curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:18301/ready 2>/dev/null && break
            sleep 1
        done
        java_pid="$(pgrep -P "$pid" java || echo "$pid")"
        "$root/perf/bin/mecmesh-loadgen" --url http://127.0.0.1:18302/bytes/1024 --rate "$rate" --connections 32 \
            --duration "${warmup}s" --quiet --json "$work/warm.json" >/dev/null 2>&1 || true
        before="$(cpu_ticks "$java_pid")"
        "$root/perf/bin/mecmesh-loadgen" --url http://127.0.0.1:18302/bytes/1024 --rate "$rate" --connections 32 \
            --duration "${duration}s" --quiet --json "$work/$kind-$rep.json" >/dev/null
        after="$(cpu_ticks "$java_pid")"
        completed="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['requests']['completed'])" \
            "$work/$kind-$rep.json")"
        us="$(python3 -c "print(round(($after - $before) / $ticks_per_s * 1e6 / max(1, $completed), 1))")"
        slice_requests="$(curl -fsS http://127.0.0.1:18301/metrics | awk '/^mecmesh_slice_qos_requests_total\{outcome="admitted",slice="1-000001"/ {print $2}')"
        kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
        case "$kind" in
            qos) seen="admitted by QoS: ${slice_requests:-0}" ;;
            accesslog) seen="access-log records: $("$mecmesh_bin" logs --dir "$work/access-log-$kind" 2>/dev/null | wc -l)" ;;
            c1) seen="JIT stopped at C1" ;;
            *) seen="no feature" ;;
        esac
        echo "rep $rep $kind: $completed requests, ${us} us CPU per request ($seen)"
        results+=("$kind $us")
    done
done
printf '%s\n' "${results[@]}" | python3 -c "
import sys, statistics
runs = {}
for line in sys.stdin:
    kind, us = line.split(); runs.setdefault(kind, []).append(float(us))
feature = sys.argv[1]
plain, other = statistics.median(runs['plain']), statistics.median(runs[feature])
print(f'median CPU per request: plain {plain} us, {feature} {other} us, {feature}/plain {other / plain:.3f}')
" "$feature"
