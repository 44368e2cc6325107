#!/usr/bin/env bash
# kz vs kubectl vs curl on the project's own API server (kz-testserver).
#
# Measures wall time (median of $RUNS runs, hyperfine) and peak RSS (GNU time, median of the
# same runs) of `get pods -A` in every output format at several cluster sizes, next to the curl
# floor (one GET /api/v1/pods with the client's Accept header); the startup cost
# (`version --client`); how many requests each client makes with a warm and a cold discovery
# cache (on a server with $CRDS CRDs); and whether kz prints the same bytes as kubectl.
# Writes a markdown report to $RESULTS and prints it.
#
# A manual benchmark: it is not part of `cargo test` and refuses to run in CI. It only talks to
# 127.0.0.1, stops every server it started, and is bounded in time (per command: $CMD_TIMEOUT;
# sizes not started within $BUDGET seconds are skipped). A full run takes ~15 minutes on 2 cores.
#
#   benches/run.sh                          # everything
#   SIZES=2000 RUNS=3 benches/run.sh        # a quick look
#   KEEP=1 benches/run.sh                   # keep outputs, diffs and raw hyperfine JSON

# Backquotes in single-quoted printf formats are markdown code spans, not expansions.
# shellcheck disable=SC2016
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KZ=${KZ:-$TARGET_DIR/release/kz}
# The server: kz-testserver's generated cluster, its controllers frozen (--frozen) so that kz
# and kubectl see the same cluster and no controller pass competes for the two cores. The script
# still waits up to $SETTLE_TIMEOUT seconds for the cluster to stop changing.
TESTSERVER=${TESTSERVER:-$TARGET_DIR/release/kz-testserver}
KUBECTL=${KUBECTL:-kubectl}
CURL=${CURL:-curl}
GNU_TIME=${GNU_TIME:-/usr/bin/time}
SIZES=${SIZES:-2000 5000 20000}
NAMESPACES=${NAMESPACES:-10}
CRDS=${CRDS:-200}
RUNS=${RUNS:-5}
STARTUP_RUNS=${STARTUP_RUNS:-30}
CMD_TIMEOUT=${CMD_TIMEOUT:-180}
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-120}
BUDGET=${BUDGET:-900}
RESULTS=${RESULTS:-$ROOT/benches/results.md}
KEEP=${KEEP:-}

# The Accept headers both clients send (checked with -v=7): tables, and everything else.
TABLE_ACCEPT='application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
JSON_ACCEPT='application/json'
JSONPATH='jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}'
CASES=(table json yaml name jsonpath)

die() {
    echo "run.sh: $*" >&2
    exit 1
}

log() {
    printf '[%4ds] %s\n' "$SECONDS" "$*" >&2
}

# ---------------------------------------------------------------------------------------------
# Setup and teardown

WORK=
CHILD=
SERVER_PID=
SERVER_DIR=
SERVER_URL=

cleanup() {
    if [[ -n $CHILD ]]; then
        kill "$CHILD" 2>/dev/null || true
    fi
    stop_server
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ -n $KEEP ]]; then
            echo "run.sh: kept $WORK" >&2
        else
            rm -rf -- "$WORK"
        fi
    fi
}

check_environment() {
    if [[ -n ${CI:-} ]]; then
        echo "run.sh: a manual benchmark; not run in CI" >&2
        exit 0
    fi
    local tool
    for tool in "$KUBECTL" "$CURL" "$GNU_TIME" hyperfine jq timeout cargo; do
        command -v -- "$tool" >/dev/null || die "needs $tool (apt-get install -y hyperfine time jq curl)"
    done
    if [[ ! -x $KZ || ! -x $TARGET_DIR/release/kz-testserver ]]; then
        log "building release binaries (a few minutes)"
        (cd -- "$ROOT" && cargo build --release --locked -p kz -p kz-testserver) >&2
    fi
}

