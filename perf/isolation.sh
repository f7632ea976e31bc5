#!/usr/bin/env bash
# perf/isolation.sh: QoS isolation between slices (issue 13, "What it must show"): URLLC at a fixed rate while eMBB
# floods the same, saturated upstream at 10 x its MBR; URLLC's p99 with and without the flood.
#
# Starts, all on 127.0.0.1 (ports 18200-18206):
#   backend   io.mecmesh.perf.isolation.SaturatedBackend :18200, 4 workers x 4 ms = 1,000 req/s, one FIFO queue
#             (above its capacity every request waits behind every earlier one, whatever its slice)
#   mecmesh   packaging/target/mecmesh/bin/mecmesh run, role all (control plane in process), eventLoopThreads 1,
#             admin :18201, listeners "urllc" :18202 and "embb" :18203, API :18204, Aeron :18205/:18206 (UDP)
# then applies a desired state with `mecmesh apply` (the static appliance.yaml has no slices): slice urllc (5QI 82,
# classified by listener urllc) and slice embb (5QI 9, MBR 8 Mbit/s each way, classified by listener embb), each
# with one service on the backend (paths /urllc/ and /embb/), no retries, 5 s request and per-try timeouts (so
# that waiting shows as latency, not as 504), 1 s connect timeout. Both services send at most 4 requests at a time
# per event loop to the backend (maxActiveRequestsPerLoop: 4, its worker count; one event loop; issue 13 item 9):
# having the same endpoint and limit, they share one limit and one priority wait queue in mecmesh, where eMBB
# (priority level 90) takes a slot only while no URLLC request (level 19) is active and then at most a quarter of
# them, so eMBB waits in mecmesh rather than in the backend's FIFO ahead of URLLC.
# Two runs, each --warmup + --duration seconds (default 5 + 20):
#   baseline  URLLC alone: mecmesh-loadgen open loop at --urllc-rate (500 req/s), 256-byte responses;
#   flood     the same URLLC load and, at the same time, eMBB at 10 x its MBR: 8 KiB responses at
#             10 x 8,000,000 / 8 / 8192 = 1,221 req/s (the backend then gets 1,721 req/s for 1,000 of capacity).
# Then io.mecmesh.perf.report.IsolationReport prints the table, writes perf/results/isolation.md and
# perf/results/isolation-latency.png, and the section goes into perf/RESULTS.md between markers (compare.sh keeps it).
# Raw data: perf/results/raw-isolation (the load generator's JSON and .hlog files, the configurations).
#
# Without per-slice enforcement in the data plane the flood run shows no isolation (URLLC queues behind eMBB at the
# backend): that is the baseline to compare the QoS work against. Runs are short on purpose (the machine is shared).
#
# Build first (from the repository root): mvn -B -q -DskipTests package   (fills packaging/target/mecmesh,
# perf/target/classes and perf/target/lib).
set -euo pipefail

usage()
{
    cat <<'EOF'
usage: perf/isolation.sh [--duration SECONDS] [--warmup SECONDS] [--urllc-rate N] [--note TEXT] [--keep]
       perf/isolation.sh --report-only [--note TEXT]

  --duration S     measured seconds per run (default 20)
  --warmup S       load-generator warm-up seconds per run, not measured (default 5)
  --urllc-rate N   URLLC requests per second (default 500)
  --note TEXT      a sentence for the report (e.g. what the data plane enforced in this run)
  --keep           keep the temporary directory (configurations, logs) and print its path
  --report-only    measure nothing: rewrite the section and the chart from perf/results/raw-isolation
  --help           this text
EOF
}

duration=20
warmup=5
urllc_rate=500
keep=false
note=""
report_only=false
command_line="perf/isolation.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --urllc-rate) urllc_rate="$2"; shift 2 ;;
        --note) note="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        --report-only) report_only=true; shift ;;
        --help|-h) usage; exit 0 ;;
        *) echo "isolation.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
for n in "$duration" "$warmup" "$urllc_rate"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "isolation.sh: expected a whole number, got \"$n\"" >&2; exit 2; }
done
((duration >= 1 && urllc_rate >= 1)) || { echo "isolation.sh: --duration and --urllc-rate must be at least 1" >&2; exit 2; }

