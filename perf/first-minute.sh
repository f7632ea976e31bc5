#!/usr/bin/env bash
# perf/first-minute.sh [--seconds S] [--rate N] [--reps R]: what an edge serves in the first minute after a (re)start,
# while the JIT compiles (issue 17 item 5). Defaults: 60 s at 1,000 req/s, 3 repetitions.
#
# Starts on 127.0.0.1 an nginx origin (1 worker, /1k, :18690) and, per repetition, a fresh `mecmesh run` as a static
# edge (one HTTP/1.1 listener :18693, admin :18694, one event loop; the compare.sh edge), pinned to CPU 0, the rest to
# CPU 1. As soon as /ready answers, h2load --h1 sends RATE req/s of GET /1k over 16 keep-alive connections for S
# seconds (latency from the actual send, per request in its --log-file), while the edge's CPU time is sampled every
# second from /proc. Per time window after the start of the load (0-1, 1-5, 5-10, 10-20, 20-30, 30-S s): achieved
# req/s, p50/p99/max and the edge's CPU per request, medians over the repetitions; the last window is the warm edge
# to compare with. Writes perf/results/first-minute.md, spliced into RESULTS.md (section "first-minute").
# Needs the built distribution (mvn -DskipTests package), nginx, h2load (nghttp2-client), taskset, curl, python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
perf=$(pwd)
mecmesh="$perf/../packaging/target/mecmesh/bin/mecmesh"
seconds=60 rate=1000 reps=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        *) echo "usage: perf/first-minute.sh [--seconds S] [--rate N] [--reps R]" >&2; exit 2 ;;
    esac
done
[[ -x "$mecmesh" ]] || { echo "first-minute.sh: build first: mvn -DskipTests package" >&2; exit 1; }
for tool in nginx h2load taskset curl python3; do
    command -v "$tool" > /dev/null || { echo "first-minute.sh: $tool is missing" >&2; exit 1; }
done
(( seconds >= 31 )) || { echo "first-minute.sh: --seconds must be at least 31 (the last window starts at 30 s)" >&2; exit 2; }
work=$(mktemp -d /tmp/mecmesh-first-minute.XXXXXX)
trap 'kill $(jobs -p) 2> /dev/null || true; [[ -f "$work/nginx.pid" ]] \
    && kill "$(cat "$work/nginx.pid" 2> /dev/null)" 2> /dev/null; rm -rf "$work" || true' EXIT
# shellcheck source=lib/edge-origin.sh
source "$perf/lib/edge-origin.sh"
write_edge_and_origin "$work" 18690 18693 18694 first-minute
taskset -c 1 nginx -p "$work/" -c "$work/nginx.conf" &
for _ in $(seq 100); do curl -fsS -o /dev/null http://127.0.0.1:18690/1k 2> /dev/null && break; sleep 0.1; done
rps=$(awk -v r="$rate" 'BEGIN {printf "%.3f", r / 16}')
ticks=$(getconf CLK_TCK)

