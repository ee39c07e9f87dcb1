#!/usr/bin/env bash
# Side-by-side load test of our upsd and real upsd 2.8.0, both serving the SAME real
# dummy-ups 2.8.0 driver (one driver socket, two servers), on 127.0.0.1 in a temp dir.
#
#   cargo build --release -p nut-bins --bin upsd -p nut-benches --bin loadgen
#   sudo scripts/bench-upsd.sh            # (root: NUT daemons run with -u root)
#
# Env: BIN (our binaries, default target/release), SECS (per run, default 5), MODES (a subset),
# PIN=0 (no core pinning), OURS_THREADS (tokio workers of ours; default 1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release}
SECS=${SECS:-5}
DEV=${DEV:-/work/shared/data/nut/epdu-managed.dev}
[ -f "$DEV" ] || DEV="$ROOT/scripts/data/$(basename "$DEV")"
for f in /lib/nut/upsd /lib/nut/dummy-ups "$BIN/upsd" "$BIN/loadgen"; do
  [ -x "$f" ] || { echo "missing $f" >&2; exit 1; }
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

dir=$(mktemp -d /tmp/nut-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
mkdir -p "$dir/real" "$dir/ours" "$dir/state"
cp "$DEV" "$dir/real/dummy.dev"
printf '[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n' > "$dir/real/ups.conf"
printf '[admin]\n\tpassword = secret\n\tactions = SET\n\tinstcmds = ALL\n' > "$dir/real/upsd.users"
cp "$dir/real/ups.conf" "$dir/real/upsd.users" "$dir/ours/"
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'LISTEN 127.0.0.1 %s\n' "$rport" > "$dir/real/upsd.conf"
printf 'LISTEN 127.0.0.1 0\n' > "$dir/ours/upsd.conf"

# With 2+ cores, each server gets core 1 to itself and the load generator core 0, so the
# comparison is server against server rather than server against load generator.
SRV=(); CLI=()
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then SRV=(taskset -c 1); CLI=(taskset -c 0); fi
export NUT_STATEPATH="$dir/state" NUT_ALTPIDPATH="$dir/state"
NUT_CONFPATH="$dir/real" /lib/nut/dummy-ups -a dummy -u root -F >"$dir/drv.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -S "$dir/state/dummy-ups-dummy" ] && break; sleep 0.1; done
NUT_CONFPATH="$dir/real" "${SRV[@]}" /lib/nut/upsd -u root -F >"$dir/real.log" 2>&1 & pids+=($!); rpid=$!
NUT_CONFPATH="$dir/ours" NUT_ALTPIDPATH="$dir/ours" TOKIO_WORKER_THREADS=${OURS_THREADS:-1} "${SRV[@]}" "$BIN/upsd" -u root -F >/dev/null 2>"$dir/ours.log" & pids+=($!); opid=$!
oport=
for _ in $(seq 100); do
  oport=$(sed -n 's/^listening on 127.0.0.1 port //p' "$dir/ours.log" | head -1)
  [ -n "$oport" ] && upsc "dummy@127.0.0.1:$oport" device.mfr >/dev/null 2>&1 \
    && upsc "dummy@127.0.0.1:$rport" device.mfr >/dev/null 2>&1 && break
  sleep 0.1
done
[ -n "$oport" ] || { echo "our upsd did not start:"; cat "$dir/ours.log"; exit 1; }

lg() { "${CLI[@]}" "$BIN/loadgen" --target "ours=127.0.0.1:$oport@$opid" --target "real=127.0.0.1:$rport@$rpid" \
         --ups dummy --var device.mfr --secs "$SECS" "$@"; echo; }
lg_ours() { "${CLI[@]}" "$BIN/loadgen" --target "ours=127.0.0.1:$oport@$opid" --ups dummy --var device.mfr --secs "$SECS" "$@"; echo; }

echo "== $(nproc) cores (servers: ${SRV[*]:-any}, loadgen: ${CLI[*]:-any}); real upsd pid $rpid port $rport; our upsd pid $opid port $oport"
MODES=${MODES:-"get100 get500 get100w get500w get100p get500p list churn burst idle slow"}
for m in $MODES; do
  case $m in
    get100) lg --mode get --clients 100 ;;
    get500) lg --mode get --clients 500 ;;
    # Steady state: all clients connected before the clock (real upsd's backlog of 16 can
    # stall connects for seconds; that shows in get500 above, not here).
    get100w) lg --mode get --clients 100 --connect-first ;;
    get500w) lg --mode get --clients 500 --connect-first ;;
    # Clients asking 8 variables at once (one write, eight GET VAR lines).
    get100p) lg --mode get --clients 100 --connect-first --pipeline 8 ;;
    get500p) lg --mode get --clients 500 --connect-first --pipeline 8 ;;
    list) lg --mode list --clients 10 ;;
    churn) lg --mode churn --clients 50 ;;
    burst) lg --mode burst --clients 1000 ;;
    idle) lg --mode idle --clients 10000 --secs 2 ;;
    # Real upsd blocks every client while one does not read (COMPAT 24): ours only.
    slow) lg_ours --mode get --clients 50; lg_ours --mode slowreader --clients 50 ;;
  esac
done
