#!/usr/bin/env bash
# perf/handshake.sh: server-side CPU per TLS 1.3 mutual-auth handshake, mecmesh's inbound mesh listener against
# HAProxy, full handshakes and resumed ones (session tickets), and the connection floor under both: the same
# connect-then-close pattern over plain TCP, so that the handshake's own cost (full - floor, resumed - floor) shows.
#
# Starts, all on 127.0.0.1, each with its configuration in a temporary directory, the same SPIFFE SVIDs (from
# `mecmesh cert init` / `mecmesh cert issue`: ECDSA P-256, one root) and mutual authentication required:
#   haproxy           1 thread, `bind ... ssl crt ... ca-file ... verify required ssl-min-ver TLSv1.3`, HTTP mode
#                     answering by itself (no backend): :18201; the same frontend without TLS (the floor): :18203
#   mecmesh           packaging/target/mecmesh/bin/mecmesh run, eventLoopThreads 1, a `tls.mode: mesh` listener as in
#                     compare.sh's sidecar B: :18202 (admin :18212); a plain HTTP listener (the floor): :18204
# The servers run on CPU 0; the client (perf/bin/tls-handshake-client, Python's ssl module over OpenSSL) and this
# script on CPU 1. Each run is COUNT sequential handshakes, each on a new connection closed right after it (no
# application data); CPU = utime + stime of the server process (all threads) from /proc/PID/stat before and after,
# divided by the handshakes. "resumed" runs offer a session ticket (one priming connection with one request first)
# and count the handshakes the server really resumed. "floor" runs (tls-handshake-client --plain) connect to the
# plain port of the same process and close without sending a byte (connect, FIN, read to the server's EOF), as the
# handshake runs close without a request. Before measuring: `openssl s_client -sess_out` / `-sess_in` checks
# resumption independently, and every system gets WARMUP floor, WARMUP full and WARMUP resumed connections (the
# JVM's JIT).
# Repetitions interleave the systems; the report gives medians. Writes perf/results/handshake.md (and the raw data
# in perf/results/raw-handshake/) and puts it into perf/RESULTS.md between section markers.
#
# Build first (from the repository root): mvn -B -q -DskipTests package   (fills packaging/target/mecmesh).
# MECMESH_JAVA_OPTS reaches mecmesh's launcher, e.g. a JFR recording for a profile (not for the reported figures):
#   MECMESH_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/hs.jfr' perf/handshake.sh --modes resumed
set -euo pipefail

usage()
{
    cat <<'EOF'
usage: perf/handshake.sh [--count N] [--warmup N] [--reps N] [--modes LIST] [--keep]

  --count N     handshakes (connections) per measured run (default 2000)
  --warmup N    unmeasured floor, full and resumed connections per system before measuring (default 2000)
  --reps N      interleaved repetitions (default 3)
  --modes LIST  comma-separated subset of floor,full,resumed to measure (default all three; the report and
                RESULTS.md are only written with all three)
  --keep        keep the temporary directory (configurations, logs) and print its path
  --help        this text

Needs 2 CPUs, haproxy, openssl, python3 and curl, and ports 18201-18204 and 18212 free on 127.0.0.1.
EOF
}

count=2000
warmup=2000
reps=3
modes_arg=floor,full,resumed
keep=false
command_line="perf/handshake.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --modes) modes_arg="$2"; shift 2 ;;
        --keep) keep=true; shift ;;
        --help|-h) usage; exit 0 ;;
        *) echo "handshake.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
for n in "$count" "$warmup" "$reps"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "handshake.sh: expected a whole number, got \"$n\"" >&2; exit 2; }
done
((count >= 1 && reps >= 1)) || { echo "handshake.sh: --count and --reps must be at least 1" >&2; exit 2; }
IFS=, read -r -a modes <<<"$modes_arg"
for mode in "${modes[@]}"; do
    [[ "$mode" =~ ^(floor|full|resumed)$ ]] || { echo "handshake.sh: --modes: unknown mode \"$mode\"" >&2; exit 2; }