# start_server NAME PODS CRDS: serves a generated cluster; sets SERVER_DIR and SERVER_URL and
# points KUBECONFIG, HOME (kubectl's cache) and KZ_CACHE_DIR at fresh directories.
start_server() {
    local name=$1 pods=$2 crds=$3
    SERVER_DIR=$WORK/$name
    mkdir -p -- "$SERVER_DIR/home"
    "$TESTSERVER" --port 0 --frozen --pods "$pods" --namespaces "$NAMESPACES" --crds "$crds" \
        --kubeconfig-out "$SERVER_DIR/kubeconfig" >"$SERVER_DIR/url" 2>"$SERVER_DIR/server.log" &
    SERVER_PID=$!
    local tries=0
    until [[ -s $SERVER_DIR/url ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "kz-testserver exited: $(cat -- "$SERVER_DIR/server.log")"
        ((tries++ < 1200)) || die "kz-testserver did not start within 120 s"
        sleep 0.1
    done
    SERVER_URL=$(head -n 1 -- "$SERVER_DIR/url")
    [[ $SERVER_URL == https://127.0.0.1:* ]] || die "server is not on 127.0.0.1: $SERVER_URL"
    export KUBECONFIG=$SERVER_DIR/kubeconfig
    export HOME=$SERVER_DIR/home
    export KZ_CACHE_DIR=$SERVER_DIR/kz-cache
    # curl gets the same credentials: the CA, and the token in a header file (not in argv).
    "$KUBECTL" config view --raw -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}' |
        base64 -d >"$SERVER_DIR/ca.pem"
    printf 'Authorization: Bearer %s\n' \
        "$("$KUBECTL" config view --raw -o 'jsonpath={.users[0].user.token}')" >"$SERVER_DIR/auth.header"
    log "$(basename -- "$TESTSERVER"): $pods pods, $NAMESPACES namespaces, $crds CRDs at $SERVER_URL"
    wait_steady
}

# The server's current resourceVersion (any list answers it).
server_version() {
    "$CURL" --silent --show-error --fail --cacert "$SERVER_DIR/ca.pem" -H "@$SERVER_DIR/auth.header" \
        "$SERVER_URL/api/v1/namespaces?limit=1" | jq -r .metadata.resourceVersion
}

# Waits until nothing is written for 2 s (a controller may still be reconciling the generated
# objects), at most $SETTLE_TIMEOUT s; the outcome goes into the report.
wait_steady() {
    local start=$SECONDS before after
    before=$(server_version)
    while :; do
        sleep 2
        after=$(server_version)
        if [[ $after == "$before" ]]; then
            echo "- $SERVER_DIR: steady after $((SECONDS - start)) s (resourceVersion $after)" >>"$WORK/settle.md"
            return
        fi
        if ((SECONDS - start >= SETTLE_TIMEOUT)); then
            echo "- $SERVER_DIR: **still changing** after $((SECONDS - start)) s ($(((after - before) / 2)) writes/s): figures measured on a busy server" >>"$WORK/settle.md"
            log "server still changing after ${SETTLE_TIMEOUT}s; measuring anyway"
            return
        fi
        before=$after
    done
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# ---------------------------------------------------------------------------------------------
# Measuring

# Runs a command in the background and waits for it, so that a signal is handled at once
# (bash runs traps only between commands) and cleanup can stop it.
interruptible() {
    "$@" &
    CHILD=$!
    local status=0
    wait "$CHILD" || status=$?
    CHILD=
    return "$status"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "NA"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# One command line for hyperfine --shell=none (which splits words like a POSIX shell).
quote() {
    local out
    printf -v out '%q ' "$@"
    printf '%s' "${out% }"
}

# measure ID CMD...: $RUNS runs, each bounded by timeout and under GNU time. Prints
# "median_s min_s max_s peak_rss_kib" (medians over the runs), or "FAIL".
measure() {
    local id=$1
    shift
    local json=$RAW/$id.json rss=$RAW/$id.rss
    : >"$rss"
    if ! interruptible hyperfine --shell=none --runs "$RUNS" --style none --export-json "$json" \
        "$(quote timeout -k 5 "$CMD_TIMEOUT" "$GNU_TIME" -f %M -a -o "$rss" "$@")" \
        >"$RAW/$id.log" 2>&1; then
        log "FAILED: $* (see $RAW/$id.log)"
        echo FAIL
        return
    fi
    jq -r --arg rss "$(grep -E '^[0-9]+$' "$rss" | median)" \
        '.results[0] | "\(.median) \(.min) \(.max) \($rss)"' "$json"
}

# run_once OUT CMD...: one bounded run, stdout to OUT (the equivalence check and warm-up).
run_once() {
    local out=$1
    shift
    interruptible timeout -k 5 "$CMD_TIMEOUT" "$@" >"$out" 2>"$out.stderr"
}

# The curl floor: one GET of all pods with ACCEPT, in the array CURL_ARGS.
curl_args() {
    CURL_ARGS=("$CURL" --silent --show-error --fail --output /dev/null --cacert "$SERVER_DIR/ca.pem"
        -H "@$SERVER_DIR/auth.header" -H "Accept: $1" "$SERVER_URL/api/v1/pods")
}

# paged_floor ACCEPT: a list read as both clients read it by default (pages of 500, following
# continue tokens), as the sum of curl's own request times (no process start-ups; one TLS
# handshake, as on a kept-alive connection), median over $RUNS reads. Prints "median_s min_s
# max_s". Next to the one-request floor it shows the server's cost of paging.
paged_floor() {
    local accept=$1 run token url timings total
    local -a totals=()
    for ((run = 0; run < RUNS; run++)); do
        total=0 token=
        while :; do
            url="$SERVER_URL/api/v1/pods?limit=500"
            [[ -z $token ]] || url+="&continue=$token"
            timings=$(timeout -k 5 "$CMD_TIMEOUT" "$CURL" --silent --show-error --fail \
                --output "$SERVER_DIR/page" --write-out '%{time_total} %{time_appconnect}' \
                --cacert "$SERVER_DIR/ca.pem" -H "@$SERVER_DIR/auth.header" -H "Accept: $accept" "$url")
            # Every page's time without its connection set-up; the first page's with it.
            total=$(awk -v sum="$total" -v first="${token:-yes}" -v t="$timings" 'BEGIN {
                split(t, f, " "); print sum + f[1] - (first == "yes" ? 0 : f[2]) }')
            token=$(grep -o -m 1 '"continue":"[^"]*"' "$SERVER_DIR/page" | head -n 1 | cut -d'"' -f4)
            [[ -n $token ]] || break
        done
        totals+=("$total")
    done
    printf '%s %s %s\n' "$(printf '%s\n' "${totals[@]}" | median)" \
        "$(printf '%s\n' "${totals[@]}" | sort -n | head -n 1)" \
        "$(printf '%s\n' "${totals[@]}" | sort -n | tail -n 1)"
}

# The `get pods -A` arguments of a case, in the array ARGS, and as a shell would take them
# in SHOWN.
case_args() {
    case $1 in
    table) ARGS=() ;;
    json) ARGS=(-o json) ;;
    yaml) ARGS=(-o yaml) ;;
    name) ARGS=(-o name) ;;
    jsonpath) ARGS=(-o "$JSONPATH") ;;
    *) die "unknown case $1" ;;
    esac
    SHOWN=${ARGS[*]}
    [[ $1 != jsonpath ]] || SHOWN="-o jsonpath='${JSONPATH#jsonpath=}'"
}

