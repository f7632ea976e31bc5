#!/usr/bin/env bash
# perf/memory.sh [--seconds S] [--rate N]: an edge's memory, lever by lever (issue 17 item 4).
#
# One static edge (one HTTP/1.1 listener :18683, admin :18684, one event loop; the compare.sh edge) in front of an nginx
# origin (:18680, 1 KiB), loaded at RATE req/s (default 1,000) for S seconds (default 30) by perf/bin/mecmesh-loadgen,
# edge on CPU 0, the rest on CPU 1; run once per row below, each row adding one lever to the one above (through
# MECMESH_JAVA_OPTS, which the launcher puts after its own options: the last of two equal options wins). Per row: peak
# and final VmRSS (sampled every 0.5 s), its anonymous and file-backed parts, and the JVM's native-memory-tracking
# summary at the end (committed: heap, class metadata and the class-data-sharing archive, code, GC, threads, symbols,
# direct buffers = "Other", the rest), the class archive's resident pages from smaps, and the heap after a full GC.
# Writes perf/results/memory.md (spliced into RESULTS.md, section "memory") and the NMT outputs to
# perf/results/memory/.
# Needs the built distribution (mvn -DskipTests package), nginx, taskset, jcmd, python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
perf=$(pwd)
dist="$perf/../packaging/target/mecmesh"
mecmesh="$dist/bin/mecmesh"
seconds=30 rate=1000
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        *) echo "usage: perf/memory.sh [--seconds S] [--rate N]" >&2; exit 2 ;;
    esac
done
[[ -x "$mecmesh" ]] || { echo "memory.sh: build first: mvn -DskipTests package" >&2; exit 1; }
work=$(mktemp -d /tmp/mecmesh-memory.XXXXXX)
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
mkdir -p results/memory
# shellcheck source=lib/edge-origin.sh
source "$perf/lib/edge-origin.sh"
write_edge_and_origin "$work" 18680 18683 18684 memory
taskset -c 1 nginx -p "$work/" -c "$work/nginx.conf" &

