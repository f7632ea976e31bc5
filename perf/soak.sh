#!/usr/bin/env bash
# perf/soak.sh [--minutes M] [--rate N] [--churn PERCENT]: an edge under steady load for a long time, to show that
# nothing grows (issue 17 item 6). Defaults: 30 minutes at 5,000 req/s, 1 % of requests on a new connection.
#
# Starts on 127.0.0.1: an nginx origin (1 worker, /1k, :18580) and `mecmesh run` as a static edge (one listener :18583,
# admin :18584, one event loop, NMT summary, GC log), the edge pinned to CPU 0, the rest to CPU 1. Load:
# perf/bin/mecmesh-loadgen at RATE over 32 keep-alive connections, and h2load --h1 opening RATE x CHURN / 100 new
# connections a second, each sending one request and closing (the churn). Every 10 s it samples the edge's RSS and
# open file descriptors, every 60 s its native memory (jcmd VM.native_memory summary: heap committed, direct buffers =
# "Other", metaspace, ...), and from the GC log the heap after every collection. The slopes (least squares over the run
# after its first 2 minutes, per hour) go to perf/results/soak.md, spliced into RESULTS.md (section "soak"); the
# samples to perf/results/soak.tsv.
# Needs the built distribution (mvn -DskipTests package), nginx, h2load (nghttp2-client), taskset, python3, jcmd.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
perf=$(pwd)
mecmesh="$perf/../packaging/target/mecmesh/bin/mecmesh"
minutes=30 rate=5000 churn=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --churn) churn=$2; shift 2 ;;
        *) echo "usage: perf/soak.sh [--minutes M] [--rate N] [--churn PERCENT]" >&2; exit 2 ;;
    esac
done
[[ -x "$mecmesh" ]] || { echo "soak.sh: build first: mvn -DskipTests package" >&2; exit 1; }
for tool in nginx h2load taskset python3 jcmd; do
    command -v "$tool" > /dev/null || { echo "soak.sh: $tool is missing" >&2; exit 1; }
done
seconds=$((minutes * 60))
work=$(mktemp -d /tmp/mecmesh-soak.XXXXXX)
trap 'kill $(jobs -p) 2> /dev/null || true; [[ -f "$work/nginx.pid" ]] \
    && kill "$(cat "$work/nginx.pid" 2> /dev/null)" 2> /dev/null; rm -rf "$work" || true' EXIT
# shellcheck source=lib/edge-origin.sh
source "$perf/lib/edge-origin.sh"
write_edge_and_origin "$work" 18580 18583 18584 soak
taskset -c 1 nginx -p "$work/" -c "$work/nginx.conf" &
MECMESH_JAVA_OPTS="-XX:NativeMemoryTracking=summary -Xlog:gc:file=$work/gc.log" \
    taskset -c 0 "$mecmesh" run --config "$work/edge.yaml" > "$work/edge.log" 2>&1 &
for _ in $(seq 300); do curl -fsS -o /dev/null http://127.0.0.1:18584/ready 2> /dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null http://127.0.0.1:18583/1k || { echo "soak.sh: the edge does not route; log: $work/edge.log" >&2; exit 1; }
pid=$(ss -ltnpH "sport = :18584" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)

MECMESH_LOADGEN_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseSerialGC" taskset -c 1 "$perf/bin/mecmesh-loadgen" \
    --url http://127.0.0.1:18583/1k --rate "$rate" --connections 32 --duration "${seconds}s" --quiet \
    --json "$work/loadgen.json" > /dev/null &
loadgen=$!
churn_rate=$(( rate * churn / 100 ))
churn_total=$(( churn_rate * seconds ))
if (( churn_rate > 0 )); then
    taskset -c 1 h2load --h1 --rate "$churn_rate" -c "$churn_total" -n "$churn_total" -t 1 \
        http://127.0.0.1:18583/1k > "$work/churn.txt" 2>&1 &
    churner=$!
fi