# What a case's figures are held to (DESIGN.md): "floor-ratio rss-MiB".
case_target() {
    case $1 in
    table) echo "1.3 20" ;;
    yaml) echo "1.5 30" ;;
    *) echo "1.3 30" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Output equivalence

# Ages move between two runs: "7s", "5m10s", "3d" become AGE, then trailing blanks go.
normalize_ages() {
    sed -E 's/(^| )[0-9]+[smhdy]([0-9]+[smhd])?( |$)/\1AGE\3/g; s/ +$//' "$1"
}

# compare SIZE CASE KZ_OUT KUBECTL_OUT: prints a verdict; a difference is kept in $DIFFS.
compare() {
    local size=$1 case=$2 kz_out=$3 kubectl_out=$4
    if cmp -s -- "$kz_out" "$kubectl_out"; then
        echo identical
        return
    fi
    if [[ $case == table ]] && cmp -s <(normalize_ages "$kz_out") <(normalize_ages "$kubectl_out"); then
        echo "identical apart from ages"
        return
    fi
    local diff_file=$DIFFS/$size-$case.diff lines
    diff -- "$kz_out" "$kubectl_out" >"$diff_file" || true
    lines=$(grep -c '^[<>]' "$diff_file" || true)
    {
        echo "### $size pods, $case: $lines differing lines (< kz, > kubectl; digits as N)"
        echo
        echo '```'
        grep '^[<>]' "$diff_file" | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 12
        echo '```'
        echo
    } >>"$WORK/differences.md"
    echo "**differs** ($lines lines)"
}

# ---------------------------------------------------------------------------------------------
# Report helpers

secs() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# B's median over A's, from two measure lines: how many times faster A is than B.
speedup() {
    if [[ $1 == FAIL || $2 == FAIL ]]; then
        echo NA
    else
        ratio "${2%% *}" "${1%% *}"
    fi
}

# "0.412 (0.401–0.450)" from a measure line.
wall_cell() {
    [[ $1 == FAIL ]] && {
        echo FAIL
        return
    }
    read -r med min max _ <<<"$1"
    printf '%s (%s–%s)' "$(secs "$med")" "$(secs "$min")" "$(secs "$max")"
}