# label|options. Row 1 is the launcher before issue 17 (G1, -Xms32m, the demo's archive, no native heap trim).
demo_archive="-XX:SharedArchiveFile=$dist/lib/mecmesh.jsa"
edge_archive="-XX:SharedArchiveFile=$dist/lib/mecmesh-edge.jsa"
before="-XX:-UseSerialGC -XX:+UseG1GC -Xms32m -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:TrimNativeHeapInterval=0 $demo_archive"
rows=(
    "launcher before issue 17: G1, -Xms32m, the demo's class archive|$before"
    "+ serial collector|${before/-XX:-UseSerialGC -XX:+UseG1GC/-XX:+UseSerialGC}"
    "+ -Xms16m, heap free ratio 10-30 %|-XX:+UseSerialGC -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=0 $demo_archive"
    "+ native heap trimmed every 10 s|-XX:+UseSerialGC -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=10000 $demo_archive"
    "+ the edge's own static class archive, logging set up in code, no picocli for run (today's launcher)|"
    "today's launcher without a class archive|-Xshare:off"
    "today's launcher, JIT stopped at C1 (not the default: CPU per request, perf/overhead.sh --feature c1)|-XX:TieredStopAtLevel=1"
)
: > "$work/rows.tsv"
i=0
for row in "${rows[@]}"; do
    i=$((i + 1))
    label=${row%%|*} options=${row#*|}
    MECMESH_JAVA_OPTS="-XX:NativeMemoryTracking=summary $options" taskset -c 0 "$mecmesh" run --config "$work/edge.yaml" \
        > "$work/logs/edge-$i.log" 2>&1 &
    edge=$!
    for _ in $(seq 600); do curl -fsS -o /dev/null http://127.0.0.1:18684/ready 2> /dev/null && break; sleep 0.1; done
    pid=$(ss -ltnpH "sport = :18684" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    [[ -n "$pid" ]] || { echo "memory.sh: row $i: the edge did not start: $(tail -5 "$work/logs/edge-$i.log")" >&2; exit 1; }
    MECMESH_LOADGEN_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseSerialGC" taskset -c 1 "$perf/bin/mecmesh-loadgen" \
        --url http://127.0.0.1:18683/1k --rate "$rate" --connections 32 --duration "${seconds}s" --quiet \
        --json "$work/loadgen-$i.json" > /dev/null &
    loadgen=$!
    peak=0
    while kill -0 "$loadgen" 2> /dev/null; do
        rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
        (( rss > peak )) && peak=$rss
        sleep 0.5
    done
    wait "$loadgen" || true
    status=$(grep -E 'VmRSS|RssAnon|RssFile' "/proc/$pid/status" | awk '{printf "%s ", $2}')
    archive=$(awk '/\.jsa$/{a=1; next} /^[0-9a-f]+-[0-9a-f]+ /{a=0} a && /^Rss:/{s+=$2} END{print s+0}' "/proc/$pid/smaps")
    jcmd "$pid" VM.native_memory summary > "results/memory/nmt-$i.txt" 2>&1 || true
    jcmd "$pid" GC.run > /dev/null 2>&1 || true
    live=$(jcmd "$pid" GC.heap_info 2> /dev/null | awk '/used/ && !/Metaspace|class space/ {for (f = 1; f <= NF; f++) if ($f == "used") {v = $(f + 1); sub(/K,?/, "", v); s += v}} END{print s+0}')
    printf '%s\t%s\t%s%s\t%s\t%s\n' "$i" "$label" "$status" "$peak" "$archive" "$live" >> "$work/rows.tsv"
    kill -TERM "$edge" 2> /dev/null || true
    wait "$edge" || true
    sleep 1
done

python3 - "$work/rows.tsv" "$seconds" "$rate" > results/memory.md <<'PY'
import re, sys, time, os
rows_file, seconds, rate = sys.argv[1], sys.argv[2], sys.argv[3]
def nmt(i):
    text = open(f'results/memory/nmt-{i}.txt').read()
    d = {m.group(1).strip(): int(m.group(2)) for m in re.finditer(r'^-\s+(.+?) \(reserved=\d+KB, committed=(\d+)KB\)', text, re.M)}
    total = re.search(r'Total: reserved=\d+KB, committed=(\d+)KB', text)
    d['Total'] = int(total.group(1)) if total else 0
    return d
mb = lambda kb: f'{kb / 1024:.0f}'
print('## Memory of an edge, lever by lever (issue 17 item 4)\n')
print(f'Generated by `perf/memory.sh --seconds {seconds} --rate {rate}` ({time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}): '
      f'rerun it rather than editing this section. Load average {" ".join(open("/proc/loadavg").read().split()[:3])} '
      f'at the end, on {os.cpu_count()} cores. One static edge (one HTTP/1.1 listener, one event loop) at {rate} req/s '
      f'of 1 KiB for {seconds} s; each row adds one lever to the row above (MB; NMT = the JVM\'s native memory '
      'tracking, committed; "archive" = the class-data-sharing archives\' resident pages; live = heap after a full GC). '
      'Bar: RSS <= 64 MB.\n')
print('| # | launcher | peak RSS | final RSS (anon + file) | heap | class metadata + archive | code | GC | symbols + arenas | direct ("Other") | archive resident | live heap |')
print('|---|---|---|---|---|---|---|---|---|---|---|---|')
for line in open(rows_file):
    i, label, status, archive, live = line.rstrip('\n').split('\t')[:5]
    rss, anon, file_, peak = (status.split() + ['0'] * 4)[:4]
    n = nmt(i)
    meta = n.get('Class', 0) + n.get('Metaspace', 0) + n.get('Shared class space', 0)
    print(f'| {i} | {label} | **{mb(int(peak))}** | {mb(int(rss))} ({mb(int(anon))} + {mb(int(file_))}) | '
          f'{mb(n.get("Java Heap", 0))} | {mb(meta)} | {mb(n.get("Code", 0))} | {mb(n.get("GC", 0))} | '
          f'{mb(n.get("Symbol", 0) + n.get("Arena Chunk", 0))} | {mb(n.get("Other", 0))} | {mb(int(archive))} | {mb(int(live))} |')
print('\nNMT outputs: perf/results/memory/nmt-N.txt. The RSS outside NMT is mostly file-backed (libjvm.so ~15 MB, the JDK '
      'modules, native libraries) and glibc\'s arenas beyond what the JVM tracks.')
PY
"$perf/bin/splice-results-section" RESULTS.md memory results/memory.md
cat results/memory.md
