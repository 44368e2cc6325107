#!/usr/bin/env bash
# The benchmark suite: kz vs kubectl vs curl, every verb, one table.
#
# Starts kz-testserver with generated clusters, runs the same work with kz, kubectl and (where
# there is one) the curl floor — the server's own cost: curl fetching the same list in one
# request — several times, checks that kz's and kubectl's outputs agree, and writes one table
# of median wall time, CPU time (user + sys) and peak RSS per command, with the kz ÷ kubectl
# and kz ÷ floor ratios and the targets of DESIGN.md. Writes $RESULTS (markdown) and prints it.
#
# Groups (ONLY, all by default): startup, discovery (200 CRDs, requests counted), get
# (`get pods -A` cold and warm, every -o format, `get all -A`, at each of SIZES), describe,
# apply (create / unchanged / changed), rollout (status of 10 Deployments), logs (-f over 20
# pods), delete (-l of 1,000 objects).
#
# A full run is manual (~30 minutes on 2 cores; it refuses to run under CI). SMOKE=1 is the
# same suite at 1,000 pods and small counts, one run each, with the binaries given in KZ and
# TESTSERVER: the test suite runs it (tests/testserver/tests/server/bench_smoke.rs).
# It only talks to 127.0.0.1, stops every server and command it started (Ctrl-C included), and
# bounds every command by $CMD_TIMEOUT seconds.
#
#   benches/run.sh                              # everything; writes benches/results.md
#   ONLY="get" SIZES=2000 RUNS=3 benches/run.sh
#   SMOKE=1 KZ=target/debug/kz TESTSERVER=target/debug/kz-testserver RESULTS=/tmp/r.md benches/run.sh

# Backquotes in single-quoted printf formats are markdown code spans, not expansions.
# shellcheck disable=SC2016
set -euo pipefail
export LC_ALL=C

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KZ=${KZ:-$TARGET_DIR/release/kz}
TESTSERVER=${TESTSERVER:-$TARGET_DIR/release/kz-testserver}
KUBECTL=${KUBECTL:-kubectl}
CURL=${CURL:-curl}
GNU_TIME=${GNU_TIME:-/usr/bin/time}
SMOKE=${SMOKE:-}
if [[ -n $SMOKE ]]; then
    defaults=(SIZES=1000 RUNS=1 SLOW_RUNS=1 STARTUP_RUNS=3 CRDS=20 OBJECTS=100 DEPLOYS=3
        LOG_PODS=4 LOG_LINES=100 DELETE_OBJECTS=100 DESCRIBE_PODS=1000 NODE_PODS=100)
else
    defaults=(SIZES="2000 5000 20000" RUNS=5 SLOW_RUNS=1 STARTUP_RUNS=20 CRDS=200 OBJECTS=2000
        DEPLOYS=10 LOG_PODS=20 LOG_LINES=5000 DELETE_OBJECTS=1000 DESCRIBE_PODS=10000 NODE_PODS=1000)
fi
# What the user set goes into the report's command line.
SETTINGS_SHOWN=
for setting in "${defaults[@]}"; do
    name=${setting%%=*}
    if [[ -n ${!name:-} ]]; then
        SETTINGS_SHOWN+="$name=\"${!name}\" "
    else
        printf -v "$name" '%s' "${setting#*=}"
    fi
done
ALL_GROUPS="startup discovery get describe apply rollout logs delete"
ONLY=${ONLY:-$ALL_GROUPS}
NAMESPACES=${NAMESPACES:-10}
CMD_TIMEOUT=${CMD_TIMEOUT:-600}
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-120}
RESULTS=${RESULTS:-$ROOT/benches/results.md}
KEEP=${KEEP:-}

# The Accept headers both clients send (checked with -v=7): tables, and everything else.
TABLE_ACCEPT='application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'
JSON_ACCEPT='application/json'
JSONPATH='jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}'
COLUMNS_SPEC='custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,PHASE:.status.phase'

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
    [[ -z $CHILD ]] || kill -- "$CHILD" 2>/dev/null || true
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
    if [[ -n ${CI:-} && -z $SMOKE ]]; then
        echo "run.sh: a manual benchmark; not run in CI (SMOKE=1 is the test suite's run)" >&2
        exit 0
    fi
    local tool
    for tool in "$KUBECTL" "$CURL" "$GNU_TIME" timeout pgrep; do
        command -v -- "$tool" >/dev/null || die "needs $tool (apt-get install -y time curl procps)"
    done
    if [[ ! -x $KZ || ! -x $TESTSERVER ]]; then
        [[ -z $SMOKE ]] || die "SMOKE=1 needs built binaries in KZ and TESTSERVER"
        log "building release binaries (a few minutes)"
        (cd -- "$ROOT" && cargo build --release --locked -p kz -p kz-testserver) >&2
    fi
}