done
all_modes=false
[[ " ${modes[*]} " == *" floor "* && " ${modes[*]} " == *" full "* && " ${modes[*]} " == *" resumed "* ]] && all_modes=true

perf_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root_dir="$(dirname "$perf_dir")"
mecmesh_bin="$root_dir/packaging/target/mecmesh/bin/mecmesh"
client="$perf_dir/bin/tls-handshake-client"
results_dir="$perf_dir/results"
server_cpu=0
client_cpu=1
systems=(haproxy mecmesh)
declare -A port_of=([haproxy]=18201 [mecmesh]=18202)
declare -A plain_port_of=([haproxy]=18203 [mecmesh]=18204)

log() { printf '[handshake %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

((($(nproc)) >= 2)) || die "needs at least 2 CPUs"
[[ -x "$mecmesh_bin" ]] || die "no $mecmesh_bin: run mvn -B -q -DskipTests package first"
for tool in haproxy openssl python3 curl taskset; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
for port in 18201 18202 18203 18204 18212; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port on 127.0.0.1 is in use"
    fi
done

taskset -cp "$client_cpu" $$ >/dev/null
work="$(mktemp -d /tmp/mecmesh-handshake.XXXXXX)"
raw="$work/raw"
mkdir -p "$raw" "$results_dir"

# shellcheck source=lib/harness.sh
source "$perf_dir/lib/harness.sh"   # started_pids, cleanup on exit

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

# jit_ticks PID: utime + stime (clock ticks) of the process's JIT compiler threads (HotSpot's "C1/C2 CompilerThre"),
# 0 for a process without them: the part of a JVM's CPU that is compiling, not serving.
jit_ticks()
{
    local task comm stat total=0
    for task in /proc/"$1"/task/*; do
        comm="$(cat "$task/comm" 2>/dev/null)" || continue
        [[ "$comm" == C[12]\ CompilerThre* ]] || continue
        stat="$(cat "$task/stat" 2>/dev/null)" || continue
        stat="${stat##*) }"
        # shellcheck disable=SC2086
        set -- $stat
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
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
frontend plain_in
    bind 127.0.0.1:18203
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
    - name: plain-in
      address: 127.0.0.1
      port: $4
  clusters:
    - name: backend
      endpoints: ["127.0.0.1:18299"]
  routes:
    - host: "*"
      pathPrefix: /
      cluster: backend
EOF
}
mecmesh_config default 18202 18212 18204 >"$work/mecmesh.yaml"

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
for port in 18201 18203; do
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        ((SECONDS < deadline)) || die "haproxy did not listen on $port: $(cat "$work/haproxy.out")"
        sleep 0.1
    done
done

# run_client SYSTEM MODE COUNT: the client's JSON line; MODE is floor (plain TCP), full or resumed.
run_client()
{
    local system="$1" mode="$2" n="$3"
    case "$mode" in
        floor)
            timeout $((n / 20 + 60)) taskset -c "$client_cpu" "$client" --port "${plain_port_of[$system]}" \
                --count "$n" --plain ;;
        full|resumed)
            local args=()
            [[ "$mode" == resumed ]] && args=(--resume)
            timeout $((n / 20 + 60)) taskset -c "$client_cpu" "$client" --port "${port_of[$system]}" --count "$n" \
                --cert "$pki/client/svid.pem" --key "$pki/client/svid-key.pem" --ca "$pki/client/bundle.pem" \
                "${args[@]}" ;;
    esac
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
        log "warm-up $system: $warmup floor + $warmup full + $warmup resumed"
        for mode in floor full resumed; do
            run_client "$system" "$mode" "$warmup" >/dev/null || die "warm-up of $system ($mode) failed"
        done
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
printf 'rep\tmode\tsystem\tcpu_us\thandshakes\treused\ttickets\tfailures\twall_s\tjit_us\n' >"$raw/runs.tsv"
for ((rep = 1; rep <= reps; rep++)); do
    for mode in "${modes[@]}"; do
        for system in "${systems[@]}"; do
            before="$(cpu_ticks "${pid_of[$system]}")" jit_before="$(jit_ticks "${pid_of[$system]}")"
            out="$(run_client "$system" "$mode" "$count")" || die "$system $mode rep $rep failed: $out"
            after="$(cpu_ticks "${pid_of[$system]}")" jit_after="$(jit_ticks "${pid_of[$system]}")"
            cpu_us=$(((after - before) * 1000000 / clk_tck))
            jit_us=$(((jit_after - jit_before) * 1000000 / clk_tck))
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$mode" "$system" "$cpu_us" \
                "$(json_field "$out" handshakes)" "$(json_field "$out" reused)" "$(json_field "$out" tickets)" \
                "$(json_field "$out" failures)" "$(json_field "$out" wall_s)" "$jit_us" >>"$raw/runs.tsv"
            log "rep $rep $mode $system: cpu ${cpu_us} us, $out"
        done
    done
done
loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------
# Report: medians per (mode, system), into perf/results/handshake.md and RESULTS.md

if [[ "$all_modes" != true ]]; then
    log "measured only ${modes[*]}: no report written; the runs:"
    column -t -s $'\t' "$raw/runs.tsv" >&2
    exit 0
fi

# median_of_lines: the median of the numbers on standard input, one a line ("nan" when there are none).
median_of_lines()
{
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
        else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# median MODE SYSTEM EXPR: the median over repetitions of an awk expression over the runs.tsv columns.
median()
{
    awk -F'\t' -v mode="$1" -v sys="$2" -v idle="$(idle_of "$2")" 'NR > 1 && $2 == mode && $3 == sys { printf "%.3f\n", '"$3"' }' \
        "$raw/runs.tsv" | median_of_lines
}
spread()
{
    awk -F'\t' -v mode="$1" -v sys="$2" -v idle="$(idle_of "$2")" 'NR > 1 && $2 == mode && $3 == sys { printf "%.3f\n", '"$3"' }' \
        "$raw/runs.tsv" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f–%.0f", lo, hi }'
}
# above_floor MODE SYSTEM [EXPR]: the median over repetitions of MODE's CPU per connection (EXPR, default $4 / $5)
# less the floor's of the same repetition (the handshake's own cost).
above_floor()
{
    awk -F'\t' -v mode="$1" -v sys="$2" 'NR > 1 && $3 == sys { v[$1 SUBSEP $2] = '"${3:-\$4 / \$5}"'; reps[$1] = 1 }
        END { for (r in reps) if ((r SUBSEP mode) in v && (r SUBSEP "floor") in v)
            printf "%.3f\n", v[r SUBSEP mode] - v[r SUBSEP "floor"] }' "$raw/runs.tsv" | median_of_lines
}
idle_of() { awk -F'\t' -v sys="$1" '$1 == sys { print $2 }' "$raw/idle.tsv"; }
label() { case "$1" in haproxy) echo "HAProxy" ;; mecmesh) echo "mecmesh" ;; esac; }

declare -A cpu=() corrected=() handshake=() handshake_nojit=()
for mode in floor full resumed; do
    for system in "${systems[@]}"; do
        cpu[$mode.$system]="$(median "$mode" "$system" '$4 / $5')"
        corrected[$mode.$system]="$(median "$mode" "$system" '($4 - idle * $9) / $5')"
    done
done
for mode in full resumed; do
    for system in "${systems[@]}"; do
        handshake[$mode.$system]="$(above_floor "$mode" "$system")"
        handshake_nojit[$mode.$system]="$(above_floor "$mode" "$system" '($4 - $10) / $5')"
    done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "pass" : "**fail**") }'; }
# reading SYSTEM: one sentence on what the floor says about the 5x bar for that system.
reading()
{
    awk -v name="$(label "$1")" -v f="${cpu[full.$1]}" -v r="${cpu[resumed.$1]}" \
        -v hf="${handshake[full.$1]}" -v hr="${handshake[resumed.$1]}" -v floor="${cpu[floor.$1]}" 'BEGIN {
        total = (r > 0) ? f / r : 0
        if (hr <= 0) {
            printf "%s: a resumed handshake costs no more than the bare connection (%.0f µs) within this run'"'"'s resolution, so the whole of full ÷ resumed (%.2f×) is the connection'"'"'s cost: the bar fails on the connection cost, not on resumption.", name, floor, total
        } else if (hf / hr >= 4.5 && total < 5) {
            printf "%s: the handshakes alone, floor subtracted, are %.0f µs full and %.0f µs resumed, %.2f× apart, near or above 5×, while full ÷ resumed with the connection is %.2f×: the bar fails on the connection cost (%.0f µs a connection without TLS), not on resumption.", name, hf, hr, hf / hr, total, floor
        } else if (total >= 5) {
            printf "%s: full ÷ resumed is %.2f× with the connection (%.2f× for the handshakes alone): the bar is met.", name, total, hf / hr
        } else {
            printf "%s: even with the connection'"'"'s own cost (%.0f µs) subtracted, the handshakes are %.0f µs full and %.0f µs resumed, only %.2f× apart (%.2f× with the connection): resumption itself saves less than 5× here, the connection cost is not what fails the bar.", name, floor, hf, hr, hf / hr, total
        }
    }'
}

fragment="$results_dir/handshake.md"
{
    echo "## TLS handshake CPU (issue 5)"
    echo
    echo "Generated by \`$command_line\` ($started_at): rerun it rather than editing this section (\`perf/compare.sh\` keeps it)."
    echo
    echo "Server-side CPU per connection (utime + stime of the server process, all threads, from \`/proc/PID/stat\`"
    echo "around $count sequential connections, each closed right after its TLS 1.3 mutual-auth handshake, no application"
    echo "data), median of $reps interleaved repetitions (min–max in brackets), after $warmup unmeasured floor, full and"
    echo "resumed connections per system. Both servers: the same \`mecmesh cert\` SVIDs (ECDSA P-256), client certificate"
    echo "required and validated, one thread / one event loop pinned to CPU 0; the client"
    echo "(\`perf/bin/tls-handshake-client\`, Python \`ssl\` over OpenSSL $(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION.split()[1])')) on CPU 1, so the key exchange is X25519"
    echo "for both (the client does not offer X25519MLKEM768). Resumed: every connection offers the latest session"
    echo "ticket; the reused column is what the client saw (\`SSL_session_reused\`). Before a resumed run, one priming"
    echo "connection sends one request: Netty's SslHandler sends the TLS 1.3 tickets with the server's first write, so a"
    echo "connection that never gets an answer never gets a ticket. Floor: the same process, the same client and the same"
    echo "connect-then-close pattern on a plain-TCP listener of the same server (mecmesh's plain HTTP listener, HAProxy's"
    echo "plain bind), no byte sent: what a connection costs before any TLS. \"less idle CPU\" subtracts the process's CPU"
    echo "with no load (measured for 5 s, a JVM's timers and GC) times the run's wall time. \"of which JIT\" is the part spent"
    echo "by the JVM's C1/C2 compiler threads during the run (still compiling: part of the total, not of serving)."
    echo "Clock-tick resolution: 10 ms per run."
    echo "Load average $loadavg_start at the start, $loadavg_end at the end (2 cores$(awk -v l="${loadavg_start%% *}" 'BEGIN { if (l > 1.5) print "; figures taken while other builds and tests ran on the machine" }'))."
    echo
    echo "| mode | system | CPU µs per connection | of which JIT | less idle CPU | handshakes resumed | tickets received | idle CPU µs/s | wall ms per connection |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for mode in floor full resumed; do
        for system in "${systems[@]}"; do
            counts="$(awk -F'\t' -v mode="$mode" -v sys="$system" 'NR > 1 && $2 == mode && $3 == sys \
                { r += $6; t += $7; h += $5 } END { if (mode == "floor") printf "— | —"; else printf "%d / %d | %d / %d", r, h, t, h }' \
                "$raw/runs.tsv")"
            printf '| %s | %s | %.0f (%s) | %.0f | %.0f | %s | %s | %.1f |\n' "$mode" "$(label "$system")" \
                "${cpu[$mode.$system]}" "$(spread "$mode" "$system" '$4 / $5')" \
                "$(median "$mode" "$system" '$10 / $5')" "${corrected[$mode.$system]}" \
                "$counts" "$(idle_of "$system")" "$(median "$mode" "$system" '$9 * 1000 / $5')"
        done
    done
    echo
    echo "The handshake's own cost: CPU per connection less the floor of the same repetition (median over repetitions):"
    echo
    echo "| system | floor µs | full µs | resumed µs | full − floor µs | resumed − floor µs | (full − floor) ÷ (resumed − floor) | the same, JIT compiler's CPU excluded | full ÷ resumed |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for system in "${systems[@]}"; do
        printf '| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s× | %s× (%.0f ÷ %.0f µs) | %s× |\n' "$(label "$system")" \
            "${cpu[floor.$system]}" "${cpu[full.$system]}" "${cpu[resumed.$system]}" "${handshake[full.$system]}" \
            "${handshake[resumed.$system]}" "$(ratio "${handshake[full.$system]}" "${handshake[resumed.$system]}")" \
            "$(ratio "${handshake_nojit[full.$system]}" "${handshake_nojit[resumed.$system]}")" \
            "${handshake_nojit[full.$system]}" "${handshake_nojit[resumed.$system]}" \
            "$(ratio "${cpu[full.$system]}" "${cpu[resumed.$system]}")"
    done
    echo
    for system in mecmesh haproxy; do
        echo "- $(reading "$system")"
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
    printf '| the same on the handshakes alone ((full − floor) ÷ (resumed − floor)), for reference | %s× | %s× | — |\n' \
        "$(ratio "${handshake[full.mecmesh]}" "${handshake[resumed.mecmesh]}")" \
        "$(ratio "${handshake[full.haproxy]}" "${handshake[resumed.haproxy]}")"
    echo
    echo "What a resumed handshake saves here: every TLS stack on this machine resumes TLS 1.3 sessions in the"
    echo "\`psk_dhe_ke\` mode, so a resumed handshake still does an X25519 exchange on both sides, decrypts the ticket and"
    echo "issues new ones; it saves the server's certificate signature and the validation of the client's chain (in"
    echo "mecmesh, the SPIFFE checks in Java). \`psk_ke\` (no key exchange, and no forward secrecy for resumed sessions) is"
    echo "not to be had between these peers: BoringSSL (netty-tcnative, mecmesh's provider) neither offers nor accepts it"
    echo "(\`ssl/extensions.cc\`, \`ext_psk_key_exchange_modes_parse_clienthello\`: \"We only support tickets with"
    echo "PSK_DHE_KE\"); the JDK's SunJSSE neither (\`PskKeyExchangeModesExtension\`: its client sends \`psk_dhe_ke\` only,"
    echo "its server: \"psk_dhe_ke is the only supported mode now\"); OpenSSL 3.0 offers \`psk_ke\` with"
    echo "\`SSL_OP_ALLOW_NO_DHE_KEX\` (\`-allow_no_dhe_kex\`) but beside \`psk_dhe_ke\` and a key share, and an OpenSSL 3.0"
    echo "server given the same option still picks \`psk_dhe_ke\` (checked with \`s_server\`/\`s_client -allow_no_dhe_kex\`:"
    echo "the resumed ServerHello carries an X25519 key share). Fewer connections (reuse) is the lever, not the mode."
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
