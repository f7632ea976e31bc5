#!/usr/bin/env bash
# perf/controlplane.sh: the control-plane benchmarks of issue 6, with their targets.
#
#   1. JMH (perf/bin/mecmesh-bench, -prof gc): MeshCompilerBenchmark (full compile and a one-service change of
#      10,000 services across 100 slices and 100 nodes, with 1, 2 and 4 slices seen per node) and
#      PolicyTableBenchmark (lookup ns/op and bytes/op), pinned to CPU 0;
#   2. ApplyToAckBenchmark (perf/bin/mecmesh-apply-bench): apply → compile → publish → the 100th node agent's
#      acknowledgement over Aeron IPC, 200 applies after 50 warm-up (p50/p90/p99/max), on both CPUs (it runs a
#      publisher, node-agent threads and a media driver);
# then io.mecmesh.perf.report.ControlPlaneReport writes perf/results/controlplane.md, which goes into
# perf/RESULTS.md between section markers (perf/compare.sh keeps it). Raw results: perf/results/controlplane-jmh.json,
# perf/results/apply-to-ack.json.
#
# Build first (from the repository root): mvn -B -q -DskipTests package   (fills perf/target/classes and lib).
set -euo pipefail

usage()
{
    cat <<'EOF'
usage: perf/controlplane.sh [--quick] [--applies N] [--warmup N]

  --quick      about a minute: JMH 1 x 1 s warm-up and 2 x 1 s measured, slices per node 2 only, 30 applies
               after 10 warm-up; checks the harness, not figures to quote
  --applies N  measured applies (default 200)
  --warmup N   warm-up applies (default 50)
  --help       this text
EOF
}

quick=false
applies=200
apply_warmup=50
command_line="perf/controlplane.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=true; applies=30; apply_warmup=10; shift ;;
        --applies) applies="$2"; shift 2 ;;
        --warmup) apply_warmup="$2"; shift 2 ;;
        --help|-h) usage; exit 0 ;;
        *) echo "controlplane.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

perf_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(dirname "$perf_dir")"
results_dir="$perf_dir/results"
log() { printf '[controlplane %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -f "$perf_dir/target/classes/io/mecmesh/perf/report/ControlPlaneReport.class" ]] \
    || die "perf not built: run mvn -B -q -DskipTests package first"
mkdir -p "$results_dir"
work="$(mktemp -d /tmp/mecmesh-controlplane.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [[ "$quick" == true ]]; then
    jmh_args=(-f 1 -wi 1 -w 1s -i 2 -r 1s -p slicesPerNode=2)
else
    jmh_args=(-f 1 -wi 5 -w 2s -i 5 -r 2s -p slicesPerNode=1,2,4)
fi
jmh_command="taskset -c 0 perf/bin/mecmesh-bench ${jmh_args[*]} -prof gc -rf json -rff perf/results/controlplane-jmh.json 'MeshCompilerBenchmark|PolicyTableBenchmark'"
apply_command="perf/bin/mecmesh-apply-bench --nodes 100 --warmup $apply_warmup --applies $applies --json perf/results/apply-to-ack.json"

started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "JMH: $jmh_command"
(cd "$root_dir" && timeout 1800 taskset -c 0 perf/bin/mecmesh-bench "${jmh_args[@]}" -prof gc -rf json \
    -rff perf/results/controlplane-jmh.json 'MeshCompilerBenchmark|PolicyTableBenchmark' >"$work/jmh.out" 2>&1) \
    || die "JMH failed: $(tail -20 "$work/jmh.out")"
log "apply to acknowledgement: $apply_command"
(cd "$root_dir" && timeout 1800 perf/bin/mecmesh-apply-bench --nodes 100 --warmup "$apply_warmup" \
    --applies "$applies" --json perf/results/apply-to-ack.json) >"$work/apply.out" 2>&1 \
    || die "ApplyToAckBenchmark failed: $(tail -20 "$work/apply.out")"
grep -F 'apply to acknowledgement' "$work/apply.out" >&2 || true
{
    echo "started=$started_at"
    echo "command=$command_line"
    echo "jmh_command=$jmh_command"
    echo "apply_command=$apply_command"
    echo "loadavg_start=$loadavg_start"
    echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$results_dir/controlplane-meta.properties"

java -cp "$perf_dir/target/classes:$perf_dir/target/lib/*" io.mecmesh.perf.report.ControlPlaneReport \
    --jmh "$results_dir/controlplane-jmh.json" --apply "$results_dir/apply-to-ack.json" \
    --meta "$results_dir/controlplane-meta.properties" --out "$results_dir/controlplane.md" >/dev/null
"$perf_dir/bin/splice-results-section" "$perf_dir/RESULTS.md" controlplane "$results_dir/controlplane.md"
log "wrote $results_dir/controlplane.md and its section of $perf_dir/RESULTS.md"
cat "$results_dir/controlplane.md"
