#!/usr/bin/env bash
# kz apply vs kubectl apply (client-side, and --server-side) on kz-testserver: a manifest of
# N ConfigMaps (default 2,000) applied three times — creating them, again unchanged, then with
# every object changed — each client on a fresh frozen cluster of its own. Wall time and peak
# RSS of each step (GNU time), and kz's requests per object (counted from its -v=6 trace).
#
# A manual benchmark (not part of `cargo test`; refuses to run in CI). It only talks to
# 127.0.0.1 and stops the servers it starts. kubectl takes minutes: it applies one object at
# a time.
#
#   benches/apply.sh                  # writes benches/apply-results.md and prints it
#   OBJECTS=500 benches/apply.sh      # a quick look

set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KZ=${KZ:-$TARGET_DIR/release/kz}
TESTSERVER=${TESTSERVER:-$TARGET_DIR/release/kz-testserver}
KUBECTL=${KUBECTL:-kubectl}
OBJECTS=${OBJECTS:-2000}
RESULTS=${RESULTS:-$ROOT/benches/apply-results.md}

[[ -z "${CI:-}" ]] || { echo "apply.sh: a manual benchmark; not run in CI" >&2; exit 0; }
[[ -x /usr/bin/time ]] || { echo "apply.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
command -v "$KUBECTL" >/dev/null || { echo "apply.sh: needs kubectl on PATH" >&2; exit 1; }
(cd -- "$ROOT" && cargo build --release --locked -p kz -p kz-testserver) >&2

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

# manifest FILE VALUE: OBJECTS ConfigMaps in namespace bench, each with data {n, value}.
manifest() {
    {
        echo "apiVersion: v1"
        echo "kind: Namespace"
        echo "metadata: {name: bench}"
        for i in $(seq 1 "$OBJECTS"); do
            echo "---"
            echo "apiVersion: v1"
            echo "kind: ConfigMap"
            echo "metadata: {name: cm-$i, namespace: bench, labels: {app: bench}}"
            echo "data: {n: '$i', value: '$2'}"
        done
    } >"$1"
}
manifest "$WORK/v1.yaml" one
manifest "$WORK/v2.yaml" two

# serve NAME: a fresh frozen cluster; exports KUBECONFIG and fresh caches.
serve() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    local dir="$WORK/$1"
    mkdir -p "$dir/home"
    "$TESTSERVER" --pods 10 --namespaces 1 --frozen --port 0 \
        --kubeconfig-out "$dir/kubeconfig" >"$dir/url" 2>"$dir/log" &
    SERVER_PID=$!
    for _ in $(seq 600); do
        grep -q '^https://127\.0\.0\.1:' "$dir/url" 2>/dev/null && break
        sleep 0.1
    done
    grep -q '^https://127\.0\.0\.1:' "$dir/url" || { echo "apply.sh: the server did not start" >&2; exit 1; }
    export KUBECONFIG="$dir/kubeconfig" HOME="$dir/home" KZ_CACHE_DIR="$dir/kz-cache"
    "$KZ" get pods -A >/dev/null && "$KUBECTL" get pods -A >/dev/null
}

# step MANIFEST COMMAND…: "wall s / peak MiB" of one run; the command's stdout is kept in
# $WORK/out and its -v trace (if any) in $WORK/err.
step() {
    local manifest=$1
    shift
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" -f "$manifest" >"$WORK/out" 2>"$WORK/err"
    read -r wall peak <"$WORK/time"
    printf '%.2f s / %.0f MiB' "$wall" "$(echo "$peak / 1024" | bc -l)"
}

# summary: what the last step printed, e.g. "2000 created, 1 unchanged".
summary() {
    awk '{print $NF}' "$WORK/out" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}'
}

# requests: kz's requests in its -v=6 trace, per object.
requests() {
    local total
    total=$(grep -cE '^(GET|PATCH|POST|PUT) https://' "$WORK/err" || true)
    printf '%.2f' "$(echo "$total / ($OBJECTS + 1)" | bc -l)"
}

rows=()
run_client() {
    local label=$1
    shift
    serve "$label"
    local create unchanged changed
    create=$(step "$WORK/v1.yaml" "$@")
    local create_out
    create_out=$(summary)
    unchanged=$(step "$WORK/v1.yaml" "$@")
    local unchanged_out
    unchanged_out=$(summary)
    changed=$(step "$WORK/v2.yaml" "$@")
    local changed_out
    changed_out=$(summary)
    rows+=("| $label | $create ($create_out) | $unchanged ($unchanged_out) | $changed ($changed_out) |")
}

run_client "kz" "$KZ" apply
serve "kz-requests"
"$KZ" apply -v=6 -f "$WORK/v1.yaml" >/dev/null 2>"$WORK/err"
create_requests=$(requests)
"$KZ" apply -v=6 -f "$WORK/v1.yaml" >/dev/null 2>"$WORK/err"
unchanged_requests=$(requests)
run_client "kubectl apply" "$KUBECTL" apply
run_client "kubectl apply --server-side" "$KUBECTL" apply --server-side

{
    echo "# kz apply vs kubectl apply"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- kz: release build; kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1)"
    echo "- A manifest of 1 Namespace and $OBJECTS ConfigMaps; each client on a fresh frozen kz-testserver; one run per step; wall time and peak RSS (GNU time)"
    echo "- kz's requests per object (its -v=6 trace): $create_requests creating, $unchanged_requests unchanged"
    echo
    echo "| client | create | unchanged | changed |"
    echo "| --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Command: \`OBJECTS=$OBJECTS benches/apply.sh\`"
} | tee "$RESULTS"