# start_server NAME ARGS...: serves a cluster (kz-testserver ARGS); sets SERVER_DIR and
# SERVER_URL and points KUBECONFIG, HOME (kubectl's cache) and KZ_CACHE_DIR at fresh
# directories. Both clients then share the server and its caches.
start_server() {
    local name=$1
    shift
    stop_server
    SERVER_DIR=$WORK/$name
    mkdir -p -- "$SERVER_DIR/home" "$SERVER_DIR/out"
    "$TESTSERVER" --port 0 --kubeconfig-out "$SERVER_DIR/kubeconfig" "$@" \
        >"$SERVER_DIR/url" 2>"$SERVER_DIR/server.log" &
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
    log "kz-testserver $* at $SERVER_URL"
    wait_steady
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# api METHOD PATH [curl args...]: one request to the server, its body on stdout.
api() {
    local method=$1 path=$2
    shift 2
    "$CURL" --silent --show-error --fail --cacert "$SERVER_DIR/ca.pem" -H "@$SERVER_DIR/auth.header" \
        -X "$method" "$@" "$SERVER_URL$path"
}

# The server's current resourceVersion (any list answers it).
server_version() {
    api GET '/api/v1/namespaces?limit=1' | grep -o '"resourceVersion":"[0-9]*"' | head -n 1 | cut -d'"' -f4
}

# Waits until nothing is written for 2 s (the controllers may still be settling the generated
# objects), at most $SETTLE_TIMEOUT s; the outcome goes into the report.
wait_steady() {
    local start=$SECONDS before after
    before=$(server_version)
    while :; do
        sleep 2
        after=$(server_version)
        if [[ $after == "$before" ]]; then
            echo "- $(basename -- "$SERVER_DIR"): steady after $((SECONDS - start)) s" >>"$WORK/settle.md"
            return
        fi
        if ((SECONDS - start >= SETTLE_TIMEOUT)); then
            echo "- $(basename -- "$SERVER_DIR"): **still changing** after $((SECONDS - start)) s" >>"$WORK/settle.md"
            log "server still changing after ${SETTLE_TIMEOUT}s; measuring anyway"
            return
        fi
        before=$after
    done
}

forget_discovery() {
    rm -rf -- "$KZ_CACHE_DIR" "$HOME/.kube/cache"
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
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "NA"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# sample ID OUT CMD...: one bounded run of CMD under GNU time, stdout to OUT; appends
# "wall_s cpu_s rss_kib" to $RAW/ID.samples. With FOLLOW_LINES set, CMD follows a stream: the
# run's wall time is the time to OUT's FOLLOW_LINES-th line, then CMD gets Ctrl-C (SIGINT).
sample() {
    local id=$1 out=$2
    shift 2
    local stats=$RAW/$id.time start end status=0
    start=$EPOCHREALTIME
    if [[ -n ${FOLLOW_LINES:-} ]]; then
        : >"$out"
        timeout -k 5 "$CMD_TIMEOUT" "$GNU_TIME" -f '%U %S %M' -o "$stats" "$@" \
            >"$out" 2>>"$RAW/$id.stderr" &
        CHILD=$!
        until (($(wc -l <"$out") >= FOLLOW_LINES)); do
            if ! kill -0 "$CHILD" 2>/dev/null; then
                CHILD=
                log "FAILED: $* printed $(wc -l <"$out") of $FOLLOW_LINES lines (see $RAW/$id.stderr)"
                return 1
            fi
            sleep 0.02
        done
        end=$EPOCHREALTIME
        # timeout → GNU time → the client: the client gets the Ctrl-C.
        local timer
        timer=$(pgrep -P "$CHILD" | head -n 1)
        pkill -INT -P "$timer" 2>/dev/null || true
        wait "$CHILD" || true
        CHILD=
    else
        interruptible timeout -k 5 "$CMD_TIMEOUT" "$GNU_TIME" -f '%U %S %M' -o "$stats" "$@" \
            >"$out" 2>>"$RAW/$id.stderr" || status=$?
        end=$EPOCHREALTIME
        if ((status != 0)); then
            log "FAILED ($status): $* (see $RAW/$id.stderr)"
            return 1
        fi
    fi
    # GNU time says first when the command was stopped by a signal.
    local user sys rss
    read -r user sys rss < <(tail -n 1 -- "$stats")
    awk -v s="$start" -v e="$end" -v u="$user" -v y="$sys" -v r="$rss" \
        'BEGIN { printf "%.6f %.2f %d\n", e - s, u + y, r }' >>"$RAW/$id.samples"
}

# prepare_run ID PREPARE: runs the function PREPARE (if any) before a run of case ID.
prepare_run() {
    [[ -z $2 ]] || "$2" >>"$RAW/$1.prepare" 2>&1 || die "preparing $1 failed (see $RAW/$1.prepare)"
}

# measure ID RUNS PREPARE KEEP CMD...: RUNS timed runs of CMD; PREPARE (a function, or "")
# runs before each one, untimed. KEEP says whose stdout $OUT_DIR/ID keeps for the comparison:
# `check` — one untimed run first (also the warm-up; timed runs print to /dev/null), for
# commands that only read; `first` — the first timed run's, for commands that change the
# cluster. Prints "wall_s cpu_s rss_kib runs" (medians), or FAIL.
measure() {
    local id=$1 runs=$2 prepare=$3 keep=$4
    shift 4
    local kept=$SERVER_DIR/out/$id run
    : >"$RAW/$id.samples"
    if [[ $keep == check ]]; then
        prepare_run "$id" "$prepare"
        if ! interruptible timeout -k 5 "$CMD_TIMEOUT" "$@" >"$kept" 2>>"$RAW/$id.stderr"; then
            log "FAILED: $* (see $RAW/$id.stderr)"
            echo FAIL
            return
        fi
    fi
    for ((run = 1; run <= runs; run++)); do
        prepare_run "$id" "$prepare"
        local out=/dev/null
        [[ $keep == check || $run -gt 1 ]] || out=$kept
        [[ -z ${FOLLOW_LINES:-} ]] || out=$kept.$run
        if ! sample "$id" "$out" "$@"; then
            echo FAIL
            return
        fi
        [[ -z ${FOLLOW_LINES:-} || $run -ne 1 ]] || mv -- "$out" "$kept"
        rm -f -- "$kept.$run"
    done
    local column figures=()
    for column in 1 2 3; do
        figures+=("$(awk -v c="$column" '{ print $c }' "$RAW/$id.samples" | median)")
    done
    echo "${figures[*]} $runs"
}

# The requests of one -v=6 run, one "METHOD /path" a line (query strings dropped). kz prints
# "GET https://… 200 OK in N milliseconds", kubectl "… "Response" verb="GET" url="https://…"".
requests_of() {
    sed -nE \
        -e 's#^(GET|POST|PUT|PATCH|DELETE|HEAD) https?://[^/ ]+([^? ]*).* in [0-9]+ milliseconds$#\1 \2#p' \
        -e 's#.*"Response" verb="([A-Z]+)" url="https?://[^/"]+([^?"]*).*#\1 \2#p' "$1"
}

# count_requests CLIENT PREPARE ARGS...: runs the client once with -v=6 (after PREPARE) and
# prints "requests discovery_requests" (discovery: /api, /apis, a group or group version,
# /version, /openapi).
count_requests() {
    local client=$1 prepare=$2
    shift 2
    [[ -z $prepare ]] || "$prepare"
    local trace=$RAW/trace.$RANDOM
    interruptible timeout -k 5 "$CMD_TIMEOUT" "$client" -v=6 "$@" >/dev/null 2>"$trace" || true
    local requests
    requests=$(requests_of "$trace")
    printf '%s %s\n' "$(grep -c . <<<"$requests" || true)" \
        "$(grep -cE '^GET (/api|/api/[^/]+|/apis|/apis/[^/]+|/apis/[^/]+/[^/]+|/version|/openapi/.*)$' <<<"$requests" || true)"
}

# ---------------------------------------------------------------------------------------------
# Output agreement

# Ages move between two runs: "7s", "5m10s", "3d" become AGE, then trailing blanks go.
normalize_ages() {
    sed -E 's/(^| )[0-9]+[smhdy]([0-9]+[smhd])?( |$)/\1AGE\3/g; s/ +$//' "$1"
}

# compare ID MODE: kz's and kubectl's kept outputs of case ID, compared as MODE says —
# `exact`; `ages` (a table: ages may differ); `sorted` (the same lines in any order: streams
# interleave, and kubectl's order of concurrent work is its own); `final` (the lines saying a
# rollout is done). Prints the verdict; a difference is kept in differences.md.
compare() {
    local id=$1 mode=$2
    local kz_out=$SERVER_DIR/out/kz-$id kubectl_out=$SERVER_DIR/out/kubectl-$id
    [[ -f $kz_out && -f $kubectl_out ]] || {
        echo "not compared"
        return
    }
    local a=$kz_out b=$kubectl_out
    case $mode in
    exact) ;;
    ages)
        normalize_ages "$kz_out" >"$kz_out.cmp"
        normalize_ages "$kubectl_out" >"$kubectl_out.cmp"
        a=$kz_out.cmp b=$kubectl_out.cmp
        ;;
    sorted | final)
        local filter=.
        [[ $mode == sorted ]] || filter='successfully rolled out'
        grep -e "$filter" "$kz_out" | sort >"$kz_out.cmp" || true
        grep -e "$filter" "$kubectl_out" | sort >"$kubectl_out.cmp" || true
        a=$kz_out.cmp b=$kubectl_out.cmp
        ;;
    *) die "unknown comparison $mode" ;;
    esac
    local lines
    lines=$(wc -l <"$a")
    if cmp -s -- "$a" "$b"; then
        case $mode in
        exact) echo "identical ($lines lines)" ;;
        ages) echo "identical but ages ($lines lines)" ;;
        sorted) echo "same lines ($lines)" ;;
        final) echo "same result ($lines lines)" ;;
        esac
        rm -f -- "$kz_out" "$kubectl_out" "$kz_out.cmp" "$kubectl_out.cmp"
        return
    fi
    local differing
    differing=$(diff -- "$a" "$b" | grep -c '^[<>]' || true)
    {
        echo "### $id: $differing differing lines (< kz, > kubectl; digits as N)"
        echo
        echo '```'
        diff -- "$a" "$b" | grep '^[<>]' | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 12
        echo '```'
        echo
    } >>"$WORK/differences.md"
    echo "**differs** ($differing lines)"
}

