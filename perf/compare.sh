#!/usr/bin/env bash
# perf/compare.sh: mecmesh side by side with HAProxy and nginx on this machine, and the direct (no proxy) baseline.
#
# Starts, all on 127.0.0.1 and each with its own configuration in a temporary directory:
#   backend   nginx, 1 worker, logs off, serving /1k (1 KiB) and /1m (1 MiB); HTTP/1.1 on :18080, h2c on :18090
#   haproxy   1 thread, logs off, keep-alive + connection reuse to the backend: h1 :18081, h2c :18091, TCP :18121;
#             two-hop mTLS: sidecar A :18101 → mTLS → sidecar B :18102 → backend (two processes)
#   nginx     1 worker, logs off, upstream keep-alive: h1 :18082, h2c :18092, TCP (stream) :18122;
#             two-hop mTLS: sidecar A :18103 → mTLS → sidecar B :18104 → backend (two processes)
#   mecmesh   packaging/target/mecmesh/bin/mecmesh run, eventLoopThreads 1: h1 and h2c :18083 (admin :18084),
#             TCP :18085;
#             two-hop mTLS: sidecar A :18105 → mTLS → sidecar B :18106 → backend (two processes, admin :18107/:18108,
#             SPIFFE SVIDs from `mecmesh cert`)
# The systems under test run on CPU 0; the backend, the load generator (perf/bin/mecmesh-loadgen) and this script
# on CPU 1. Repetitions are interleaved (A B C D A B C D ...). Per run it records the proxy's CPU time
# (utime+stime of every process of the system, /proc/<pid>/stat, before and after the load generator), its peak
# VmRSS (sampled every 100 ms) and the load generator's JSON and latency log; then
# io.mecmesh.perf.report.CompareReport writes perf/RESULTS.md and the charts in perf/results/.
# Every cell runs with two independent generators: perf/bin/mecmesh-loadgen (open loop, coordinated-omission
# corrected) and h2load (nghttp2-client, --rps per connection, latency from the actual send). Per run it also
# records the harness's own CPU on CPU 1: the generator's (GNU time; the loadgen's JSON has it over its window),
# the origin's (backend nginx, /proc/<pid>/stat) and CPU 1's busy share (/proc/stat, whole run and busiest second);
# the report marks a run INVALID, and quotes no latency from it, when CPU 1 was more than 90 % busy.
# Two-hop mTLS: every pair is pinned to TLS 1.3 with TLS_AES_128_GCM_SHA256 (HAProxy and nginx on X25519), each B
# is probed with s_client, after every mTLS run the A->B TCP connections (ss) are recorded, and (as root) every
# ServerHello of the run is captured: suite, group, handshakes and resumptions per pair, in RESULTS.md.
#
# Build first (from the repository root): mvn -B -q -DskipTests package   (fills packaging/target/mecmesh,
# perf/target/classes and perf/target/lib).
set -euo pipefail