start=$SECONDS
printf 'second\trss_kb\tfds\theap_committed_kb\tdirect_kb\tmetaspace_kb\tcode_kb\n' > "$work/samples.tsv"
while kill -0 "$loadgen" 2> /dev/null && (( SECONDS - start < seconds + 30 )); do
    t=$((SECONDS - start))
    rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    heap="" direct="" meta="" code=""
    if (( t % 60 < 10 )); then
        nmt=$(jcmd "$pid" VM.native_memory summary 2> /dev/null || true)
        committed() { sed -n "s/^-  *$1 (reserved=[0-9]*KB, committed=\([0-9]*\)KB).*/\1/p" <<< "$nmt" | head -1; }
        heap=$(committed 'Java Heap') direct=$(committed Other) meta=$(committed Metaspace) code=$(committed Code)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$rss" "$fds" "$heap" "$direct" "$meta" "$code" >> "$work/samples.tsv"
    sleep 10
done
wait "$loadgen" || true
[[ -z "${churner:-}" ]] || wait "$churner" || true
mkdir -p results
cp "$work/samples.tsv" results/soak.tsv
python3 - "$work" "$minutes" "$rate" "$churn" > results/soak.md <<'PY'
import json, re, sys, time, os
work, minutes, rate, churn = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = [line.rstrip('\n').split('\t') for line in open(f'{work}/samples.tsv')][1:]
def series(col):
    return [(float(r[0]), float(r[col])) for r in rows if len(r) > col and r[col] and float(r[0]) >= 120]
def slope(points):
    if len(points) < 3:
        return float('nan')
    n = len(points); mx = sum(p[0] for p in points) / n; my = sum(p[1] for p in points) / n
    den = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / den * 3600 if den else float('nan')
after = []
for line in open(f'{work}/gc.log'):
    m = re.search(r'\[(\d+\.\d+)s\].*Pause \w+.* (\d+)M->(\d+)M\((\d+)M\)', line)
    if m:
        after.append((float(m.group(1)), float(m.group(3)) * 1024))
start = after[0][0] if after else 0
gc = [(t, v) for t, v in after if t - start >= 120]
lg = json.load(open(f'{work}/loadgen.json'))
churn_txt = open(f'{work}/churn.txt').read() if os.path.exists(f'{work}/churn.txt') else ''
churn_done = re.search(r'requests: .*', churn_txt)
def first_last(points):
    return f'{points[0][1] / 1024:.1f} → {points[-1][1] / 1024:.1f} MB' if points else 'n/a'
print('## Soak: an edge under steady load (issue 17 item 6)\n')
print(f'Generated by `perf/soak.sh --minutes {minutes} --rate {rate} --churn {churn}` '
      f'({time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}): rerun it rather than editing this section. '
      f'Load average {" ".join(open("/proc/loadavg").read().split()[:3])} at the end, on {os.cpu_count()} cores.\n')
print(f'Load: {lg.get("achievedRate", 0):,.0f} req/s achieved of {rate} over 32 keep-alive connections '
      f'({lg.get("requests", {}).get("completed", "?")} completed, errors {lg.get("errors")}); churn: '
      f'{churn_done.group(0) if churn_done else "none"} (h2load --h1, one request per new connection).\n')
print('Slopes by least squares over the run after its first 2 minutes, per hour (flat: within noise of 0):\n')
print('| quantity | first → last sample | slope per hour |')
print('|---|---|---|')
for name, col in (('RSS', 1), ('heap committed', 3), ('direct buffers (NMT "Other")', 4), ('metaspace', 5),
                  ('code cache', 6)):
    pts = series(col)
    print(f'| {name} | {first_last(pts)} | {slope(pts) / 1024:+.2f} MB/h |')
print(f'| heap after each GC ({len(gc)} collections) | {first_last(gc)} | {slope(gc) / 1024:+.2f} MB/h |')
fds = series(2)
print(f'| open file descriptors | {int(fds[0][1]) if fds else "n/a"} → {int(fds[-1][1]) if fds else "n/a"} '
      f'| {slope(fds):+.1f} per hour |')
print('\nSamples: perf/results/soak.tsv (every 10 s; NMT columns every 60 s).')
PY
"$perf/bin/splice-results-section" RESULTS.md soak results/soak.md
cat results/soak.md