for rep in $(seq "$reps"); do
    start_ns=$(date +%s%N)
    taskset -c 0 "$mecmesh" run --config "$work/edge.yaml" > "$work/edge-$rep.log" 2>&1 &
    edge=$!
    for _ in $(seq 600); do curl -fsS -o /dev/null http://127.0.0.1:18694/ready 2> /dev/null && break; sleep 0.02; done
    ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    pid=$(ss -ltnpH "sport = :18694" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [[ -n "$pid" ]] || { echo "first-minute.sh: the edge did not start: $(tail -5 "$work/edge-$rep.log")" >&2; exit 1; }
    taskset -c 1 h2load --h1 -c 16 --rps "$rps" -D "$seconds" --log-file "$work/h2load-$rep.log" \
        http://127.0.0.1:18693/1k > "$work/h2load-$rep.out" 2>&1 &
    load=$!
    # The edge's CPU time (utime + stime, clock ticks) once a second, with the wall time of the sample.
    : > "$work/cpu-$rep.tsv"
    while kill -0 "$load" 2> /dev/null; do
        printf '%s\t%s\n' "$(date +%s%N)" "$(awk '{print $14 + $15}' "/proc/$pid/stat")" >> "$work/cpu-$rep.tsv"
        sleep 1
    done
    wait "$load" || { echo "first-minute.sh: h2load failed: $(tail -5 "$work/h2load-$rep.out")" >&2; exit 1; }
    printf '%s\n' "$ready_ms" > "$work/ready-$rep.txt"
    kill -TERM "$edge" 2> /dev/null || true
    wait "$edge" || true
done

mkdir -p results
python3 - "$work" "$reps" "$seconds" "$rate" "$ticks" > results/first-minute.md <<'PY'
import statistics, sys, time, os
work, reps, seconds, rate, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
windows = [(0, 1), (1, 5), (5, 10), (10, 20), (20, 30), (30, seconds)]
def pct(values, p):
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float('nan')
rows = {w: [] for w in windows}
ready = []
for rep in range(1, reps + 1):
    ready.append(int(open(f'{work}/ready-{rep}.txt').read()))
    lines = [l.split() for l in open(f'{work}/h2load-{rep}.log') if l.strip()]
    reqs = [(int(s), int(code), int(d)) for s, code, d in lines]
    t0 = min(s for s, _, _ in reqs)
    cpu = [(int(t) // 1000, int(c)) for t, c in (l.split() for l in open(f'{work}/cpu-{rep}.tsv'))]
    cpu_t0 = cpu[0][0]
    def cpu_between(a, b):
        # CPU ticks between the samples nearest to a and b seconds after the first sample.
        def at(x):
            return min(cpu, key=lambda s: abs((s[0] - cpu_t0) / 1e6 - x))[1]
        return (at(b) - at(a)) / ticks
    for a, b in windows:
        inside = [r for r in reqs if a * 1e6 <= r[0] - t0 < b * 1e6]
        lat = sorted(d for _, code, d in inside)
        errors = sum(1 for _, code, _ in inside if code != 200)
        cpu_us = cpu_between(a, b) * 1e6 / len(inside) if inside and b - a >= 5 else float('nan')
        rows[(a, b)].append((len(inside) / (b - a), pct(lat, 50), pct(lat, 99), lat[-1] if lat else float('nan'), errors, cpu_us))
med = lambda xs: statistics.median(xs)
fmt = lambda us: f'{us / 1000:.1f}'
print('## The first minute after a start (issue 17 item 5)\n')
print(f'Generated by `perf/first-minute.sh --seconds {seconds} --rate {rate} --reps {reps}` '
      f'({time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}): rerun it rather than editing this section. Load average '
      f'{" ".join(open("/proc/loadavg").read().split()[:3])} at the end, on {os.cpu_count()} cores. A fresh static edge '
      f'(one HTTP/1.1 listener, one event loop, the class archive the launcher picks) loaded with {rate} req/s of 1 KiB '
      f'(h2load --h1, 16 connections, latency from the actual send) from the moment /ready answers; medians over '
      f'{reps} starts (exec to /ready: {", ".join(str(r) for r in ready)} ms). The last window is the warm edge. '
      'CPU per request only for windows of 5 s or more (sampled once a second).\n')
print('| window after the load starts | achieved req/s | p50 ms | p99 ms | max ms | errors | edge CPU µs/req |')
print('|---|---|---|---|---|---|---|')
for (a, b), values in rows.items():
    cols = list(zip(*values))
    cpu = med(cols[5])
    print(f'| {a}-{b} s | {med(cols[0]):,.0f} | {fmt(med(cols[1]))} | **{fmt(med(cols[2]))}** | {fmt(med(cols[3]))} | '
          f'{sum(cols[4])} | {"—" if cpu != cpu else f"{cpu:.0f}"} |')
PY
"$perf/bin/splice-results-section" RESULTS.md first-minute results/first-minute.md
cat results/first-minute.md