rss_cell() {
    [[ $1 == FAIL ]] && {
        echo FAIL
        return
    }
    mib "$(awk '{ print $4 }' <<<"$1")"
}

# ---------------------------------------------------------------------------------------------
# The benchmarks

# curl_row SIZE WHAT MEASURE: a row of the main table for curl (an empty RSS if not measured).
curl_row() {
    local rss=
    [[ $(wc -w <<<"$3") -lt 4 ]] || rss=$(rss_cell "$3")
    printf '| %s | %s | %s | %s | | | | | | | |\n' "$1" "$2" "$(wall_cell "$3")" "$rss"
}

bench_size() {
    local size=$1
    start_server "pods-$size" "$size" 0
    local out=$SERVER_DIR/out
    mkdir -p -- "$out"
    # Warm both discovery caches (and the server) with one run each.
    run_once "$out/warm-kz" "$KZ" get pods -A
    run_once "$out/warm-kubectl" "$KUBECTL" get pods -A

    local floor_table floor_json
    curl_args "$TABLE_ACCEPT"
    floor_table=$(measure "$size-curl-table" "${CURL_ARGS[@]}")
    curl_args "$JSON_ACCEPT"
    floor_json=$(measure "$size-curl-json" "${CURL_ARGS[@]}")
    local paged_table paged_json
    paged_table=$(paged_floor "$TABLE_ACCEPT")
    paged_json=$(paged_floor "$JSON_ACCEPT")
    {
        curl_row "$size" "curl floor, Table" "$floor_table"
        curl_row "$size" "curl, Table in pages of 500 (sum of request times)" "$paged_table"
        curl_row "$size" "curl floor, JSON" "$floor_json"
        curl_row "$size" "curl, JSON in pages of 500 (sum of request times)" "$paged_json"
    } >>"$WORK/times.md"

    local case floor paged kz kubectl verdict target_ratio target_rss kz_ratio met
    for case in "${CASES[@]}"; do
        case_args "$case"
        log "$size pods: get pods -A${SHOWN:+ $SHOWN}"
        # One run each, kept: the equivalence check, and a warm-up for the timed runs.
        run_once "$out/kz-$case" "$KZ" get pods -A "${ARGS[@]}"
        run_once "$out/kubectl-$case" "$KUBECTL" get pods -A "${ARGS[@]}"
        verdict=$(compare "$size" "$case" "$out/kz-$case" "$out/kubectl-$case")
        rm -f -- "$out/kz-$case" "$out/kubectl-$case"
        kz=$(measure "$size-kz-$case" "$KZ" get pods -A "${ARGS[@]}")
        kubectl=$(measure "$size-kubectl-$case" "$KUBECTL" get pods -A "${ARGS[@]}")
        if [[ $case == table ]]; then
            floor=$floor_table paged=$paged_table
        else
            floor=$floor_json paged=$paged_json
        fi
        read -r target_ratio target_rss <<<"$(case_target "$case")"
        if [[ $kz == FAIL || $floor == FAIL ]]; then
            kz_ratio=NA met=FAIL
        else
            kz_ratio=$(ratio "${kz%% *}" "${floor%% *}")
            met=$(awk -v r="$kz_ratio" -v tr="$target_ratio" -v m="$(rss_cell "$kz")" -v tm="$target_rss" \
                'BEGIN { t = (r <= tr) ? "yes" : "**no**"; s = (m <= tm) ? "yes" : "**no**"; print t " / " s }')
        fi
        printf '| %s | `%s` | %s | %s | %s | %s | %s× | %s× | %s× | ≤%s× / ≤%s MiB: %s | %s |\n' \
            "$size" "get pods -A${SHOWN:+ $SHOWN}" "$(wall_cell "$kz")" "$(rss_cell "$kz")" \
            "$(wall_cell "$kubectl")" "$(rss_cell "$kubectl")" "$kz_ratio" \
            "$(speedup "$paged" "$kz")" \
            "$(speedup "$kz" "$kubectl")" \
            "$target_ratio" "$target_rss" "$met" "$verdict" >>"$WORK/times.md"
    done

    # Diagnostics: kz in one request (no paging), to split paging cost from printing cost.
    local diag
    for case in table json; do
        case_args "$case"
        diag=$(measure "$size-kz-$case-unpaged" "$KZ" get pods -A --chunk-size=0 "${ARGS[@]}")
        printf '| %s | `kz get pods -A --chunk-size=0%s` | %s | %s |\n' "$size" "${ARGS[*]:+ ${ARGS[*]}}" \
            "$(wall_cell "$diag")" "$(rss_cell "$diag")" >>"$WORK/diagnostics.md"
    done
    stop_server
}

