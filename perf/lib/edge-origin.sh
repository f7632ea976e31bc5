# perf/lib/edge-origin.sh: the one-edge set-up shared by perf/memory.sh and perf/soak.sh. Source it, then call
#   write_edge_and_origin WORK ORIGIN_PORT LISTENER_PORT ADMIN_PORT NODE_ID
# It writes into WORK an nginx origin (1 worker, logs off, WORK/html/1k = 1 KiB; WORK/nginx.conf, pid WORK/nginx.pid)
# and a static edge (WORK/edge.yaml: one HTTP/1.1 listener, one event loop, one route to the origin, the compare.sh
# edge), all on 127.0.0.1.

write_edge_and_origin()
{
    local work=$1 origin=$2 listener=$3 admin=$4 node=$5
    mkdir -p "$work/html" "$work/logs"
    head -c 1024 /dev/zero | tr '\0' 'x' > "$work/html/1k"
    # nginx's worker runs as an unprivileged user: it must read the page.
    chmod 755 "$work" "$work/html" && chmod 644 "$work/html/1k"
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/logs/error.log;
pid $work/nginx.pid;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$origin; root $work/html; keepalive_requests 1000000; } }
CONF
    cat > "$work/edge.yaml" <<YAML
node: {id: $node}
admin: {address: 127.0.0.1, port: $admin}
dataplane:
  eventLoopThreads: 1
  listeners: [{name: ingress, address: 127.0.0.1, port: $listener}]
  clusters: [{name: origin, endpoints: ["127.0.0.1:$origin"], maxIdleConnectionsPerLoop: 128}]
  routes: [{host: "*", pathPrefix: /, cluster: origin}]
YAML
}
