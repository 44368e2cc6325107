#!/usr/bin/env bash
# kz describe vs kubectl describe on kz-testserver's generated cluster: many objects at once
# (`describe pods -l app=app-0` over 200 pods) and a busy node (`describe node` with 500 pods).
# kubectl describes objects one after another, each with its own requests; kz fetches what a
# description needs concurrently and describes eight objects at a time.
#
# A manual benchmark (not part of `cargo test`; refuses to run in CI). It only talks to
# 127.0.0.1 and stops the servers it starts. ~2 minutes on 2 cores.
#
#   benches/describe.sh            # writes benches/describe-results.md and prints it
#   RUNS=3 benches/describe.sh

set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KZ=${KZ:-$TARGET_DIR/release/kz}
TESTSERVER=${TESTSERVER:-$TARGET_DIR/release/kz-testserver}
KUBECTL=${KUBECTL:-kubectl}
RUNS=${RUNS:-5}
RESULTS=${RESULTS:-$ROOT/benches/describe-results.md}

[[ -z "${CI:-}" ]] || { echo "describe.sh: a manual benchmark; not run in CI" >&2; exit 0; }
command -v hyperfine >/dev/null || { echo "describe.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
command -v "$KUBECTL" >/dev/null || { echo "describe.sh: needs kubectl on PATH" >&2; exit 1; }
(cd -- "$ROOT" && cargo build --release --locked -p kz -p kz-testserver) >&2

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

# serve PODS: a frozen generated cluster in one namespace (pods app-0 … app-49 spread over
# fake-node-1 and fake-node-2); exports KUBECONFIG and fresh caches for both clients.
serve() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    local dir="$WORK/pods-$1"
    mkdir -p "$dir/home"
    "$TESTSERVER" --pods "$1" --namespaces 1 --frozen --port 0 \
        --kubeconfig-out "$dir/kubeconfig" >"$dir/url" 2>"$dir/log" &
    SERVER_PID=$!
    for _ in $(seq 600); do
        grep -q '^https://127\.0\.0\.1:' "$dir/url" 2>/dev/null && break
        sleep 0.1
    done
    grep -q '^https://127\.0\.0\.1:' "$dir/url" || { echo "describe.sh: the server did not start" >&2; exit 1; }
    export KUBECONFIG="$dir/kubeconfig" HOME="$dir/home" KZ_CACHE_DIR="$dir/kz-cache"
    "$KZ" get pods -A >/dev/null && "$KUBECTL" get pods -A >/dev/null
}

# measure LABEL ARGS…: a markdown row with both clients' median wall time and peak RSS.
measure() {
    local label=$1
    shift
    local row="| $label |"
    for client in "$KZ" "$KUBECTL"; do
        local rss="$WORK/rss"
        : >"$rss"
        hyperfine --shell=none --warmup 1 --runs "$RUNS" --export-json "$WORK/h.json" \
            "/usr/bin/time -f %M -a -o $rss $client $*" >/dev/null
        local wall peak
        wall=$(jq -r '.results[0].median' "$WORK/h.json")
        peak=$(sort -n "$rss" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        row+=$(printf ' %.3f s / %.1f MiB |' "$wall" "$(echo "$peak / 1024" | bc -l)")
    done
    local same="differs"
    if diff <("$KZ" "$@" 2>&1) <("$KUBECTL" "$@" 2>&1) >/dev/null; then same="identical"; fi
    echo "$row $same |"
}

{
    echo "# kz describe vs kubectl describe"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- kz: release build; kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1)"
    echo "- Median of $RUNS runs (hyperfine), peak RSS (GNU time, median); frozen generated clusters"
    echo
    echo "| command | kz | kubectl | output |"
    echo "| --- | ---: | ---: | --- |"
    serve 10000
    measure '`describe pods -l app=app-0` (200 of 10,000 pods)' describe pods -l app=app-0 -n bench-0
    serve 1000
    measure '`describe node fake-node-1` (500 pods on it)' describe node fake-node-1
} | tee "$RESULTS"