bench_startup() {
    log "startup: version --client"
    local client json
    for client in kz kubectl; do
        local bin=$KZ
        [[ $client == kubectl ]] && bin=$KUBECTL
        json=$RAW/startup-$client.json
        hyperfine --shell=none --warmup 3 --runs "$STARTUP_RUNS" --style none --export-json "$json" \
            "$(quote "$bin" version --client)" >"$RAW/startup-$client.log" 2>&1
        local rss
        rss=$(measure "startup-$client-rss" "$bin" version --client)
        printf '| `%s version --client` | %s ms (%s–%s) | %s |\n' "$client" \
            "$(jq -r '.results[0].median * 1000 | . * 10 | round / 10' "$json")" \
            "$(jq -r '.results[0].min * 1000 | . * 10 | round / 10' "$json")" \
            "$(jq -r '.results[0].max * 1000 | . * 10 | round / 10' "$json")" \
            "$(rss_cell "$rss")" >>"$WORK/startup.md"
    done
}

# The requests of one -v=6 run, one "METHOD /path" a line (query strings dropped). kz prints
# "GET https://… 200 OK in N milliseconds", kubectl "… "Response" verb="GET" url="https://…"".
requests_of() {
    sed -nE \
        -e 's#^(GET|POST|PUT|PATCH|DELETE|HEAD) https?://[^/ ]+([^? ]*).* in [0-9]+ milliseconds$#\1 \2#p' \
        -e 's#.*"Response" verb="([A-Z]+)" url="https?://[^/"]+([^?"]*).*#\1 \2#p' "$1"
}

# count_requests LABEL CLIENT WHEN ARGS...: runs the client once with -v=6, cold (fresh cache)
# or warm (the cache the previous run left), and records how many requests it made.
count_requests() {
    local label=$1 client=$2 when=$3
    shift 3
    local bin=$KZ
    [[ $client == kubectl ]] && bin=$KUBECTL
    if [[ $when == cold ]]; then
        rm -rf -- "$KZ_CACHE_DIR" "$HOME/.kube/cache"
    fi
    local trace=$SERVER_DIR/trace-$label-$client-$when
    interruptible timeout -k 5 "$CMD_TIMEOUT" "$bin" -v=6 "$@" >/dev/null 2>"$trace" || true
    local requests
    requests=$(requests_of "$trace")
    printf '| `%s -v=6 %s` | %s | %s | %s |\n' "$client" "$*" "$when" \
        "$(grep -c . <<<"$requests" || true)" \
        "$(sort <<<"$requests" | uniq -c | awk '{ printf "%s%s %s%s", sep, $2, $3, ($1 > 1 ? " ×" $1 : ""); sep = "<br>" }')" \
        >>"$WORK/requests.md"
}

bench_requests() {
    start_server requests 2000 "$CRDS"
    log "request counts ($CRDS CRDs)"
    local client
    for client in kz kubectl; do
        count_requests pods "$client" cold get pods -n bench-0
        count_requests pods "$client" warm get pods -n bench-0
        count_requests crd "$client" cold get widgets7 -n bench-0
        count_requests crd "$client" warm get widgets7 -n bench-0
        count_requests all "$client" warm get pods -A
    done
    # What a cold discovery costs in time with $CRDS CRDs (the cache removed before each run).
    local kz kubectl
    kz=$(measure_cold kz "$KZ" get widgets7 -n bench-0)
    kubectl=$(measure_cold kubectl "$KUBECTL" get widgets7 -n bench-0)
    printf '| `kz get widgets7 -n bench-0`, cold cache, %s CRDs | %s | %s |\n' "$CRDS" \
        "$(wall_cell "$kz")" "$(rss_cell "$kz")" >>"$WORK/cold.md"
    printf '| `kubectl get widgets7 -n bench-0`, cold cache, %s CRDs | %s | %s |\n' "$CRDS" \
        "$(wall_cell "$kubectl")" "$(rss_cell "$kubectl")" >>"$WORK/cold.md"
    stop_server
}

