#!/usr/bin/env bash
# kz logs vs kubectl logs, following many pods at once: `logs -l … -f --tail=-1
# --max-log-requests=N` over PODS pods of kz-testserver's generated cluster, each container
# pre-filled with LINES lines (`kz-testserver --log-lines`). Each client runs until it has
# printed every line (PODS × LINES), then gets Ctrl-C; reported: the time to the last line
# and lines/s, CPU (user + sys) and peak RSS (GNU time), and whether both printed the same
# lines (as sets: streams interleave as they come).
#
# A manual benchmark (not part of `cargo test`; refuses to run in CI). It only talks to
# 127.0.0.1 and stops the server and clients it starts. ~1 minute on 2 cores at the default
# size.
#
#   benches/logs.sh                       # 20 pods × 5,000 lines; writes benches/logs-results.md
#   PODS=2 LINES=100 RUNS=1 benches/logs.sh   # a quick look
#   KZ_NO_BUILD=1 KZ=target/debug/kz TESTSERVER=target/debug/kz-testserver …   # other builds

set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KZ=${KZ:-$TARGET_DIR/release/kz}
TESTSERVER=${TESTSERVER:-$TARGET_DIR/release/kz-testserver}
KUBECTL=${KUBECTL:-kubectl}
PODS=${PODS:-20}
LINES=${LINES:-5000}
RUNS=${RUNS:-3}
CMD_TIMEOUT=${CMD_TIMEOUT:-300}
RESULTS=${RESULTS:-$ROOT/benches/logs-results.md}
# Every generated pod has this label (their app labels differ).
SELECTOR=pod-template-hash=5d8f7c9b6d
NAMESPACE=bench-0

[[ -z "${CI:-}" ]] || { echo "logs.sh: a manual benchmark; not run in CI" >&2; exit 0; }
command -v "$KUBECTL" >/dev/null || { echo "logs.sh: needs kubectl on PATH" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "logs.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
if [[ -z "${KZ_NO_BUILD:-}" ]]; then
    (cd -- "$ROOT" && cargo build --release --locked -p kz -p kz-testserver) >&2
fi

WORK=$(mktemp -d)
SERVER_PID=
CLIENT_PID=
cleanup() {
    [[ -n "$CLIENT_PID" ]] && kill "$CLIENT_PID" 2>/dev/null || true
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/home"
"$TESTSERVER" --pods "$PODS" --namespaces 1 --log-lines "$LINES" --frozen --port 0 \
    --kubeconfig-out "$WORK/kubeconfig" >"$WORK/url" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 600); do
    grep -q '^https://127\.0\.0\.1:' "$WORK/url" 2>/dev/null && break
    sleep 0.1
done
grep -q '^https://127\.0\.0\.1:' "$WORK/url" || { echo "logs.sh: the server did not start" >&2; exit 1; }
export KUBECONFIG="$WORK/kubeconfig" HOME="$WORK/home" KZ_CACHE_DIR="$WORK/kz-cache"
"$KZ" get pods -A >/dev/null && "$KUBECTL" get pods -A >/dev/null

TOTAL=$((PODS * LINES))
ARGS=(logs -l "$SELECTOR" -n "$NAMESPACE" -f --tail=-1 "--max-log-requests=$PODS" --prefix)

# follow CLIENT OUT STATS: runs the follow until OUT has TOTAL lines, then Ctrl-C; sets WALL
# to the seconds from start to the last line.
WALL=
follow() {
    local client=$1 out=$2 stats=$3
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$stats" "$client" "${ARGS[@]}" >"$out" 2>"$out.err" &
    CLIENT_PID=$!
    local deadline=$((SECONDS + CMD_TIMEOUT))
    until [[ $(wc -l <"$out") -ge $TOTAL ]]; do
        if ((SECONDS > deadline)) || ! kill -0 "$CLIENT_PID" 2>/dev/null; then
            echo "logs.sh: $client printed $(wc -l <"$out") of $TOTAL lines" >&2
            exit 1
        fi
        sleep 0.02
    done
    end=$(date +%s.%N)
    # GNU time ignores SIGINT while it waits: the client is its only child.
    kill -INT "$(pgrep -P "$CLIENT_PID")" 2>/dev/null || true
    wait "$CLIENT_PID" || true
    CLIENT_PID=
    WALL=$(echo "$end - $start" | bc -l)
}

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME CLIENT: a markdown row with the medians of RUNS follows.
measure() {
    local name=$1 client=$2
    local walls=() cpus=() rsses=()
    for run in $(seq "$RUNS"); do
        follow "$client" "$WORK/$name.out" "$WORK/$name.stats"
        # GNU time says first when the client exited non-zero (kubectl does on Ctrl-C).
        read -r user sys rss < <(tail -n 1 "$WORK/$name.stats")
        walls+=("$WALL")
        cpus+=("$(echo "$user + $sys" | bc -l)")
        rsses+=("$rss")
        [[ $run == 1 ]] && sort "$WORK/$name.out" >"$WORK/$name.sorted"
    done
    local wall cpu rss
    wall=$(printf '%s\n' "${walls[@]}" | median)
    cpu=$(printf '%s\n' "${cpus[@]}" | median)
    rss=$(printf '%s\n' "${rsses[@]}" | median)
    printf '| %s | %.3f | %.0f | %.2f | %.1f |\n' "$name" "$wall" \
        "$(echo "$TOTAL / $wall" | bc -l)" "$cpu" "$(echo "$rss / 1024" | bc -l)"
}

{
    echo "# kz logs -f vs kubectl logs -f: $PODS pods × $LINES lines"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- kz: \`$KZ\`; kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1)"
    echo "- \`${ARGS[*]}\`, until all $TOTAL lines are printed; median of $RUNS runs"
    echo
    echo "| client | time to the last line (s) | lines/s | CPU user+sys (s) | peak RSS (MiB) |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    measure kz "$KZ"
    measure kubectl "$KUBECTL"
    echo
    if cmp -s "$WORK/kz.sorted" "$WORK/kubectl.sorted"; then
        echo "Output: the same $TOTAL lines."
    else
        echo "Output: **differs** ($(diff "$WORK/kz.sorted" "$WORK/kubectl.sorted" | grep -c '^[<>]') lines)."
    fi
} | tee "$RESULTS"
