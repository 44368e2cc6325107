#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each (default 60), one at a time,
# and prints per target the executions and whether it crashed. Usage:
#   fuzz/run.sh [SECONDS] [TARGET...]
# New inputs go to fuzz/work/corpus/<target> (not committed), crashes to fuzz/artifacts/<target>,
# one line per run to fuzz/work/history.tsv (time, target, seconds, executions, exit code).
# Stable Rust is enough: no sanitizer, so no nightly and no RUSTC_BOOTSTRAP.
set -uo pipefail

cd "$(dirname "$0")"
seconds=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

max_len() {
    case $1 in
        manifest | kubeconfig) echo 65536 ;;
        *) echo 4096 ;;
    esac
}

# Stable Rust: no sanitizer (kz has no unsafe code of its own); panics, stack overflows,
# timeouts and memory over the limit are what libFuzzer reports.
cargo fuzz build --sanitizer none || exit 1

status=0
summary=()
for target in "${targets[@]}"; do
    work=work/corpus/$target
    mkdir -p "$work" "artifacts/$target"
    log=work/$target.log
    started=$SECONDS
    cargo fuzz run --sanitizer none "$target" "$work" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=512 -max_len="$(max_len "$target")" \
        -timeout=10 -print_final_stats=1 >"$log" 2>&1
    code=$?
    elapsed=$((SECONDS - started))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$elapsed" "${runs:-?}" "$code" \
        >>work/history.tsv
    if [ $code -eq 0 ]; then
        summary+=("$target: ${runs:-?} executions in ${elapsed}s, no crash")
    else
        status=1
        artifact=$(grep -o 'artifacts/[^ ]*' "$log" | tail -1)
        summary+=("$target: CRASH after ${runs:-?} executions in ${elapsed}s: ${artifact:-see fuzz/$log}")
    fi
done
printf '%s\n' "${summary[@]}"
exit $status
