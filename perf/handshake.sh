#!/usr/bin/env bash
# perf/handshake.sh: server-side CPU per TLS 1.3 mutual-auth handshake, mecmesh's inbound mesh listener against
# HAProxy, full handshakes and resumed ones (session tickets).
#
# Starts, all on 127.0.0.1, each with its configuration in a temporary directory, the same SPIFFE SVIDs (from
# `mecmesh cert init` / `mecmesh cert issue`: ECDSA P-256, one root) and mutual authentication required:
#   haproxy           1 thread, `bind ... ssl crt ... ca-file ... verify required ssl-min-ver TLSv1.3`, HTTP mode
#                     answering by itself (no backend): :18201
#   mecmesh           packaging/target/mecmesh/bin/mecmesh run, eventLoopThreads 1, a `tls.mode: mesh` listener as in
#                     compare.sh's sidecar B: :18202 (admin :18212)
# The servers run on CPU 0; the client (perf/bin/tls-handshake-client, Python's ssl module over OpenSSL) and this
# script on CPU 1. Each run is COUNT sequential handshakes, each on a new connection closed right after it (no
# application data); CPU = utime + stime of the server process (all threads) from /proc/PID/stat before and after,
# divided by the handshakes. "resumed" runs offer a session ticket (one priming connection with one request first)
# and count the handshakes the server really resumed. Before measuring: `openssl s_client -sess_out` / `-sess_in`
# checks resumption independently, and every system gets WARMUP full and WARMUP resumed handshakes (the JVM's JIT).
# Repetitions interleave the systems; the report gives medians. Writes perf/results/handshake.md (and the raw data
# in perf/results/raw-handshake/) and puts it into perf/RESULTS.md between section markers.
#
# Build first (from the repository root): mvn -B -q -DskipTests package   (fills packaging/target/mecmesh).
set -euo pipefail

usage()
{
    cat <<'EOF'
usage: perf/handshake.sh [--count N] [--warmup N] [--reps N] [--keep]

  --count N    handshakes per measured run (default 2000)
  --warmup N   unmeasured full and resumed handshakes per system before measuring (default 2000)
  --reps N     interleaved repetitions (default 3)
  --keep       keep the temporary directory (configurations, logs) and print its path
  --help       this text

Needs 2 CPUs, haproxy, openssl, python3 and curl, and ports 18201, 18202 and 18212 free on 127.0.0.1.
EOF
}

count=2000
warmup=2000
reps=3
keep=false
command_line="perf/handshake.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        --help|-h) usage; exit 0 ;;
        *) echo "handshake.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
for n in "$count" "$warmup" "$reps"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "handshake.sh: expected a whole number, got \"$n\"" >&2; exit 2; }
done
((count >= 1 && reps >= 1)) || { echo "handshake.sh: --count and --reps must be at least 1" >&2; exit 2; }

perf_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(dirname "$perf_dir")"
mecmesh_bin="$root_dir/packaging/target/mecmesh/bin/mecmesh"
client="$perf_dir/bin/tls-handshake-client"
results_dir="$perf_dir/results"
server_cpu=0
client_cpu=1
systems=(haproxy mecmesh)
declare -A port_of=([haproxy]=18201 [mecmesh]=18202)