# ---------------------------------------------------------------------------------------------
# The table

field() { awk -v c="$2" '{ print $c }' <<<"$1"; }
secs() { awk -v s="$1" 'BEGIN { printf (s < 0.1 ? "%.4f" : "%.3f"), s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (a / b < 0.1 ? "%.3f×" : "%.2f×"), a / b }'; }

# Wall, CPU and RSS cells of a measure line; runs other than $RUNS are said.
cells() {
    case $1 in
    FAIL) echo "FAIL | FAIL | FAIL" ;;
    -) echo "— | — | —" ;;
    *)
        local runs note=
        runs=$(field "$1" 4)
        [[ $runs == "$RUNS" ]] || note=" ($runs run$([[ $runs == 1 ]] || echo s))"
        # GNU time counts CPU in hundredths of a second.
        echo "$(secs "$(field "$1" 1)")$note | $(awk -v c="$(field "$1" 2)" 'BEGIN { printf "%.2f", c }') | $(mib "$(field "$1" 3)")"
        ;;
    esac
}

# met TARGET KZ FLOOR REQUESTS: whether kz meets TARGET — `floor:R:M` (≤ R × the floor and
# ≤ M MiB), `wall:S[:M]` (≤ S seconds, and ≤ M MiB if given), `requests:N` (exactly N requests),
# `discovery:N` (at most N discovery requests), or `-`. Prints "target | met".
met() {
    local target=$1 kz=$2 floor=$3 requests=$4
    [[ $target != - ]] || {
        echo "— | —"
        return
    }
    [[ $kz != FAIL ]] || {
        echo "$target | FAIL"
        return
    }
    local kind limit memory ok
    IFS=: read -r kind limit memory <<<"$target"
    case $kind in
    floor)
        ok=$(awk -v w="$(field "$kz" 1)" -v f="$floor" -v l="$limit" -v r="$(field "$kz" 3)" -v m="$memory" \
            'BEGIN { print (w <= l * f && r <= m * 1024) ? "yes" : "**no**" }')
        echo "≤ ${limit}× floor, ≤ $memory MiB | $ok"
        ;;
    wall)
        ok=$(awk -v w="$(field "$kz" 1)" -v l="$limit" -v r="$(field "$kz" 3)" -v m="${memory:-0}" \
            'BEGIN { print (w <= l && (m == 0 || r <= m * 1024)) ? "yes" : "**no**" }')
        echo "≤ $(awk -v l="$limit" 'BEGIN { print (l < 1 ? l * 1000 " ms" : l " s") }')${memory:+, ≤ $memory MiB} | $ok"
        ;;
    requests)
        ok=$([[ $(field "$requests" 1) == "$limit" ]] && echo yes || echo "**no**")
        echo "$limit request | $ok"
        ;;
    discovery)
        ok=$([[ $(field "$requests" 2) -le $limit ]] && echo yes || echo "**no**")
        echo "≤ $limit discovery requests | $ok"
        ;;
    *) die "unknown target $target" ;;
    esac
}

