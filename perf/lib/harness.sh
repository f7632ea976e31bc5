# perf/lib/harness.sh: process bookkeeping shared by the perf harnesses (compare.sh, handshake.sh, isolation.sh).
# Source it once the harness has defined log(), $work (its temporary directory) and $keep (true to keep $work).
# Every process the harness starts goes into started_pids; on exit each is stopped by its own id (TERM, then KILL
# after 10 s), and $work is removed unless $keep is true.

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