log() { printf '[handshake %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

((($(nproc)) >= 2)) || die "needs at least 2 CPUs"
[[ -x "$mecmesh_bin" ]] || die "no $mecmesh_bin: run mvn -B -q -DskipTests package first"
for tool in haproxy openssl python3 curl taskset; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
for port in 18201 18202 18212; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is in use"
    fi
done

taskset -cp "$client_cpu" $$ >/dev/null
work="$(mktemp -d /tmp/mecmesh-handshake.XXXXXX)"
raw="$work/raw"
mkdir -p "$raw" "$results_dir"

started_pids=()
cleanup()
{
    local pid
    for pid in "${started_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 10))
    for pid in "${started_pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ "$keep" == true ]]; then
        log "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

declare -A pid_of=()
start()
{
    local name="$1"
    shift
    taskset -c "$server_cpu" "$@" >"$work/$name.out" 2>&1 &
    pid_of[$name]=$!
    started_pids+=("$!")
}

# cpu_ticks PID: utime + stime (clock ticks) of the process, all its threads.
cpu_ticks()
{
    local stat
    stat="$(cat "/proc/$1/stat")"
    stat="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}

# ---------------------------------------------------------------------------------------------------------------
# Identities and configurations

pki="$work/pki"
mkdir -p "$pki"
printf 'handshake-run-passphrase\n' >"$pki/pass"
chmod 600 "$pki/pass"
"$mecmesh_bin" cert init --trust-domain handshake.mesh --dir "$pki/ca" --passphrase-file "$pki/pass" >/dev/null
for side in server client; do
    "$mecmesh_bin" cert issue --ca-dir "$pki/ca" --spiffe-id "spiffe://handshake.mesh/$side" \
        --out "$pki/$side" --passphrase-file "$pki/pass" >/dev/null
done
cat "$pki/server/svid.pem" "$pki/server/svid-key.pem" >"$pki/server/haproxy.pem"
chmod 600 "$pki/server/haproxy.pem"

cat >"$work/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend mesh_in
    bind 127.0.0.1:18201 ssl crt $pki/server/haproxy.pem ca-file $pki/server/bundle.pem verify required ssl-min-ver TLSv1.3
    http-request return status 200
EOF

mecmesh_config()
{
    cat <<EOF
node:
  id: handshake-$1
admin:
  address: 127.0.0.1
  port: $3
dataplane:
  transport: auto
  eventLoopThreads: 1
  listeners:
    - name: mesh-in
      address: 127.0.0.1
      port: $2
      tls:
        mode: mesh
        certificateChain: $pki/server/svid.pem
        privateKey: $pki/server/svid-key.pem
        trustBundle: $pki/server/bundle.pem
  clusters:
    - name: backend
      endpoints: ["127.0.0.1:18299"]
  routes:
    - host: "*"
      pathPrefix: /
      cluster: backend
EOF
}
mecmesh_config default 18202 18212 >"$work/mecmesh.yaml"

log "starting the servers (work dir $work)"
start haproxy haproxy -db -f "$work/haproxy.cfg"
start mecmesh "$mecmesh_bin" run --config "$work/mecmesh.yaml"
deadline=$((SECONDS + 60))
for admin in 18212; do
    until curl -fsS -o /dev/null "http://127.0.0.1:$admin/ready" 2>/dev/null; do
        ((SECONDS < deadline)) || die "mecmesh (admin :$admin) not ready in 60 s: $(cat "$work"/mecmesh*.out)"
        sleep 0.2
    done
done
until (exec 3<>"/dev/tcp/127.0.0.1/18201") 2>/dev/null; do
    ((SECONDS < deadline)) || die "haproxy did not listen: $(cat "$work/haproxy.out")"
    sleep 0.1
done

# run_client SYSTEM COUNT [--resume]: the client's JSON line.
run_client()
{
    local system="$1" n="$2"
    shift 2
    timeout $((n / 20 + 60)) taskset -c "$client_cpu" "$client" --port "${port_of[$system]}" --count "$n" \
        --cert "$pki/client/svid.pem" --key "$pki/client/svid-key.pem" --ca "$pki/client/bundle.pem" "$@"
}

json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# ---------------------------------------------------------------------------------------------------------------
# Resumption, checked with openssl s_client (independent of the client above)

# s_client PORT ARGS...: openssl s_client with the client's SVID, bounded to 10 s.
s_client() { timeout 10 openssl s_client -connect "127.0.0.1:$1" -tls1_3 -cert "$pki/client/svid.pem" \
    -key "$pki/client/svid-key.pem" -CAfile "$pki/client/bundle.pem" "${@:2}"; }
printf 'system\tfirst\tsecond\tserver_temp_key\n' >"$raw/s_client.tsv"
for system in "${systems[@]}"; do
    port="${port_of[$system]}"
    first="$( (printf 'GET / HTTP/1.1\r\nHost: handshake.bench\r\nConnection: close\r\n\r\n'; sleep 3) \
        | s_client "$port" -sess_out "$work/$system.session" 2>&1 || true)"
    if [[ -s "$work/$system.session" ]]; then
        second="$( (sleep 1) | s_client "$port" -sess_in "$work/$system.session" 2>&1 \
            | grep -oE '^(New|Reused), TLSv[0-9.]+' || true)"
    else
        second="no session ticket received"
    fi
    printf '%s\t%s\t%s\t%s\n' "$system" "$(grep -oE '^(New|Reused), TLSv[0-9.]+' <<<"$first" || echo failed)" \
        "$second" "$(grep -oE 'Server Temp Key: [^,]+' <<<"$first" | cut -d' ' -f4 || true)" >>"$raw/s_client.tsv"
    log "s_client $system: second connection: $second"
done

# ---------------------------------------------------------------------------------------------------------------
# Warm-up, idle CPU, measurement

clk_tck="$(getconf CLK_TCK)"
for system in "${systems[@]}"; do
    if ((warmup > 0)); then
        log "warm-up $system: $warmup full + $warmup resumed"
        run_client "$system" "$warmup" >/dev/null || die "warm-up of $system failed"
        run_client "$system" "$warmup" --resume >/dev/null || die "warm-up of $system failed"
    fi
done
printf 'system\tidle_cpu_us_per_s\n' >"$raw/idle.tsv"
for system in "${systems[@]}"; do
    before="$(cpu_ticks "${pid_of[$system]}")"
    sleep 5
    after="$(cpu_ticks "${pid_of[$system]}")"
    printf '%s\t%s\n' "$system" $(((after - before) * 1000000 / clk_tck / 5)) >>"$raw/idle.tsv"
done

started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'rep\tmode\tsystem\tcpu_us\thandshakes\treused\ttickets\tfailures\twall_s\n' >"$raw/runs.tsv"
for ((rep = 1; rep <= reps; rep++)); do
    for mode in full resumed; do
        for system in "${systems[@]}"; do
            args=()
            [[ "$mode" == resumed ]] && args=(--resume)
            before="$(cpu_ticks "${pid_of[$system]}")"
            out="$(run_client "$system" "$count" "${args[@]}")" || die "$system $mode rep $rep failed: $out"
            after="$(cpu_ticks "${pid_of[$system]}")"
            cpu_us=$(((after - before) * 1000000 / clk_tck))
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$mode" "$system" "$cpu_us" \
                "$(json_field "$out" handshakes)" "$(json_field "$out" reused)" "$(json_field "$out" tickets)" \
                "$(json_field "$out" failures)" "$(json_field "$out" wall_s)" >>"$raw/runs.tsv"
            log "rep $rep $mode $system: cpu ${cpu_us} us, $out"
        done
    done
done
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------
# Report: medians per (mode, system), into perf/results/handshake.md and RESULTS.md

# median MODE SYSTEM EXPR: the median over repetitions of an awk expression over the runs.tsv columns.
median()
{
    awk -F'\t' -v mode="$1" -v sys="$2" -v idle="$(idle_of "$2")" 'NR > 1 && $2 == mode && $3 == sys { printf "%.3f\n", '"$3"' }' \
        "$raw/runs.tsv" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
            else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
spread()
{
    awk -F'\t' -v mode="$1" -v sys="$2" -v idle="$(idle_of "$2")" 'NR > 1 && $2 == mode && $3 == sys { printf "%.3f\n", '"$3"' }' \
        "$raw/runs.tsv" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f–%.0f", lo, hi }'
}
idle_of() { awk -F'\t' -v sys="$1" '$1 == sys { print $2 }' "$raw/idle.tsv"; }
label() { case "$1" in haproxy) echo "HAProxy" ;; mecmesh) echo "mecmesh" ;; esac; }

declare -A cpu=() corrected=()
for mode in full resumed; do
    for system in "${systems[@]}"; do
        cpu[$mode.$system]="$(median "$mode" "$system" '$4 / $5')"
        corrected[$mode.$system]="$(median "$mode" "$system" '($4 - idle * $9) / $5')"
    done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "pass" : "**fail**") }'; }

