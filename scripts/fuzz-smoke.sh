#!/usr/bin/env bash
# Builds every fuzz target of fuzz/Cargo.toml and runs each one for a short while.
#
#   scripts/fuzz-smoke.sh            all targets, FUZZ_SECONDS (default 10) each
#   scripts/fuzz-smoke.sh words      only the named targets
#
# cargo-fuzz passes nightly-only flags (-Zsanitizer=address, -Cpasses=sancov-module); on the
# stable toolchain RUSTC_BOOTSTRAP=1 unlocks them, which is all this needs (checked with
# rustc 1.95 + cargo-fuzz 0.13). Install cargo-fuzz with `cargo install --locked cargo-fuzz`
# (scripts/test.sh does). The corpus grows in fuzz/corpus/<target> and crashes are written
# to fuzz/artifacts/<target>; both are git-ignored. A crash fails the script: turn it into a
# regression test in the parser's crate.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"
SECONDS_EACH="${FUZZ_SECONDS:-10}"
export RUSTC_BOOTSTRAP=1

# Fuzz builds go next to the normal ones when CARGO_TARGET_DIR is set, else to fuzz/target.
TARGET_OPT=()
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then
    TARGET_OPT=(--target-dir "$CARGO_TARGET_DIR/fuzz")
fi

if [[ $# -gt 0 ]]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi
[[ ${#TARGETS[@]} -gt 0 ]] || { echo "fuzz-smoke: no targets in fuzz/Cargo.toml" >&2; exit 1; }

echo "fuzz-smoke: building ${#TARGETS[@]} targets: ${TARGETS[*]}"
cargo fuzz build "${TARGET_OPT[@]}"

passed=0
failed=()
for t in "${TARGETS[@]}"; do
    mkdir -p "corpus/$t"
    log="$(mktemp)"
    if cargo fuzz run "${TARGET_OPT[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
        runs="$(grep -o '^stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
        echo "fuzz-smoke: $t ok (${runs:-?} runs in ${SECONDS_EACH}s)"
        passed=$((passed + 1))
    else
        echo "fuzz-smoke: $t FAILED; last output:"
        tail -n 40 "$log"
        failed+=("$t")
    fi
    rm -f "$log"
done

echo "fuzz-smoke result: ${passed} passed; ${#failed[@]} failed${failed:+: ${failed[*]}}"
[[ ${#failed[@]} -eq 0 ]]