# row GROUP COMMAND KZ KUBECTL FLOOR TARGET VERDICT [KZ_REQUESTS KUBECTL_REQUESTS]: a line of
# the table. KZ and KUBECTL are measure lines (or FAIL, or - when not run), FLOOR seconds or -.
row() {
    local group=$1 command=$2 kz=$3 kubectl=$4 floor=$5 target=$6 verdict=$7
    local kz_requests=${8:--} kubectl_requests=${9:--}
    local vs_kubectl=— vs_floor=— floor_cell=— requests=—
    if [[ $kz != FAIL && $kz != - && $kubectl != FAIL && $kubectl != - ]]; then
        vs_kubectl=$(ratio "$(field "$kz" 1)" "$(field "$kubectl" 1)")
    fi
    if [[ $floor != - && $floor != FAIL ]]; then
        floor_cell=$(secs "$floor")
        [[ $kz == FAIL || $kz == - ]] || vs_floor=$(ratio "$(field "$kz" 1)" "$floor")
    fi
    [[ $kz_requests == - ]] || requests="$(field "$kz_requests" 1) / $(field "$kubectl_requests" 1)"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$group" "$command" \
        "$(cells "$kz")" "$(cells "$kubectl")" "$floor_cell" "$vs_kubectl" "$vs_floor" "$requests" \
        "$(met "$target" "$kz" "$floor" "$kz_requests")" "$verdict" >>"$WORK/table.md"
}

