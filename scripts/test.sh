#!/usr/bin/env bash
# Runs every check of the project: the command CI runs (.ci/run) and developers run.
#
#   scripts/test.sh                 install what is missing, then run every section
#   scripts/test.sh clippy test     only the named sections (deps always run first)
#   SKIP_DEPS=1 scripts/test.sh     do not install anything
#
# Sections: fmt clippy depcheck test doctest doc demo fuzz size. Each one runs even if an earlier
# one failed; the exit status is non-zero if any failed, and the last lines summarise them.
# On a fresh Debian 12 machine (as root, or with sudo) the deps step installs NUT 2.8.0
# (nut-server, nut-client, python3-nut: the reference for the interop tests and the demo),
# the USB build deps and cargo-fuzz. Installing NUT never starts its services.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ALL_SECTIONS=(fmt clippy depcheck test doctest doc demo fuzz size)
APT_PACKAGES=(nut-server nut-client python3-nut libusb-1.0-0-dev libudev-dev pkg-config openssl)

header() {
    printf '\n======== %s ========\n' "$*"
}

as_root() {
    if [[ "$(id -u)" == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "deps: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

missing_apt_packages() {
    local p
    for p in "${APT_PACKAGES[@]}"; do
        [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" == ii* ]] || echo "$p"
    done
}

# Installs packages with service starts forbidden (policy-rc.d exit 101), so that no system
# upsd/upsmon comes up; Debian's default nut.conf (MODE=none) would also keep them down.
apt_install() {
    local policy=/usr/sbin/policy-rc.d created=0 rc=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy"
        created=1
    fi
    as_root apt-get update -q &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" || rc=$?
    [[ "$created" == 1 ]] && as_root rm -f "$policy"
    return "$rc"
}

# A system NUT daemon (one with a PID file in /run/nut) could answer on port 3493 or hold
# driver sockets; tests never use either, but say so loudly if one runs.
check_no_system_nut() {
    local f pid found=0
    for f in /run/nut/*.pid; do
        [[ -e "$f" ]] || continue
        pid="$(cat "$f" 2>/dev/null)"
        if [[ -n "$pid" && -d "/proc/$pid" ]]; then
            echo "deps: warning: system NUT process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline")) from $f is running"
            found=1
        fi
    done
    [[ "$found" == 0 ]] && echo "deps: no system upsd/upsmon/driver running (nut.conf: $(grep -E '^MODE=' /etc/nut/nut.conf 2>/dev/null || echo 'no MODE'))"
    return 0
}

install_deps() {
    header "deps"
    local missing
    mapfile -t missing < <(missing_apt_packages)
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "deps: installing ${missing[*]}"
        apt_install "${missing[@]}" || return 1
    else
        echo "deps: apt packages present: ${APT_PACKAGES[*]}"
    fi
    check_no_system_nut
    if command -v rustup >/dev/null; then
        rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy || return 1
        rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt || return 1
    fi
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "deps: installing cargo-fuzz"
        cargo install --locked cargo-fuzz || return 1
    fi
    echo "deps: $(cargo --version); $(cargo fuzz --version)"
    report_disk
}

run_section() {
    case "$1" in
    fmt) cargo fmt --all -- --check ;;
    clippy) cargo clippy --workspace --all-targets -- -D warnings ;;
    depcheck) python3 scripts/dep_check.py ;;
    test) cargo test --workspace --all-targets --no-fail-fast ;;
    doctest) cargo test --workspace --doc --no-fail-fast ;;
    doc) RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps ;;
    demo) demo_smoke ;;
    fuzz) scripts/fuzz-smoke.sh ;;
    size) size_report ;;
    *)
        echo "unknown section '$1' (sections: ${ALL_SECTIONS[*]})" >&2
        return 2
        ;;
    esac
}

# The README's first command, run once: real upsd + dummy-ups, queried by our upsc.
demo_smoke() {
    local out
    out="$(scripts/demo.sh --once 2>&1)"
    local rc=$?
    printf '%s\n' "$out"
    [[ $rc == 0 ]] || return "$rc"
    grep -qx 'ups.status: OL' <<<"$out" && grep -qx 'battery.charge: 100' <<<"$out" ||
        { echo "demo: upsc output lacks 'ups.status: OL' / 'battery.charge: 100'"; return 1; }
    echo "demo: upsc showed the simulated UPS"
}

# Size distribution (../shared/tools from the project, when present) and the budget gate.
size_report() {
    local tools="$ROOT/../shared/tools" dirs=()
    mapfile -t dirs < <(ls -d nut-*/src bins/src 2>/dev/null)
    if [[ -f "$tools/rsstats.py" ]]; then
        python3 "$tools/rsstats.py" workspace "${dirs[@]}" examples benches
        python3 "$tools/nontest.py" "${dirs[@]}"
        for d in "${dirs[@]}"; do python3 "$tools/unwraps.py" "$d"; done
    fi
    python3 scripts/size_gate.py "${dirs[@]}" examples benches
}

# Every test binary links the whole stack statically: with full debuginfo and incremental
# caches one build of all sections took 6.7 GB, and a CI run on a nearly full disk failed to
# link. Line tables keep file:line in panics and backtraces at a fraction of the size.
# Both can be overridden from the environment.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"

# Says how much room the build has, so that a disk-full failure is recognised at once.
report_disk() {
    local dir="${CARGO_TARGET_DIR:-$ROOT/target}" avail_kb
    mkdir -p "$dir" 2>/dev/null || dir="$ROOT"
    avail_kb="$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')"
    echo "deps: $((avail_kb / 1024 / 1024)) GiB free for $dir"
    [[ "$avail_kb" -ge $((4 * 1024 * 1024)) ]] ||
        echo "deps: warning: under 4 GiB free; the build needs about that much"
}

main() {
    local sections=("$@") failed=() passed=() s start
    [[ ${#sections[@]} -gt 0 ]] || sections=("${ALL_SECTIONS[@]}")
    if [[ "${SKIP_DEPS:-0}" != 1 ]]; then
        install_deps || { echo "test.sh: installing dependencies failed" >&2; exit 1; }
    fi
    for s in "${sections[@]}"; do
        header "$s"
        start=$SECONDS
        if run_section "$s"; then
            passed+=("$s")
            echo "-------- $s: ok ($((SECONDS - start)) s)"
        else
            failed+=("$s")
            echo "-------- $s: FAILED ($((SECONDS - start)) s)"
        fi
    done
    header "summary"
    echo "passed: ${passed[*]:-none}"
    echo "failed: ${failed[*]:-none}"
    [[ ${#failed[@]} -eq 0 ]]
}

main "$@"
