#!/usr/bin/env bash
# Records the classes the appliance loads in the two class-data-sharing archives bin/mecmesh uses to start faster:
#   DIST/lib/mecmesh.jsa       a warm-up run of the demo (control plane, two edges, a request through each path):
#                              the CLI, role control and role all;
#   DIST/lib/mecmesh-edge.jsa  a training run of `mecmesh run` as an edge (control plane configured but away, a
#                              static route to the edge's own admin endpoint, HTTP/1.1 and HTTP/2 requests through
#                              it, the admin endpoints): what an edge loads, and no more (an archive is mapped whole,
#                              so control-plane classes in it would cost every edge their memory). A static archive
#                              (-Xshare:dump from the run's class list), which holds the JDK's classes the edge uses
#                              in place of the JDK's default archive under a dynamic one: ~5-9 MB less RSS
#                              (perf/RESULTS.md "Memory"). The run's class names, sorted, go to
#                              DIST/lib/mecmesh-edge.classlist, from which the RPM and the OCI image dump theirs.
# Usage: cds-archive.sh DIST [LOG]. A failure here leaves no archive (the launcher then starts without one) and fails the
# build, since it means the demo or an edge does not start.
set -euo pipefail
dist=$1
archive="$dist/lib/mecmesh.jsa"
edge_archive="$dist/lib/mecmesh-edge.jsa"
rm -f "$archive" "$edge_archive" "$dist/lib/mecmesh-edge.classlist"
log=${2:-$dist/../cds-archive.log}
record="-Xlog:cds=off -Xlog:cds+dynamic=off"
if ! MECMESH_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive $record" \
    "$dist/bin/mecmesh" demo --warm-up --proxy-port 0 --admin-port 0 > "$log" 2>&1; then
    echo "cds-archive: the demo warm-up failed; its output is in $log" >&2
    tail -20 "$log" >&2
    rm -f "$archive"
    exit 1
fi
echo "cds-archive: $(du -h "$archive" | cut -f1) class-data-sharing archive in $archive"

# The edge's training run. Ports: a random base in 30000-49999 (two builds on one machine rarely meet; a taken port
# fails the start, and the next try takes another base).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 32 /dev/urandom > "$work/key"
edge_log="${log%.log}-edge.log"
trained=false
for _ in 1 2 3; do
    base=$((30000 + RANDOM % 20000))
    cat > "$work/edge.yaml" <<EOF
role: edge
node: {id: cds-training, site: build, zone: build}
dataDirectory: $work/data
admin: {address: 127.0.0.1, port: $((base + 1))}
controlPlane: {address: 127.0.0.1, api: {port: $((base + 2)), insecureLoopback: true}, configPort: $((base + 3)),
  ackPort: $((base + 4)), nodeEndpoint: "127.0.0.1:$((base + 5))", keyFile: $work/key}
dataplane:
  eventLoopThreads: 1
  listeners: [{name: ingress, address: 127.0.0.1, port: $base}]
  clusters: [{name: admin, endpoints: ["127.0.0.1:$((base + 1))"]}]
  routes: [{host: "*", pathPrefix: /, cluster: admin}]
EOF
    MECMESH_JAVA_OPTS="-Xshare:off -XX:DumpLoadedClassList=$work/edge.classlist" \
        "$dist/bin/mecmesh" run --config "$work/edge.yaml" > "$edge_log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
        curl -fsS -o /dev/null "http://127.0.0.1:$((base + 1))/ready" 2> /dev/null && break
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2> /dev/null; then
        for _ in $(seq 5); do
            curl -fsS -o /dev/null "http://127.0.0.1:$base/live" || true
            curl -fsS -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$base/metrics" || true
            curl -sS -o /dev/null -X POST --data 'training' "http://127.0.0.1:$base/none" || true
        done
        curl -fsS -o /dev/null "http://127.0.0.1:$((base + 1))/metrics" || true
        kill -TERM "$pid"
        wait "$pid" || true
        trained=true
        break
    fi
    wait "$pid" || true
done
if $trained && [[ -s "$work/edge.classlist" ]]; then
    MECMESH_JAVA_OPTS="-Xshare:dump -XX:SharedClassListFile=$work/edge.classlist -XX:SharedArchiveFile=$edge_archive $record" \
        "$dist/bin/mecmesh" >> "$edge_log" 2>&1 || true
    # The packages' list: class names only (no lambda lines, no generated names), sorted, so that it does not depend
    # on the order in which the training run's threads loaded them.
    grep -v '^[#@]' "$work/edge.classlist" | grep -v '\$\$Lambda\|/0x' | LC_ALL=C sort -u > "$dist/lib/mecmesh-edge.classlist"
fi
if ! $trained || [[ ! -s "$edge_archive" ]]; then
    echo "cds-archive: the edge's training run failed; its output is in $edge_log" >&2
    tail -20 "$edge_log" >&2
    rm -f "$archive" "$edge_archive"
    exit 1
fi
echo "cds-archive: $(du -h "$edge_archive" | cut -f1) class-data-sharing archive in $edge_archive"