# both GROUP ID SHOWN TARGET FLOOR MODE PREPARE KEEP KUBECTL_RUNS ARGS...: measures
# `kz ARGS` and `kubectl ARGS` alike, compares their outputs and writes the row.
both() {
    local group=$1 id=$2 shown=$3 target=$4 floor=$5 mode=$6 prepare=$7 keep=$8 kubectl_runs=$9
    shift 9
    log "$group: $shown"
    local kz kubectl
    kz=$(measure "kz-$id" "$RUNS" "$prepare" "$keep" "$KZ" "$@")
    kubectl=$(measure "kubectl-$id" "$kubectl_runs" "$prepare" "$keep" "$KUBECTL" "$@")
    row "$group" "\`$shown\`" "$kz" "$kubectl" "$floor" "$target" "$(compare "$id" "$mode")" \
        "${KZ_REQUESTS:--}" "${KUBECTL_REQUESTS:--}"
}

# floor ACCEPT PATH: curl's median wall time for one GET of PATH with ACCEPT.
floor() {
    local figures
    figures=$(measure "curl-$RANDOM" "$RUNS" "" first "$CURL" --silent --show-error --fail \
        --output /dev/null --cacert "$SERVER_DIR/ca.pem" -H "@$SERVER_DIR/auth.header" \
        -H "Accept: $1" "$SERVER_URL$2")
    [[ $figures == FAIL ]] && echo FAIL || field "$figures" 1
}

# paged_floor ACCEPT: the pod list read as both clients read it by default (pages of 500,
# following continue tokens), as the sum of curl's own request times (one TLS handshake, as
# on a kept-alive connection), median over $RUNS reads: what paging costs the server.
paged_floor() {
    local accept=$1 run token url timings total
    local -a totals=()
    for ((run = 0; run < RUNS; run++)); do
        total=0 token=
        while :; do
            url="/api/v1/pods?limit=500"
            [[ -z $token ]] || url+="&continue=$token"
            timings=$(api GET "$url" --output "$SERVER_DIR/page" \
                --write-out '%{time_total} %{time_appconnect}' -H "Accept: $accept")
            total=$(awk -v sum="$total" -v first="${token:-yes}" -v t="$timings" 'BEGIN {
                split(t, f, " "); print sum + f[1] - (first == "yes" ? 0 : f[2]) }')
            token=$(grep -o -m 1 '"continue":"[^"]*"' "$SERVER_DIR/page" | head -n 1 | cut -d'"' -f4)
            [[ -n $token ]] || break
        done
        totals+=("$total")
    done
    printf '%s\n' "${totals[@]}" | median
}