usage()
{
    cat <<'EOF'
usage: perf/compare.sh [--duration SECONDS] [--warmup SECONDS] [--reps N] [--quick] [--jmh] [--keep]
       perf/compare.sh --report-only

  --duration S   measured seconds per run (default 5)
  --warmup S     load generator warm-up seconds per run, measured for CPU but not for latency (default 3: the
                 load generator's JVM is fresh every run and needs ~2 s of JIT at 10,000 req/s)
  --generators G mecmesh-loadgen,h2load (default both), or one of them
  --reps N       interleaved repetitions of every cell (default 3)
  --quick        about 5 minutes: --duration 2 --warmup 1 --reps 1, 2 s pre-warm; checks the harness, the
                 JVM is barely warm: not figures to quote
  --jmh          also run the JMH suite with -prof gc (5 x 2 s warm-up, 5 x 1 s measured) into perf/results/jmh.json
  --keep         keep the temporary directory (configurations, logs) and print its path
  --report-only  measure nothing: rewrite RESULTS.md and the charts from the last run's perf/results/raw
  --help         this text

Writes perf/RESULTS.md, perf/results/*.png and the raw data they come from (perf/results/raw: runs.tsv, the load
generator's JSON and .hlog files, the configurations). Needs 2 CPUs, root or sudo-less apt-get for missing packages
(haproxy, nginx, libnginx-mod-stream, wrk, nghttp2-client), and ports 18080-18122 free on 127.0.0.1.
EOF
}

duration=5
warmup=3
generators=mecmesh-loadgen,h2load
reps=3
prewarm=10
quick=false
run_jmh=false
keep=false
report_only=false
command_line="perf/compare.sh $*"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --quick) quick=true; duration=2; warmup=1; reps=1; prewarm=2; shift ;;
        --generators) generators="$2"; shift 2 ;;
        --jmh) run_jmh=true; shift ;;
        --keep) keep=true; shift ;;
        --report-only) report_only=true; shift ;;
        --help|-h) usage; exit 0 ;;
        *) echo "compare.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
for n in "$duration" "$warmup" "$reps"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "compare.sh: expected a whole number, got \"$n\"" >&2; exit 2; }
done
((duration >= 1 && reps >= 1)) || { echo "compare.sh: --duration and --reps must be at least 1" >&2; exit 2; }
for g in ${generators//,/ }; do
    [[ "$g" == mecmesh-loadgen || "$g" == h2load ]] \
        || { echo "compare.sh: --generators: expected mecmesh-loadgen and/or h2load, got \"$g\"" >&2; exit 2; }
done

perf_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(dirname "$perf_dir")"
mecmesh_bin="$root_dir/packaging/target/mecmesh/bin/mecmesh"
loadgen="$perf_dir/bin/mecmesh-loadgen"
results_dir="$perf_dir/results"
sut_cpu=0
load_cpu=1

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# report RAW: RESULTS.md and the charts from a directory of raw results.
report()
{
    # Only the charts this report draws (isolation.sh and others keep theirs in the same directory).
    rm -f "$results_dir"/cpu-per-request.png "$results_dir"/latency-*.png
    java -Djava.awt.headless=true -cp "$perf_dir/target/classes:$perf_dir/target/lib/*" \
        io.mecmesh.perf.report.CompareReport --raw "$1" --results "$results_dir" --out "$perf_dir/RESULTS.md"
    log "wrote $perf_dir/RESULTS.md and $results_dir/"
}

if [[ "$report_only" == true ]]; then
    [[ -f "$results_dir/raw/runs.tsv" ]] || die "no $results_dir/raw/runs.tsv: run perf/compare.sh first"
    report "$results_dir/raw"
    exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites

machine_nproc="$(nproc)"
((machine_nproc >= 2)) || die "needs at least 2 CPUs (nproc: $machine_nproc)"
[[ -x "$mecmesh_bin" ]] || die "no $mecmesh_bin: run mvn -B -q -DskipTests install first"
[[ -f "$perf_dir/target/classes/io/mecmesh/perf/report/CompareReport.class" ]] \
    || die "perf not built: run mvn -B -q -DskipTests install first"

missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v nginx >/dev/null || missing+=(nginx)
[[ -f /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=(libnginx-mod-stream)
command -v wrk >/dev/null || missing+=(wrk)
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v ss >/dev/null || missing+=(iproute2)
if ((${#missing[@]} > 0)); then
    log "installing: ${missing[*]}"
    timeout 300 apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
        || { timeout 120 apt-get update -q >/dev/null 2>&1 && timeout 300 apt-get install -y -q "${missing[@]}" >/dev/null; } \
        || die "could not install ${missing[*]}"
fi
haproxy_bin="$(command -v haproxy)"
nginx_bin="$(command -v nginx)"
stream_module=/usr/lib/nginx/modules/ngx_stream_module.so

for port in 18080 18081 18082 18083 18084 18090 18091 18092 18101 18102 18103 18104 18121 18122; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is in use"
    fi
done

# This script, its samplers and everything it starts without an explicit taskset stay on the load CPU.
taskset -cp "$load_cpu" $$ >/dev/null

work="$(mktemp -d /tmp/mecmesh-compare.XXXXXX)"
chmod 755 "$work"
raw="$work/raw"
mkdir -p "$raw" "$work/www" "$work/tmp" "$work/pki" "$results_dir"

# ---------------------------------------------------------------------------------------------------------------
# Process bookkeeping: every process started here is stopped on exit, by its own id.

# shellcheck source=lib/harness.sh
source "$perf_dir/lib/harness.sh"   # started_pids, cleanup on exit

declare -A system_pids=()   # system name → space-separated pids of its processes (nginx: master + worker)

# start NAME CPU COMMAND...: starts a process pinned to CPU, remembers its pid under NAME.
start()
{
    local name="$1" cpu="$2"
    shift 2
    taskset -c "$cpu" "$@" >"$work/$name.out" 2>&1 &
    local pid=$!
    started_pids+=("$pid")
    system_pids[$name]="${system_pids[$name]:-} $pid"
}

# wait_port PORT NAME: until something accepts on 127.0.0.1:PORT, at most 30 s.
wait_port()
{
    local port="$1" name="$2" deadline=$((SECONDS + 30))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$work"/*.out >&2 || true; die "$name did not listen on $port in 30 s"; }
        sleep 0.1
    done
}

# pids_of NAME: the system's processes and their children (nginx workers), one line.
pids_of()
{
    local pid all=""
    for pid in ${system_pids[$1]:-}; do
        all="$all $pid"
        for child in /proc/[0-9]*; do
            if [[ -r "$child/stat" ]] && [[ "$(cut -d' ' -f4 "$child/stat" 2>/dev/null)" == "$pid" ]]; then
                all="$all ${child#/proc/}"
            fi
        done
    done
    echo "$all"
}

# cpu_ticks PIDS...: utime + stime (clock ticks) summed over the processes, all their threads included.
cpu_ticks()
{
    local pid total=0 stat
    for pid in "$@"; do
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        stat="${stat##*) }"   # fields after the command name; utime and stime are fields 14 and 15 of the line
        # shellcheck disable=SC2086
        set -- $stat
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

# core_busy_ticks CPU: ticks CPU spent busy (everything but idle and iowait), from /proc/stat.
core_busy_ticks()
{
    awk -v cpu="cpu$1" '$1 == cpu {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

# rss_kb PIDS...: VmRSS summed over the processes.
rss_kb()
{
    local pid total=0 value
    for pid in "$@"; do
        value="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
        total=$((total + ${value:-0}))
    done
    echo "$total"
}

# ---------------------------------------------------------------------------------------------------------------
# Content, certificates, configurations

head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 >"$work/www/1k"
head -c 1048576 /dev/urandom >"$work/www/1m"
chmod 644 "$work/www/"*
chmod 755 "$work/www" "$work/tmp"

# Two-hop mTLS: the one TLS 1.3 suite and group every sidecar pair uses (mecmesh's BoringSSL picks this suite
# first with AES-NI; OpenSSL 3's default order would pick AES-256 for HAProxy and nginx). Checked after start-up.
tls13_cipher=TLS_AES_128_GCM_SHA256
tls13_group=X25519

pki="$work/pki"
(
    cd "$pki"
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -subj /CN=compare-ca -days 2 -out ca.pem 2>/dev/null
    openssl ecparam -name prime256v1 -genkey -noout -out leaf.key 2>/dev/null
    openssl req -new -key leaf.key -subj /CN=sidecar -out leaf.csr 2>/dev/null
    printf 'subjectAltName=DNS:sidecar.mesh,URI:spiffe://compare.local/app/bench\nextendedKeyUsage=serverAuth,clientAuth\n' >leaf.ext
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile leaf.ext \
        -out leaf.pem 2>/dev/null
    cat leaf.pem leaf.key >leaf-with-key.pem
    chmod 644 ./*
)

nginx_common()
{
    cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $work/$1.pid;
error_log stderr crit;
events { worker_connections 4096; }
EOF
}

nginx_http_common()
{
    cat <<EOF
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_temp_path $work/tmp/$1-body;
    proxy_temp_path $work/tmp/$1-proxy;
    fastcgi_temp_path $work/tmp/$1-fastcgi;
    uwsgi_temp_path $work/tmp/$1-uwsgi;
    scgi_temp_path $work/tmp/$1-scgi;
EOF
}

nginx_proxy_location()
{
    cat <<EOF
        location / {
            proxy_pass $1;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
EOF
}

{
    nginx_common backend
    echo "http {"
    nginx_http_common backend
    cat <<EOF
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:18080;
        listen 127.0.0.1:18090 http2;
        root $work/www;
        location / { }
    }
}
EOF
} >"$work/backend.conf"

{
    echo "load_module $stream_module;"
    nginx_common nginx
    echo "http {"
    nginx_http_common nginx
    cat <<EOF
    upstream backend { server 127.0.0.1:18080; keepalive 128; keepalive_requests 1000000; keepalive_timeout 75s; }
    server {
        listen 127.0.0.1:18082;
        listen 127.0.0.1:18092 http2;
$(nginx_proxy_location http://backend)
    }
}
stream {
    server { listen 127.0.0.1:18122; proxy_pass 127.0.0.1:18080; }
}
EOF
} >"$work/nginx.conf"

{
    nginx_common nginx-a
    echo "http {"
    nginx_http_common nginx-a
    cat <<EOF
    upstream sidecar_b { server 127.0.0.1:18104; keepalive 128; keepalive_requests 1000000; keepalive_timeout 75s; }
    server {
        listen 127.0.0.1:18103;
        proxy_ssl_certificate $pki/leaf.pem;
        proxy_ssl_certificate_key $pki/leaf.key;
        proxy_ssl_trusted_certificate $pki/ca.pem;
        proxy_ssl_verify on;
        proxy_ssl_name sidecar.mesh;
        proxy_ssl_server_name on;
        proxy_ssl_protocols TLSv1.3;
        proxy_ssl_conf_command Ciphersuites $tls13_cipher;
        proxy_ssl_session_reuse on;
$(nginx_proxy_location https://sidecar_b)
    }
}
EOF
} >"$work/nginx-a.conf"

{
    nginx_common nginx-b
    echo "http {"
    nginx_http_common nginx-b
    cat <<EOF
    upstream backend { server 127.0.0.1:18080; keepalive 128; keepalive_requests 1000000; keepalive_timeout 75s; }
    server {
        listen 127.0.0.1:18104 ssl;
        ssl_certificate $pki/leaf.pem;
        ssl_certificate_key $pki/leaf.key;
        ssl_client_certificate $pki/ca.pem;
        ssl_verify_client on;
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites $tls13_cipher;
        ssl_ecdh_curve $tls13_group;
$(nginx_proxy_location http://backend)
    }
}
EOF
} >"$work/nginx-b.conf"

haproxy_common()
{
    cat <<EOF
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
EOF
}

{
    haproxy_common
    cat <<EOF
frontend h1
    bind 127.0.0.1:18081
    default_backend backend
frontend h2c
    bind 127.0.0.1:18091 proto h2
    default_backend backend
backend backend
    server s1 127.0.0.1:18080
listen tcp
    mode tcp
    bind 127.0.0.1:18121
    server s1 127.0.0.1:18080
EOF
} >"$work/haproxy.cfg"

{
    haproxy_common
    cat <<EOF
frontend sidecar_a
    bind 127.0.0.1:18101
    default_backend sidecar_b
backend sidecar_b
    server b 127.0.0.1:18102 ssl crt $pki/leaf-with-key.pem ca-file $pki/ca.pem verify required verifyhost sidecar.mesh sni str(sidecar.mesh) ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3 ciphersuites $tls13_cipher
EOF
} >"$work/haproxy-a.cfg"

{
    haproxy_common
    cat <<EOF
frontend sidecar_b
    bind 127.0.0.1:18102 ssl crt $pki/leaf-with-key.pem ca-file $pki/ca.pem verify required ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3 ciphersuites $tls13_cipher curves $tls13_group
    default_backend backend
backend backend
    server s1 127.0.0.1:18080
EOF
} >"$work/haproxy-b.cfg"

cat >"$work/mecmesh.yaml" <<EOF
node:
  id: compare
admin:
  address: 127.0.0.1
  port: 18084
dataplane:
  transport: auto
  eventLoopThreads: 1
  listeners:
    - name: ingress
      address: 127.0.0.1
      port: 18083
    - name: tcp
      address: 127.0.0.1
      port: 18085
      tcpCluster: backend
  clusters:
    - name: backend
      endpoints: ["127.0.0.1:18080"]
      maxIdleConnectionsPerLoop: 128
  routes:
    - host: "*"
      pathPrefix: /
      cluster: backend
EOF

# mecmesh two-hop mTLS: a CA and an SVID per sidecar from the mecmesh CLI, keys generated here (0600).
mpki="$work/mecmesh-pki"
mkdir -p "$mpki"
printf 'compare-run-passphrase\n' >"$mpki/pass"
chmod 600 "$mpki/pass"
"$mecmesh_bin" cert init --trust-domain compare.mesh --dir "$mpki/ca" --passphrase-file "$mpki/pass" >/dev/null
for side in a b; do
    "$mecmesh_bin" cert issue --ca-dir "$mpki/ca" --spiffe-id "spiffe://compare.mesh/sidecar/$side" \
        --out "$mpki/$side" --passphrase-file "$mpki/pass" >/dev/null
done

cat >"$work/mecmesh-b.yaml" <<EOF
node:
  id: compare-b
admin:
  address: 127.0.0.1
  port: 18108
dataplane:
  transport: auto
  eventLoopThreads: 1
  listeners:
    - name: mesh-in
      address: 127.0.0.1
      port: 18106
      tls:
        mode: mesh
        certificateChain: $mpki/b/svid.pem
        privateKey: $mpki/b/svid-key.pem
        trustBundle: $mpki/b/bundle.pem
  clusters:
    - name: backend
      endpoints: ["127.0.0.1:18080"]
      maxIdleConnectionsPerLoop: 128
  routes:
    - host: "*"
      pathPrefix: /
      cluster: backend
      authorization:
        allow:
          - principals: ["spiffe://compare.mesh/sidecar/a"]
EOF

cat >"$work/mecmesh-a.yaml" <<EOF
node:
  id: compare-a
admin:
  address: 127.0.0.1
  port: 18107
dataplane:
  transport: auto
  eventLoopThreads: 1
  listeners:
    - name: ingress
      address: 127.0.0.1
      port: 18105
  clusters:
    - name: sidecar-b
      endpoints: ["127.0.0.1:18106"]
      maxIdleConnectionsPerLoop: 128
      tls:
        certificateChain: $mpki/a/svid.pem
        privateKey: $mpki/a/svid-key.pem
        trustBundle: $mpki/a/bundle.pem
        expectedPeer: spiffe://compare.mesh/sidecar/b
  routes:
    - host: "*"
      pathPrefix: /
      cluster: sidecar-b
EOF

# ---------------------------------------------------------------------------------------------------------------
# Start everything

log "starting backend and systems under test (work dir $work)"
start backend "$load_cpu" "$nginx_bin" -p "$work/" -c "$work/backend.conf"
wait_port 18080 backend
start haproxy "$sut_cpu" "$haproxy_bin" -db -f "$work/haproxy.cfg"
start nginx "$sut_cpu" "$nginx_bin" -p "$work/" -c "$work/nginx.conf"
start haproxy-mtls "$sut_cpu" "$haproxy_bin" -db -f "$work/haproxy-b.cfg"
start haproxy-mtls "$sut_cpu" "$haproxy_bin" -db -f "$work/haproxy-a.cfg"
start nginx-mtls "$sut_cpu" "$nginx_bin" -p "$work/" -c "$work/nginx-b.conf"
start nginx-mtls "$sut_cpu" "$nginx_bin" -p "$work/" -c "$work/nginx-a.conf"
start mecmesh "$sut_cpu" "$mecmesh_bin" run --config "$work/mecmesh.yaml"
start mecmesh-mtls "$sut_cpu" "$mecmesh_bin" run --config "$work/mecmesh-b.yaml"
start mecmesh-mtls "$sut_cpu" "$mecmesh_bin" run --config "$work/mecmesh-a.yaml"
for port in 18081 18082 18091 18092 18101 18102 18103 18104 18121 18122; do
    wait_port "$port" "port-$port"
done
wait_port 18083 mecmesh
deadline=$((SECONDS + 30))
for admin in 18084 18107 18108; do
    until curl -fsS -o /dev/null "http://127.0.0.1:$admin/ready" 2>/dev/null; do
        ((SECONDS < deadline)) || die "mecmesh (admin :$admin) not ready in 30 s: $(cat "$work"/mecmesh*.out)"
        sleep 0.2
    done
done
for url in http://127.0.0.1:18080/1k http://127.0.0.1:18081/1k http://127.0.0.1:18082/1k http://127.0.0.1:18083/1k \
    http://127.0.0.1:18105/1k http://127.0.0.1:18085/1k http://127.0.0.1:18101/1k http://127.0.0.1:18103/1k http://127.0.0.1:18121/1k http://127.0.0.1:18122/1k; do
    size="$(curl -fsS --max-time 5 -o /dev/null -w '%{size_download}' "$url")" || die "GET $url failed"
    [[ "$size" == 1024 ]] || die "GET $url: $size bytes, expected 1024"
done
for url in http://127.0.0.1:18090/1k http://127.0.0.1:18091/1k http://127.0.0.1:18092/1k \
    http://127.0.0.1:18083/1k; do
    size="$(curl -fsS --max-time 5 --http2-prior-knowledge -o /dev/null -w '%{size_download}' "$url")" \
        || die "h2c GET $url failed"
    [[ "$size" == 1024 ]] || die "h2c GET $url: $size bytes, expected 1024"
done

# Two-hop mTLS: each sidecar B probed with openssl s_client and the client certificate, once offering only the
# pinned suite (must be accepted) and once only TLS_AES_256_GCM_SHA384 (HAProxy and nginx must refuse it; mecmesh's
# B takes its client's order, and mecmesh's A, BoringSSL, offers the pinned suite first). Into raw/tls-check.txt.
# tls_probe PORT CERT KEY SUITE: "Protocol version=... Ciphersuite=... Server Temp Key=..." or "refused".
tls_probe()
{
    local result
    result="$(timeout 10 openssl s_client -connect "127.0.0.1:$1" -servername sidecar.mesh -cert "$2" -key "$3" \
        -ciphersuites "$4" -brief </dev/null 2>&1 \
        | awk -F': ' '/^Protocol version|^Ciphersuite|^Server Temp Key/ {printf "%s=%s; ", $1, $2}')"
    echo "${result:-refused}"
}
: >"$work/tls-check.txt"
for pair in haproxy-mtls=18102:$pki/leaf.pem:$pki/leaf.key nginx-mtls=18104:$pki/leaf.pem:$pki/leaf.key \
    mecmesh-mtls=18106:$mpki/a/svid.pem:$mpki/a/svid-key.pem; do
    IFS=: read -r b_port cert key <<<"${pair#*=}"
    pinned="$(tls_probe "$b_port" "$cert" "$key" "$tls13_cipher")"
    other="$(tls_probe "$b_port" "$cert" "$key" TLS_AES_256_GCM_SHA384)"
    echo "${pair%%=*} B offered $tls13_cipher only: $pinned offered TLS_AES_256_GCM_SHA384 only: $other" \
        >>"$work/tls-check.txt"
    [[ "$pinned" == *"$tls13_cipher"* ]] || die "${pair%%=*} B refused the pinned suite $tls13_cipher: $pinned"
    if [[ "${pair%%=*}" != mecmesh-mtls && "$other" != refused ]]; then
        die "${pair%%=*} B accepted a suite other than $tls13_cipher: $other"
    fi
done

# Two-hop mTLS on the wire: every TLS ServerHello sidecar B sends from the pre-warm to the end of the measurements
# (not the start-up checks' and s_client probes' above), captured by tcpdump on lo (only segments that begin with a
# TLS handshake record, so the capture stays small) and read by ServerHelloScan after the run: the suite and group
# each pair really negotiated, and how many full and resumed handshakes each made. Needs root.
capture_pid=""
if [[ "$(id -u)" == 0 ]] && command -v tcpdump >/dev/null; then
    taskset -c "$load_cpu" tcpdump -i lo -s 2048 -U -w "$work/server-hellos.pcap" \
        '(tcp src port 18102 or tcp src port 18104 or tcp src port 18106) and tcp[((tcp[12] & 0xf0) >> 2)] = 0x16' \
        >"$work/tcpdump.out" 2>&1 &
    capture_pid=$!
    started_pids+=("$capture_pid")
    deadline=$((SECONDS + 10))
    until grep -q 'listening on' "$work/tcpdump.out" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.1; done
else
    log "no capture of the sidecars' TLS handshakes (needs root and tcpdump)"
fi

# ---------------------------------------------------------------------------------------------------------------
# Cells: id | title | load generator arguments | system=port pairs measured | systems reported as "not yet"

cells=(
    "h1-1k-1000|HTTP/1.1, 1 KiB, 1,000 req/s|--rate 1000 --connections 32|direct=18080 haproxy=18081 nginx=18082 mecmesh=18083|"
    "h1-1k-10000|HTTP/1.1, 1 KiB, 10,000 req/s|--rate 10000 --connections 32|direct=18080 haproxy=18081 nginx=18082 mecmesh=18083|"
    "h1-1m-100|HTTP/1.1, 1 MiB, 100 req/s|--rate 100 --connections 16 --path /1m|direct=18080 haproxy=18081 nginx=18082 mecmesh=18083|"
    "h2c-1k-1000|HTTP/2 cleartext, 1 KiB, 1,000 req/s (8 connections x 4 streams)|--rate 1000 --connections 8 --http2 --streams 4|direct=18090 haproxy=18091 nginx=18092 mecmesh=18083|"
    "mtls-1k-1000|two-hop mTLS (A → TLS 1.3 → B → backend), 1 KiB, 1,000 req/s|--rate 1000 --connections 32|haproxy-mtls=18101 nginx-mtls=18103 mecmesh-mtls=18105|"
    "mtls-1k-10000|two-hop mTLS, 1 KiB, 10,000 req/s|--rate 10000 --connections 32|haproxy-mtls=18101 nginx-mtls=18103 mecmesh-mtls=18105|"
    "mtls-1k-max|two-hop mTLS, 1 KiB, maximum rate (closed loop, 32 connections)|--closed-loop --connections 32|haproxy-mtls=18101 nginx-mtls=18103 mecmesh-mtls=18105|"
    "tcp-1k-1000|L4 TCP relay, HTTP/1.1 1 KiB inside, 1,000 req/s|--rate 1000 --connections 32|direct=18080 haproxy=18121 nginx=18122 mecmesh=18085|"
)

: >"$raw/cells.tsv"
for cell in "${cells[@]}"; do
    IFS='|' read -r id title args measured notyet <<<"$cell"
    printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$title" "$args" "$measured" "$notyet" >>"$raw/cells.tsv"
done
printf 'cell\tsystem\trep\tstatus\tcpu_us\trss_kb\tjson\thlog\tsut_core_busy_us\twall_us\tgenerator\tgen_cpu_us\torigin_cpu_us\tload_core_busy_us\tload_core_peak_pct\tab_established\tab_time_wait\n' >"$raw/runs.tsv"

clk_tck="$(getconf CLK_TCK)"
loadgen_timeout=$((warmup + duration + 30))
warmup_h2load=""
((warmup > 0)) && warmup_h2load="--warm-up-time $warmup"
# The port of sidecar B per two-hop system: its A->B connections are counted after every run.
declare -A b_port_of=([haproxy-mtls]=18102 [nginx-mtls]=18104 [mecmesh-mtls]=18106)

# h2load_args ARGS: the loadgen arguments of a cell as h2load arguments (-c, --rps per connection, -m, --h1).
h2load_args()
{
    local args="$1" rate="" connections=32 streams=1 http2=false closed=false
    set -- $args
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --rate) rate="$2"; shift 2 ;;
            --connections) connections="$2"; shift 2 ;;
            --streams) streams="$2"; shift 2 ;;
            --http2) http2=true; shift ;;
            --closed-loop) closed=true; shift ;;
            *) shift ;;
        esac
    done
    local out="-c $connections -m $streams"
    [[ "$http2" == true ]] || out="$out --h1"
    if [[ "$closed" != true ]]; then
        out="$out --rps $(awk -v r="$rate" -v c="$connections" 'BEGIN {printf "%.3f", r / c}')"
    fi
    echo "$out"
}

# tcp_established PORT / tcp_time_wait PORT: TCP connections on 127.0.0.1 towards PORT (ss), one number.
tcp_established() { ss -Htn state established "( dport = :$1 )" 2>/dev/null | wc -l; }
tcp_time_wait() { ss -Htn state time-wait "( dport = :$1 )" 2>/dev/null | wc -l; }

# measure CELL SYSTEM REP PORT ARGS GENERATOR: one load generator run against one system.
# Around the run it records the system's CPU (its processes), the origin's CPU (the backend nginx), the busy ticks
# of both cores and the generator's own CPU (GNU time: user + sys of the whole process); while it runs, the
# system's peak RSS and CPU 1's busiest second (every ~100 ms sample, intervals of at least 1 s).
measure()
{
    local cell="$1" system="$2" rep="$3" port="$4" args="$5" generator="$6"
    local path=/1k
    if [[ "$args" == *"--path "* ]]; then
        path="${args##*--path }"
        path="${path%% *}"
        args="${args/--path $path/}"
    fi
    local name="$cell.$system.$rep"
    [[ "$generator" == h2load ]] && name="$name.h2load"
    local pids origin_pids
    pids="$(pids_of "$system")"
    origin_pids="$(pids_of backend)"
    # shellcheck disable=SC2086
    local before core_before wall_before origin_before load_before
    before="$(cpu_ticks $pids)"
    # shellcheck disable=SC2086
    origin_before="$(cpu_ticks $origin_pids)"
    core_before="$(core_busy_ticks "$sut_cpu")"
    load_before="$(core_busy_ticks "$load_cpu")"
    wall_before="$(date +%s%N)"
    local peak=0
    if [[ "$generator" == h2load ]]; then
        # shellcheck disable=SC2046,SC2086
        timeout "$loadgen_timeout" taskset -c "$load_cpu" /usr/bin/time -f '%U %S' -o "$raw/$name.time" \
            h2load $(h2load_args "$args") -D "$duration" ${warmup_h2load} --log-file "$raw/$name.log" \
            "http://127.0.0.1:$port$path" >"$raw/$name.out" 2>&1 &
    else
        # shellcheck disable=SC2086
        MECMESH_LOADGEN_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseSerialGC" \
            timeout "$loadgen_timeout" taskset -c "$load_cpu" /usr/bin/time -f '%U %S' -o "$raw/$name.time" \
            "$loadgen" --url "http://127.0.0.1:$port$path" $args \
            --duration "${duration}s" --warmup "${warmup}s" --quiet --watch-cpu "$load_cpu" \
            --watch-pid "$(echo $origin_pids | tr ' ' ',')" \
            --json "$raw/$name.json" --hlog "$raw/$name.hlog" >"$raw/$name.out" 2>&1 &
    fi
    local loadgen_pid=$!
    local rss load_peak=0 mark_ticks mark_ns now_ticks now_ns share
    mark_ticks="$load_before"
    mark_ns="$wall_before"
    while kill -0 "$loadgen_pid" 2>/dev/null; do
        # shellcheck disable=SC2086
        rss="$(rss_kb $pids)"
        ((rss > peak)) && peak=$rss
        now_ns="$(date +%s%N)"
        if ((now_ns - mark_ns >= 1000000000)); then
            now_ticks="$(core_busy_ticks "$load_cpu")"
            share=$(((now_ticks - mark_ticks) * 100 * 1000000000 / clk_tck / (now_ns - mark_ns)))
            ((share > load_peak)) && load_peak=$share
            mark_ticks="$now_ticks"
            mark_ns="$now_ns"
        fi
        sleep 0.1
    done
    local status=ok
    wait "$loadgen_pid" || status="exit-$?"
    # shellcheck disable=SC2086
    local after core_after wall_after origin_after load_after
    after="$(cpu_ticks $pids)"
    # shellcheck disable=SC2086
    origin_after="$(cpu_ticks $origin_pids)"
    core_after="$(core_busy_ticks "$sut_cpu")"
    load_after="$(core_busy_ticks "$load_cpu")"
    wall_after="$(date +%s%N)"
    if [[ "$generator" == h2load ]]; then
        grep -q '^finished in' "$raw/$name.out" || status="${status}-no-summary"
    else
        [[ -s "$raw/$name.json" ]] || status="${status}-no-json"
    fi
    local gen_cpu_us=-1
    if [[ -s "$raw/$name.time" ]]; then
        gen_cpu_us="$(awk 'NF == 2 && $1 ~ /^[0-9.]+$/ {printf "%d", ($1 + $2) * 1000000}' "$raw/$name.time" | tail -1)"
        gen_cpu_us="${gen_cpu_us:--1}"
    fi
    # Two-hop mTLS: the A->B connections after the run (established and in TIME-WAIT: connections closed in the
    # last minute), so that connection reuse between the sidecars is visible per system.
    local ab_established=-1 ab_time_wait=-1
    if [[ -n "${b_port_of[$system]:-}" ]]; then
        ab_established="$(tcp_established "${b_port_of[$system]}")"
        ab_time_wait="$(tcp_time_wait "${b_port_of[$system]}")"
    fi
    local cpu_us=$(((after - before) * 1000000 / clk_tck))
    local json_file="$name.json" hlog_file="$name.hlog"
    if [[ "$generator" == h2load ]]; then
        json_file="$name.out"
        hlog_file="$name.log"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cell" "$system" "$rep" \
        "$status" "$cpu_us" "$peak" "$json_file" "$hlog_file" "$(((core_after - core_before) * 1000000 / clk_tck))" \
        "$(((wall_after - wall_before) / 1000))" "$generator" "$gen_cpu_us" \
        "$(((origin_after - origin_before) * 1000000 / clk_tck))" "$(((load_after - load_before) * 1000000 / clk_tck))" \
        "$load_peak" "$ab_established" "$ab_time_wait" >>"$raw/runs.tsv"
    log "$cell $system rep $rep ($generator): $status, cpu ${cpu_us} us, peak rss ${peak} kB, CPU $load_cpu peak ${load_peak} %"
}

# ---------------------------------------------------------------------------------------------------------------
# Pre-warm (unmeasured): every system gets the same load, so the JVM's JIT is not warmed up in the measured runs.

# Every port a cell measures, with the protocol it is measured with: a port left out is measured cold (until
# 2026-12-08 the mecmesh two-hop pair, :18105, was: its first 1,000 req/s cell ran while C2 compiled, p99 168 ms).
log "pre-warm: ${prewarm}s per system and protocol"
for target in 18081 18082 18083 18101 18103 18105 18121 18122 18085 h2:18091 h2:18092 h2:18083; do
    port=${target#h2:} protocol_args=()
    [[ "$target" == h2:* ]] && protocol_args=(--http2 --streams 4)
    MECMESH_LOADGEN_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseSerialGC" \
        timeout $((prewarm + 30)) taskset -c "$load_cpu" "$loadgen" --url "http://127.0.0.1:$port/1k" \
        --rate 5000 --connections 32 "${protocol_args[@]}" --duration "${prewarm}s" --quiet >/dev/null 2>&1 \
        || log "pre-warm of $target failed"
done

started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
run_start=$SECONDS
for ((rep = 1; rep <= reps; rep++)); do
    for cell in "${cells[@]}"; do
        IFS='|' read -r id title args measured notyet <<<"$cell"
        for pair in $measured; do
            # Odd repetitions run mecmesh-loadgen first, even ones h2load first: neither generator always meets a
            # system right after the other has warmed it.
            order="${generators//,/ }"
            ((rep % 2 == 0)) && order="$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')"
            for generator in $order; do
                measure "$id" "${pair%%=*}" "$rep" "${pair#*=}" "$args" "$generator"
            done
        done
    done
done
log "measured in $((SECONDS - run_start)) s"
if [[ -n "$capture_pid" ]]; then
    kill -INT "$capture_pid" 2>/dev/null || true
    wait "$capture_pid" 2>/dev/null || true
    java -cp "$perf_dir/target/classes" io.mecmesh.perf.report.ServerHelloScan "$work/server-hellos.pcap" \
        >"$work/server-hellos.txt" 2>&1 || log "could not read the capture: $(cat "$work/server-hellos.txt")"
fi

# ---------------------------------------------------------------------------------------------------------------
# JMH (optional), metadata, report

if [[ "$run_jmh" == true ]]; then
    jmh_command="perf/bin/mecmesh-bench -f 1 -wi 5 -w 2s -i 5 -r 1s -prof gc -rf json -rff perf/results/jmh.json"
    log "JMH: $jmh_command"
    (cd "$root_dir" && taskset -c "$sut_cpu" timeout 900 $jmh_command >"$work/jmh.out" 2>&1) || die "JMH failed: $(tail -20 "$work/jmh.out")"
    echo "taskset -c $sut_cpu $jmh_command" >"$results_dir/jmh-command.txt"
fi

version_of() { "$@" 2>&1 | head -1 || true; }
{
    echo "started=$started_at"
    echo "command=$command_line"
    echo "duration=$duration"
    echo "warmup=$warmup"
    echo "reps=$reps"
    echo "prewarm=$prewarm"
    echo "nproc=$machine_nproc"
    echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "loadavg_start=$loadavg_start"
    echo "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "kernel=$(uname -sr)"
    echo "memory=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "java=$(version_of java -version)"
    echo "nginx=$(version_of "$nginx_bin" -v)"
    echo "haproxy=$(version_of "$haproxy_bin" -v)"
    echo "mecmesh=$(version_of "$mecmesh_bin" --version)"
    echo "mecmesh_transport=$(grep -o 'transport[^,]*' "$work/mecmesh.out" | head -1 || true)"
    echo "sut_cpu=$sut_cpu"
    echo "load_cpu=$load_cpu"
    echo "generators=$generators"
    echo "h2load=$(version_of h2load --version)"
} >"$raw/meta.properties"
cp "$work"/*.yaml "$work"/*.cfg "$work"/*.conf "$work/tls-check.txt" "$raw/"
[[ -f "$work/server-hellos.txt" ]] && cp "$work/server-hellos.txt" "$raw/"

rm -rf "$results_dir/raw"
cp -r "$raw" "$results_dir/raw"
report "$results_dir/raw"
