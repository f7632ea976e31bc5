#!/usr/bin/env bash
# perf/fleet.sh: distribution at fleet scale (issue 18 item 6, DESIGN-ha.md 4.3 and 5.4): apply → every node
# acknowledged, with the slice manager's real ConfigPublisherAgent and simulated node agents (real NodeAgent: MAC,
# hash, version, Ed25519 signature, last-known-good file on /dev/shm) in child JVMs, over Aeron UDP on 127.0.0.1
# (perf/bin/mecmesh-fleet-bench, io.mecmesh.perf.controlplane.FleetDistributionBenchmark). Runs, each 20 measured
# rounds after 3 warm-up (a round: every node gets a new version at once; bounded: 30 s per round):
#   1. 100 nodes, 1 shard;   2. 100 nodes, 16 shards;   3. 100 nodes, 16 shards, 3 dead + 2 stalled (5 %);
#   4. 1,000 nodes, 64 shards;   5. 1,000 nodes, 64 shards, 25 dead + 25 stalled (5 %);
#   6. for comparison, fc=min: 100 nodes, 16 shards, 2 stalled (expected to fail: a stalled node holds it forever).
# Bars (issue 18): 100 nodes p99 <= 1 s, 1,000 nodes p99 <= 2 s, also with 5 % dead or stalled.
# Writes perf/results/fleet-N.json, perf/results/fleet.md (the table for perf/RESULTS.md's section "Distribution at
# fleet scale (issue 18 item 6)"). Takes about 6-10 minutes; run it alone on the machine.
#
# Build first (from the repository root): mvn -B -q -DskipTests package   (fills perf/target/classes and lib).
set -euo pipefail

usage()
{
    cat <<'USAGE'
usage: perf/fleet.sh [--quick] [--rounds N]

  --quick      runs 1, 2 and 4 only with 5 rounds after 1 warm-up: checks the harness, not figures to quote
  --rounds N   measured rounds per run (default 20)
  --help       this text
USAGE
}

quick=false
rounds=20
warmup=3
command_line="perf/fleet.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=true; rounds=5; warmup=1; shift ;;
        --rounds) rounds="$2"; shift 2 ;;
        --help|-h) usage; exit 0 ;;
        *) echo "fleet.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

perf_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(dirname "$perf_dir")"
results_dir="$perf_dir/results"
log() { printf '[fleet %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[[ -f "$perf_dir/target/classes/io/mecmesh/perf/controlplane/FleetDistributionBenchmark.class" ]] \
    || { log "error: perf not built: run mvn -B -q -DskipTests package first"; exit 1; }
mkdir -p "$results_dir"

runs=(
    "--nodes 100 --jvms 2 --shards 1"
    "--nodes 100 --jvms 2 --shards 16"
    "--nodes 100 --jvms 2 --shards 16 --dead 3 --stalled 2"
    "--nodes 1000 --jvms 4 --shards 64"
    "--nodes 1000 --jvms 4 --shards 64 --dead 25 --stalled 25"
    "--nodes 100 --jvms 2 --shards 16 --stalled 2 --fc min --timeout-s 15"
)
[[ "$quick" == true ]] && runs=("${runs[0]}" "${runs[1]}" "${runs[3]}")

commit="$(git -C "$root_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$root_dir" status --porcelain 2>/dev/null | grep -v '^??' | head -1 || true)"
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
table="$results_dir/fleet.md"
{
    echo "Command: \`$command_line\` at commit $commit${dirty:+ (with uncommitted changes)}, started $started_at on"
    echo "$(nproc) cores; load average at the start $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| run | nodes (living/dead/stalled) | shards | fc | config bytes | apply → last living node ack p50 / p99 / max | per node p50 / p99 | stalled caught up | order violations | sent / resent / catch-ups | load before → after |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"$table"
i=0
for run in "${runs[@]}"; do
    i=$((i + 1))
    json="$results_dir/fleet-$i.json"
    rm -f "$json"
    log "run $i: mecmesh-fleet-bench $run --rounds $rounds --warmup $warmup"
    # shellcheck disable=SC2086 # $run is a list of options
    if timeout 900 "$perf_dir/bin/mecmesh-fleet-bench" $run --rounds "$rounds" --warmup "$warmup" --json "$json" \
        >"$results_dir/fleet-$i.out" 2>&1; then
        grep -F 'fleet:' "$results_dir/fleet-$i.out" >&2 || true
        jq -r --arg run "$i" '"| \($run) | \(.settings.nodes) (\(.livingNodes)/\(.settings.dead)/\(.settings.stalled)) | \(.settings.shards) | \(.settings.flowControl) | \(.configBytes) | \(.lastNode.p50Us/1000|floor) / \(.lastNode.p99Us/1000|floor) / \(.lastNode.maxUs/1000|floor) ms | \(.perNode.p50Us/1000|floor) / \(.perNode.p99Us/1000|floor) ms | \(if .stalledCatchUpMs < 0 then "-" else "\(.stalledCatchUpMs) ms" end) | \(.orderViolations) | \(.configsSent) / \(.configsResent) / \(.catchUps) | \(.loadBefore*10|floor/10) → \(.loadAfter*10|floor/10) |"' \
            "$json" >>"$table"
    else
        reason="$(grep -v SLF4J "$results_dir/fleet-$i.out" | grep -m1 -E 'Exception|did not' | cut -c1-160 || true)"
        log "run $i failed: $reason"
        echo "| $i | \`$run\` | | | | did not complete: ${reason//|/\\|} | | | | | |" >>"$table"
    fi
done
log "wrote $table"
cat "$table"