# ---------------------------------------------------------------------------------------------
# The groups

group_startup() {
    log "startup: version --client"
    SERVER_DIR=$WORK/startup
    mkdir -p -- "$SERVER_DIR/out"
    local kz kubectl
    kz=$(measure kz-version "$STARTUP_RUNS" "" check "$KZ" version --client)
    kubectl=$(measure kubectl-version "$STARTUP_RUNS" "" check "$KUBECTL" version --client)
    row startup '`version --client`' "$kz" "$kubectl" - wall:0.007:10 \
        "not compared (different programs)"
}

group_discovery() {
    start_server discovery --pods 2000 --namespaces "$NAMESPACES" --crds "$CRDS"
    local what=("get pods -n bench-0" "api-resources" "get widgets7 -n bench-0")
    local ids=(pods api-resources crd) modes=(ages exact exact) i
    for i in "${!what[@]}"; do
        # shellcheck disable=SC2206 # the commands are plain words
        local args=(${what[$i]})
        KZ_REQUESTS=$(count_requests "$KZ" forget_discovery "${args[@]}")
        KUBECTL_REQUESTS=$(count_requests "$KUBECTL" forget_discovery "${args[@]}")
        both discovery "cold-${ids[$i]}" "${what[$i]}, cold cache, $CRDS CRDs" discovery:3 - \
            "${modes[$i]}" forget_discovery check "$RUNS" "${args[@]}"
    done
    KZ_REQUESTS=$(count_requests "$KZ" "" get pods -n bench-0)
    KUBECTL_REQUESTS=$(count_requests "$KUBECTL" "" get pods -n bench-0)
    both discovery warm-pods "get pods -n bench-0, warm cache" requests:1 - ages "" check "$RUNS" \
        get pods -n bench-0
    KZ_REQUESTS= KUBECTL_REQUESTS=
}

group_get() {
    local size
    for size in $SIZES; do
        start_server "pods-$size" --pods "$size" --namespaces "$NAMESPACES"
        # Warm both discovery caches and the server.
        "$KZ" get pods -A >/dev/null
        "$KUBECTL" get pods -A >/dev/null
        local table json paged_table paged_json
        table=$(floor "$TABLE_ACCEPT" /api/v1/pods)
        json=$(floor "$JSON_ACCEPT" /api/v1/pods)
        paged_table=$(paged_floor "$TABLE_ACCEPT")
        paged_json=$(paged_floor "$JSON_ACCEPT")
        row "get $size" '`curl`: the pods as a Table, in pages of 500 (request times summed)' - - \
            "$paged_table" - "—"
        row "get $size" '`curl`: the pods as JSON, in pages of 500 (request times summed)' - - \
            "$paged_json" - "—"
        both "get $size" "table-cold-$size" "get pods -A, cold cache" - "$table" ages \
            forget_discovery check "$RUNS" get pods -A
        both "get $size" "table-$size" "get pods -A" floor:1.1:20 "$table" ages "" check "$RUNS" \
            get pods -A
        local format
        for format in json yaml name "$JSONPATH" "$COLUMNS_SPEC"; do
            local target=floor:1.1:20 shown="get pods -A -o $format" id=${format%%=*}
            case $format in
            json) target=floor:1.2:20 ;;
            yaml) target=floor:1.3:20 ;;
            jsonpath=*) shown="get pods -A -o jsonpath='${JSONPATH#jsonpath=}'" ;;
            custom-columns=*) target=- ;;
            esac
            both "get $size" "$id-$size" "$shown" "$target" "$json" exact "" check "$RUNS" \
                get pods -A -o "$format"
        done
        both "get $size" "all-$size" "get all -A" - - ages "" check "$RUNS" get all -A
    done
}

group_describe() {
    start_server describe-pods --pods "$DESCRIBE_PODS" --namespaces 1
    both describe describe-pods "describe pods -l app=app-0 ($((DESCRIBE_PODS / 50)) of $DESCRIBE_PODS pods)" \
        - - ages "" check "$RUNS" describe pods -l app=app-0 -n bench-0
    start_server describe-node --pods "$NODE_PODS" --namespaces 1
    both describe describe-node "describe node fake-node-1 ($((NODE_PODS / 2)) pods on it)" - - ages "" \
        check "$RUNS" describe node fake-node-1
}