perf_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(dirname "$perf_dir")"
mecmesh_bin="$root_dir/packaging/target/mecmesh/bin/mecmesh"
loadgen="$perf_dir/bin/mecmesh-loadgen"
results_dir="$perf_dir/results"
raw="$results_dir/raw-isolation"

backend_port=18200 admin_port=18201 urllc_port=18202 embb_port=18203 api_port=18204 config_port=18205 ack_port=18206
backend_workers=4 backend_service_us=4000
urllc_bytes=256 embb_bytes=8192 embb_mbr_bps=8000000
embb_rate=$((10 * embb_mbr_bps / 8 / embb_bytes))
urllc_connections=64 embb_connections=256

log() { printf '[isolation %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# report: the table, the chart and the RESULTS.md section from $raw (with --note, which replaces the recorded one).
report()
{
    if [[ -n "$note" ]]; then
        grep -v '^note=' "$raw/meta.properties" >"$raw/meta.properties.new" || true
        printf 'note=%s\n' "$note" >>"$raw/meta.properties.new"
        mv "$raw/meta.properties.new" "$raw/meta.properties"
    fi
    java -Djava.awt.headless=true -cp "$perf_dir/target/classes:$perf_dir/target/lib/*" \
        io.mecmesh.perf.report.IsolationReport --raw "$raw" --out "$results_dir/isolation.md" \
        --chart "$results_dir/isolation-latency.png"
    "$perf_dir/bin/splice-results-section" "$perf_dir/RESULTS.md" isolation "$results_dir/isolation.md"
    log "wrote $results_dir/isolation.md, $results_dir/isolation-latency.png and their section of $perf_dir/RESULTS.md"
}

[[ -f "$perf_dir/target/classes/io/mecmesh/perf/report/IsolationReport.class" && -d "$perf_dir/target/lib" ]] \
    || die "perf not built: run mvn -B -q -DskipTests package first"
if [[ "$report_only" == true ]]; then
    [[ -f "$raw/meta.properties" ]] || die "no $raw/meta.properties: run perf/isolation.sh first"
    report
    exit 0
fi
[[ -x "$mecmesh_bin" ]] || die "no $mecmesh_bin: run mvn -B -q -DskipTests package first"
command -v curl >/dev/null || die "needs curl"
for port in "$backend_port" "$admin_port" "$urllc_port" "$embb_port" "$api_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is in use"
    fi
done

work="$(mktemp -d /tmp/mecmesh-isolation.XXXXXX)"
# shellcheck source=lib/harness.sh
source "$perf_dir/lib/harness.sh"   # started_pids, cleanup on exit

# start NAME COMMAND...: starts a process in the background, its output in $work/NAME.out.
start()
{
    local name="$1"
    shift
    "$@" >"$work/$name.out" 2>&1 &
    started_pids+=("$!")
}

# wait_200 URL WHAT: until GET URL answers 200, at most 60 s.
wait_200()
{
    local deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || die "$2 not answering 200 at $1 in 60 s: $(tail -20 "$work"/*.out)"
        sleep 0.2
    done
}

cat >"$work/appliance.yaml" <<EOF
role: all
node: {id: edge-a, site: site-a, zone: zone-1}
dataDirectory: $work/data
admin: {address: 127.0.0.1, port: $admin_port}
controlPlane: {address: 127.0.0.1, api: {port: $api_port, insecureLoopback: true}, configPort: $config_port,
  ackPort: $ack_port}
dataplane:
  transport: auto
  eventLoopThreads: 1
  listeners:
    - {name: urllc, address: 127.0.0.1, port: $urllc_port}
    - {name: embb, address: 127.0.0.1, port: $embb_port}
EOF
cat >"$work/desired-state.yaml" <<EOF
slices:
  - {snssai: 2-000002, name: urllc, fiveQi: 82, classification: [{listener: urllc}]}
  - snssai: 1-000001
    name: embb
    fiveQi: 9
    bitRates: {mbrUplinkBps: $embb_mbr_bps, mbrDownlinkBps: $embb_mbr_bps}
    classification: [{listener: embb}]
services:
  - name: control
    slice: 2-000002
    endpoints: [{address: 127.0.0.1, port: $backend_port, site: site-a, zone: zone-1}]
    routes: [{host: "*", pathPrefix: /urllc/}]
    timeouts: {connectTimeoutMs: 1000, requestTimeoutMs: 5000, perTryTimeoutMs: 5000}
    retries: {maxRetries: 0}
    maxActiveRequestsPerLoop: 4
  - name: video
    slice: 1-000001
    endpoints: [{address: 127.0.0.1, port: $backend_port, site: site-a, zone: zone-1}]
    routes: [{host: "*", pathPrefix: /embb/}]
    timeouts: {connectTimeoutMs: 1000, requestTimeoutMs: 5000, perTryTimeoutMs: 5000}
    retries: {maxRetries: 0}
    maxActiveRequestsPerLoop: 4
nodes:
  - {id: edge-a, site: site-a, zone: zone-1, services: [control, video]}
EOF

log "starting the backend and mecmesh (work dir $work)"
start backend java -Xms64m -Xmx256m -cp "$perf_dir/target/classes:$perf_dir/target/lib/*" \
    io.mecmesh.perf.isolation.SaturatedBackend --port "$backend_port" --workers "$backend_workers" \
    --service-us "$backend_service_us"
start mecmesh "$mecmesh_bin" run --config "$work/appliance.yaml"
wait_200 "http://127.0.0.1:$admin_port/live" "mecmesh"
"$mecmesh_bin" apply -f "$work/desired-state.yaml" --server "http://127.0.0.1:$api_port" >"$work/apply.out" 2>&1 \
    || die "mecmesh apply failed: $(cat "$work/apply.out")"
wait_200 "http://127.0.0.1:$admin_port/ready" "mecmesh"
wait_200 "http://127.0.0.1:$urllc_port/urllc/bytes/$urllc_bytes" "the urllc route"
wait_200 "http://127.0.0.1:$embb_port/embb/bytes/$embb_bytes" "the embb route"

rm -rf "$raw"
mkdir -p "$raw" "$results_dir"
cp "$work/appliance.yaml" "$work/desired-state.yaml" "$raw/"
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
run_timeout=$((warmup + duration + 60))

# loadgen NAME PORT PATH RATE CONNECTIONS: one open-loop run into $raw/NAME.{json,hlog,out}.
loadgen()
{
    timeout "$run_timeout" "$loadgen" --url "http://127.0.0.1:$2$3" --rate "$4" --connections "$5" \
        --duration "${duration}s" --warmup "${warmup}s" --timeout 2s --quiet \
        --json "$raw/$1.json" --hlog "$raw/$1.hlog" >"$raw/$1.out" 2>&1
}

log "baseline: URLLC alone at $urllc_rate req/s for ${warmup}+${duration} s"
loadgen baseline-urllc "$urllc_port" "/urllc/bytes/$urllc_bytes" "$urllc_rate" "$urllc_connections" \
    || die "URLLC baseline failed: $(tail -5 "$raw/baseline-urllc.out")"

log "flood: URLLC at $urllc_rate req/s and eMBB at $embb_rate req/s (10 x its MBR) for ${warmup}+${duration} s"
loadgen flood-embb "$embb_port" "/embb/bytes/$embb_bytes" "$embb_rate" "$embb_connections" &
flood_pid=$!
loadgen flood-urllc "$urllc_port" "/urllc/bytes/$urllc_bytes" "$urllc_rate" "$urllc_connections" \
    || die "URLLC under the flood failed: $(tail -5 "$raw/flood-urllc.out")"
wait "$flood_pid" || die "the eMBB flood failed: $(tail -5 "$raw/flood-embb.out")"
curl -fsS "http://127.0.0.1:$admin_port/metrics" >"$raw/metrics.txt" 2>/dev/null || true

{
    echo "started=$started_at"
    echo "command=$command_line"
    echo "loadavg_start=$loadavg_start"
    echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "nproc=$(nproc)"
    echo "version=$("$mecmesh_bin" --version 2>/dev/null | head -1)"
    echo "commit=$(git -C "$root_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "event_loops=1"
    echo "duration=$duration"
    echo "warmup=$warmup"
    echo "urllc_rate=$urllc_rate"
    echo "urllc_bytes=$urllc_bytes"
    echo "embb_rate=$embb_rate"
    echo "embb_bytes=$embb_bytes"
    echo "embb_mbr_bps=$embb_mbr_bps"
    echo "backend_workers=$backend_workers"
    echo "backend_service_us=$backend_service_us"
    echo "backend_capacity=$((backend_workers * 1000000 / backend_service_us))"
} >"$raw/meta.properties"

report
