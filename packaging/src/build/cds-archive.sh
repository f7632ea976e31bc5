#!/usr/bin/env bash
# Records the classes the appliance loads (a warm-up run of the demo: control plane, two edges, a request through
# each path) in DIST/lib/mecmesh.jsa, the class-data-sharing archive bin/mecmesh uses to start faster.
# Usage: cds-archive.sh DIST [LOG]. A failure here leaves no archive (the launcher then starts without one) and fails the
# build, since it means the demo does not start.
set -euo pipefail
dist=$1
archive="$dist/lib/mecmesh.jsa"
rm -f "$archive"
log=${2:-$dist/../cds-archive.log}
if ! MECMESH_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$dist/bin/mecmesh" demo --warm-up --proxy-port 0 --admin-port 0 > "$log" 2>&1; then
    echo "cds-archive: the demo warm-up failed; its output is in $log" >&2
    tail -20 "$log" >&2
    rm -f "$archive"
    exit 1
fi
echo "cds-archive: $(du -h "$archive" | cut -f1) class-data-sharing archive in $archive"