# A manifest of a Namespace and $1 ConfigMaps labelled app=$2, each with data {n, value: $3}.
configmaps() {
    local count=$1 app=$2 value=$3 i
    printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n' "$app"
    for ((i = 1; i <= count; i++)); do
        printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d, namespace: %s, labels: {app: %s}}\ndata: {n: "%d", value: %s}\n' \
            "$i" "$app" "$app" "$i" "$value"
    done
}

remove_applied() {
    # Before the first run there is nothing to remove (nor a namespace: a 404).
    api DELETE '/api/v1/namespaces/bench-apply/configmaps?labelSelector=app%3Dbench-apply' >/dev/null || true
}

# Points manifest.yaml at the other version, so that every run changes every object.
switch_version() {
    local now
    now=$(readlink -- "$SERVER_DIR/manifest.yaml")
    ln -sfn -- "$([[ $now == v1.yaml ]] && echo v2.yaml || echo v1.yaml)" "$SERVER_DIR/manifest.yaml"
}

group_apply() {
    local client ids=() figures=() step
    for client in kz kubectl; do
        # Each client on a cluster of its own: the objects' managers and annotations differ.
        start_server "apply-$client" --pods 10 --namespaces 1
        configmaps "$OBJECTS" bench-apply one >"$SERVER_DIR/v1.yaml"
        configmaps "$OBJECTS" bench-apply two >"$SERVER_DIR/v2.yaml"
        ln -sfn v1.yaml "$SERVER_DIR/manifest.yaml"
        local bin=$KZ runs=$RUNS
        [[ $client == kz ]] || bin=$KUBECTL runs=$SLOW_RUNS
        for step in create unchanged changed; do
            local prepare=
            case $step in
            create) prepare=remove_applied ;;
            changed) prepare=switch_version ;;
            esac
            log "apply: $client, $step"
            figures+=("$(measure "$client-apply-$step" "$runs" "$prepare" first "$bin" apply -f "$SERVER_DIR/manifest.yaml")")
            # The kept outputs go where compare looks for them.
            mkdir -p -- "$WORK/apply/out"
            mv -- "$SERVER_DIR/out/$client-apply-$step" "$WORK/apply/out/$client-apply-$step" 2>/dev/null || true
        done
        # The next create starts from nothing again: the last changed run left v1 or v2.
        ln -sfn v1.yaml "$SERVER_DIR/manifest.yaml"
    done
    SERVER_DIR=$WORK/apply
    ids=(create unchanged changed)
    local i
    for i in 0 1 2; do
        row apply "\`apply -f\` of $OBJECTS ConfigMaps, ${ids[$i]}" "${figures[$i]}" "${figures[$((i + 3))]}" - \
            wall:10 "$(compare "apply-${ids[$i]}" sorted)"
    done
}

# A restart in the same second as the last one is refused (kubectl's rule, which kz keeps):
# the previous run may have ended within it.
restart_deployments() {
    sleep 1
    "$KZ" rollout restart deployment -l bench=rollout -n bench-rollout
}

group_rollout() {
    start_server rollout --pods 10 --namespaces 1
    {
        printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: bench-rollout}\n'
        local i
        for ((i = 0; i < DEPLOYS; i++)); do
            printf -- '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-%d, namespace: bench-rollout, labels: {bench: rollout}}\n' "$i"
            printf 'spec:\n  replicas: 2\n  selector: {matchLabels: {app: web-%d}}\n' "$i"
            printf '  template:\n    metadata: {labels: {app: web-%d}}\n    spec: {containers: [{name: web, image: nginx:1.27}]}\n' "$i"
        done
    } >"$SERVER_DIR/deployments.yaml"
    "$KZ" apply -f "$SERVER_DIR/deployments.yaml" --wait >/dev/null
    both rollout rollout-status "rollout status deployment -l bench=rollout ($DEPLOYS Deployments, after a restart)" \
        - - final restart_deployments first "$RUNS" rollout status deployment -l bench=rollout -n bench-rollout
}