fragment="$results_dir/handshake.md"
{
    echo "## TLS handshake CPU (issue 5)"
    echo
    echo "Generated by \`$command_line\` ($started_at): rerun it rather than editing this section (\`perf/compare.sh\` keeps it)."
    echo
    echo "Server-side CPU per TLS 1.3 mutual-auth handshake (utime + stime of the server process, all threads, from"
    echo "\`/proc/PID/stat\` around $count sequential handshakes, each on a new connection closed right after it, no"
    echo "application data), median of $reps interleaved repetitions (min–max in brackets), after $warmup unmeasured"
    echo "full and $warmup resumed handshakes per system. Both servers: the same \`mecmesh cert\` SVIDs (ECDSA P-256),"
    echo "client certificate required and validated, one thread / one event loop pinned to CPU 0; the client"
    echo "(\`perf/bin/tls-handshake-client\`, Python \`ssl\` over OpenSSL $(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION.split()[1])')) on CPU 1, so the key exchange is X25519"
    echo "for both (the client does not offer X25519MLKEM768). Resumed: every connection offers the latest session"
    echo "ticket; the reused column is what the client saw (\`SSL_session_reused\`). Before a resumed run, one priming"
    echo "connection sends one request: Netty's SslHandler sends the TLS 1.3 tickets with the server's first write, so a"
    echo "connection that never gets an answer never gets a ticket. \"less idle CPU\" subtracts the process's CPU with no load"
    echo "(measured for 5 s, a JVM's timers and GC) times the run's wall time. Clock-tick resolution: 10 ms per run."
    echo "Load average $loadavg_start at the start, $loadavg_end at the end (2 cores$(awk -v l="${loadavg_start%% *}" 'BEGIN { if (l > 1.5) print "; figures taken while other builds and tests ran on the machine" }'))."
    echo
    echo "| mode | system | CPU µs per handshake | less idle CPU | handshakes resumed | idle CPU µs/s | wall ms per handshake |"
    echo "|---|---|---|---|---|---|---|"
    for mode in full resumed; do
        for system in "${systems[@]}"; do
            reused="$(awk -F'\t' -v mode="$mode" -v sys="$system" 'NR > 1 && $2 == mode && $3 == sys \
                { r += $6; h += $5 } END { printf "%d / %d", r, h }' "$raw/runs.tsv")"
            printf '| %s | %s | %.0f (%s) | %.0f | %s | %s | %.1f |\n' "$mode" "$(label "$system")" \
                "${cpu[$mode.$system]}" "$(spread "$mode" "$system" '$4 / $5')" "${corrected[$mode.$system]}" \
                "$reused" "$(idle_of "$system")" "$(median "$mode" "$system" '$9 * 1000 / $5')"
        done
    done
    echo
    echo "Independent check with \`openssl s_client -sess_out\` (after one request) then \`-sess_in\`:"
    echo
    echo "| system | first connection | second connection (offering the ticket) | key exchange |"
    echo "|---|---|---|---|"
    tail -n +2 "$raw/s_client.tsv" | while IFS=$'\t' read -r system first second group; do
        echo "| $(label "$system") | $first | $second | $group |"
    done
    echo
    echo "The bar (issue 5):"
    echo
    echo "| criterion | mecmesh | HAProxy | result |"
    echo "|---|---|---|---|"
    full_m="${cpu[full.mecmesh]}" full_h="${cpu[full.haproxy]}"
    printf '| full handshake CPU ≤ HAProxy'"'"'s | %.0f µs | %.0f µs | %s (%s×) |\n' "$full_m" "$full_h" \
        "$(verdict "$(awk -v a="$full_m" -v b="$full_h" 'BEGIN { print (a <= b) }')")" "$(ratio "$full_m" "$full_h")"
    f="${cpu[full.mecmesh]}" r="${cpu[resumed.mecmesh]}"
    printf '| resumed ≥ 5× cheaper than full (full ÷ resumed) | %s× | %s× | %s |\n' "$(ratio "$f" "$r")" \
        "$(ratio "${cpu[full.haproxy]}" "${cpu[resumed.haproxy]}")" \
        "$(verdict "$(awk -v a="$f" -v b="$r" 'BEGIN { print (b > 0 && a / b >= 5) }')")"
    echo
    echo "What a resumed handshake saves here: the client (OpenSSL's default) offers the \`psk_dhe_ke\` mode only, so a"
    echo "resumed TLS 1.3 handshake still does the X25519 exchange and the server still issues new tickets; it saves the"
    echo "server's certificate signature and the validation of the client's chain (in mecmesh, the SPIFFE checks in"
    echo "Java), not the key exchange nor the connection's own cost (accept, TLS objects, close). Both servers save"
    echo "alike; a 5× saving would need \`psk_ke\` (no key exchange, no forward secrecy for resumed sessions) or fewer"
    echo "connections (reuse), not a server-side change."
    echo
} >"$fragment"
{
    echo "started=$started_at"
    echo "command=$command_line"
    echo "loadavg_start=$loadavg_start"
    echo "loadavg_end=$loadavg_end"
    echo "haproxy=$(haproxy -v 2>&1 | head -1)"
    echo "mecmesh=$("$mecmesh_bin" --version 2>&1 | head -1)"
    echo "mecmesh_tls=$(grep -o 'TLS provider: [A-Za-z]*' "$work/mecmesh.out" | head -1 || true)"
} >"$raw/meta.properties"
cp "$work/haproxy.cfg" "$work"/*.yaml "$raw/"
rm -rf "$results_dir/raw-handshake"
cp -r "$raw" "$results_dir/raw-handshake"
"$perf_dir/bin/splice-results-section" "$perf_dir/RESULTS.md" handshake "$fragment"
log "wrote $fragment and its section of $perf_dir/RESULTS.md"
cat "$fragment"