# measure_cold ID CMD...: like measure, with both clients' caches removed before every run.
measure_cold() {
    local id=cold-$1
    shift
    local json=$RAW/$id.json rss=$RAW/$id.rss
    : >"$rss"
    if ! interruptible hyperfine --shell=none --runs "$RUNS" --style none --export-json "$json" \
        --prepare "$(quote rm -rf -- "$KZ_CACHE_DIR" "$HOME/.kube/cache")" \
        "$(quote timeout -k 5 "$CMD_TIMEOUT" "$GNU_TIME" -f %M -a -o "$rss" "$@")" \
        >"$RAW/$id.log" 2>&1; then
        echo FAIL
        return
    fi
    jq -r --arg rss "$(grep -E '^[0-9]+$' "$rss" | median)" \
        '.results[0] | "\(.median) \(.min) \(.max) \($rss)"' "$json"
}

machine() {
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $(lscpu | sed -nE 's/^Model name: +//p' | head -n 1), $(nproc) cores; memory $(free -g | awk '/^Mem:/ { print $2 }') GiB; Linux $(uname -r)"
    echo "- kz: \`$("$KZ" version --client | head -n 1)\` (release: lto, 1 codegen unit); kubectl: \`$("$KUBECTL" version --client | head -n 1)\`"
    echo "- $("$CURL" --version | head -n 1 | cut -d' ' -f1-2), $(hyperfine --version), GNU time for peak RSS"
    echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the 2 cores are shared: expect noise)"
    echo "- Runs: $RUNS per figure (median; wall time min–max in brackets), $STARTUP_RUNS for startup; $NAMESPACES namespaces"
}

report() {
    {
        echo "# kz benchmark results"
        echo
        cat "$WORK/machine.md"
        echo "- Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- Server: $(basename -- "$TESTSERVER"); each cluster was measured once it stopped changing:"
        sed "s#$WORK/##" "$WORK/settle.md"
        echo
        echo "## get pods -A: wall time (s) and peak RSS (MiB)"
        echo
        echo "Floor: one \`curl\` GET /api/v1/pods with the client's Accept header (Table for the table"
        echo "case, JSON otherwise). Both clients read the list in pages of 500, so the paged curl rows"
        echo "(the same requests, curl's request times summed, one TLS handshake) show what paging"
        echo "costs the server; \"kz ÷ paged floor\" is kz against those."
        echo "Ratios use medians; the target column reads time / memory (DESIGN.md)."
        echo
        echo '| pods | command | kz wall | kz RSS | kubectl wall | kubectl RSS | kz ÷ floor | kz ÷ paged floor | kubectl ÷ kz | kz target met | kz vs kubectl output |'
        echo '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |'
        cat "$WORK/times.md"
        echo
        echo "Curl rows: the wall and RSS columns are curl's."
        echo
        echo "## Startup"
        echo
        echo '| command | wall (median, min–max) | peak RSS (MiB) |'
        echo '| --- | ---: | ---: |'
        cat "$WORK/startup.md"
        echo
        echo "## Requests (-v=6), on a server with 2000 pods and $CRDS CRDs"
        echo
        echo '| command | cache | requests | which |'
        echo '| --- | --- | ---: | --- |'
        cat "$WORK/requests.md"
        echo
        echo '| cold discovery | wall (s) | peak RSS (MiB) |'
        echo '| --- | ---: | ---: |'
        cat "$WORK/cold.md"
        echo
        echo "## Diagnostics: kz without paging (one request, like curl)"
        echo
        echo '| pods | command | wall (s) | peak RSS (MiB) |'
        echo '| ---: | --- | ---: | ---: |'
        cat "$WORK/diagnostics.md"
        if [[ -s $WORK/differences.md ]]; then
            echo
            echo "## Output differences, kz vs kubectl"
            echo
            cat "$WORK/differences.md"
        fi
        [[ -z ${SKIPPED:-} ]] || printf '\nSkipped (time budget): %s pods\n' "$SKIPPED"
    } >"$RESULTS"
    cat -- "$RESULTS"
}

main() {
    check_environment
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/kz-bench.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    RAW=$WORK/raw
    DIFFS=$WORK/diffs
    mkdir -p -- "$RAW" "$DIFFS"
    touch -- "$WORK"/{times,startup,requests,cold,diagnostics,differences,settle}.md
    machine >"$WORK/machine.md"

    bench_startup
    bench_requests
    local size
    SKIPPED=
    for size in $SIZES; do
        if ((SECONDS > BUDGET)); then
            SKIPPED+="$size "
            log "skipping $size pods: over the ${BUDGET}s budget"
            continue
        fi
        bench_size "$size"
    done
    report
    log "done in ${SECONDS}s; report in $RESULTS"
}

main "$@"