group_logs() {
    start_server logs --pods "$LOG_PODS" --namespaces 1 --log-lines "$LOG_LINES"
    FOLLOW_LINES=$((LOG_PODS * LOG_LINES))
    # Every generated pod has this label (their app labels differ).
    both logs logs-follow "logs -l … -f --tail=-1 --prefix ($LOG_PODS pods × $LOG_LINES lines, time to the last line)" \
        - - sorted "" first "$RUNS" logs -l pod-template-hash=5d8f7c9b6d -n bench-0 -f --tail=-1 \
        "--max-log-requests=$LOG_PODS" --prefix
    FOLLOW_LINES=
}

create_doomed() {
    "$KZ" apply -f "$SERVER_DIR/doomed.yaml" >/dev/null
}

group_delete() {
    start_server delete --pods 10 --namespaces 1
    configmaps "$DELETE_OBJECTS" bench-delete doomed >"$SERVER_DIR/doomed.yaml"
    both delete delete-label "delete configmaps -l app=bench-delete ($DELETE_OBJECTS objects)" - - sorted \
        create_doomed first "$RUNS" delete configmaps -l app=bench-delete -n bench-delete
}

# ---------------------------------------------------------------------------------------------
# The report

machine() {
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $(lscpu | sed -nE 's/^Model name: +//p' | head -n 1), $(nproc) cores; memory $(free -g | awk '/^Mem:/ { print $2 }') GiB; Linux $(uname -r)"
    # kubectl under the HOME it is measured with (a dispatcher may pick its version by HOME).
    echo "- kz: \`$("$KZ" version --client | head -n 1)\` ($KZ); kubectl: \`$(HOME=$WORK "$KUBECTL" version --client | head -n 1)\`; $("$CURL" --version | head -n 1 | cut -d' ' -f1-2)"
    echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the cores are shared: expect noise)"
}

report() {
    {
        echo "# kz benchmark results"
        echo
        echo "Command: \`${COMMAND_SHOWN}\`"
        echo
        cat "$WORK/machine.md"
        echo "- Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "- Runs: $RUNS per figure (medians), $STARTUP_RUNS for startup, $SLOW_RUNS for kubectl's apply (minutes each); every command bounded by ${CMD_TIMEOUT} s"
        echo "- Servers (kz-testserver, generated clusters, $NAMESPACES namespaces for \`get\`):"
        cat "$WORK/settle.md"
        echo
        echo "Wall time in seconds, CPU = user + sys seconds, peak RSS in MiB (GNU time). The floor is"
        echo "\`curl\` fetching the same list in one request (Table or JSON, the Accept header the"
        echo "clients send); both clients read lists in pages of 500, whose cost to the server the"
        echo "paged curl rows show. Read-only commands: one untimed run first (kept for the output"
        echo "check, and a warm-up), then the timed runs with stdout to /dev/null. Commands that change"
        echo "the cluster keep the first timed run's output; a preparation before each run (removing"
        echo "the ConfigMaps, restarting the Deployments, creating the objects to delete) is untimed."
        echo
        echo '| group | command | kz wall | kz CPU | kz RSS | kubectl wall | kubectl CPU | kubectl RSS | floor | kz ÷ kubectl | kz ÷ floor | requests kz / kubectl | target | met | kz vs kubectl output |'
        echo '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |'
        cat "$WORK/table.md"
        if [[ -s $WORK/differences.md ]]; then
            echo
            echo "## Output differences, kz vs kubectl"
            echo
            cat "$WORK/differences.md"
        fi
    } >"$RESULTS"
    cat -- "$RESULTS"
}

main() {
    check_environment
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/kz-bench.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    RAW=$WORK/raw
    mkdir -p -- "$RAW"
    touch -- "$WORK"/{table,differences,settle}.md
    COMMAND_SHOWN="${SMOKE:+SMOKE=1 }${SETTINGS_SHOWN}benches/run.sh"
    [[ $ONLY == "$ALL_GROUPS" ]] || COMMAND_SHOWN="ONLY=\"$ONLY\" $COMMAND_SHOWN"
    machine >"$WORK/machine.md"
    local group
    for group in $ONLY; do
        declare -F "group_$group" >/dev/null || die "unknown group $group (groups: $ALL_GROUPS)"
    done
    for group in $ONLY; do
        "group_$group"
    done
    report
    log "done in ${SECONDS}s; report in $RESULTS"
    ! grep -qE '\| FAIL \||\*\*differs\*\*' "$RESULTS" || die "some commands failed or printed differently from kubectl (see $RESULTS)"
}

main "$@"
