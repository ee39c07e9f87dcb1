#!/usr/bin/env bash
# Runs a whole NUT stack on loopback with a simulated UPS, then queries it with our upsc.
#
#   scripts/demo.sh              our dummy-ups + upsd, queried by our upsc; runs until Ctrl-C
#   scripts/demo.sh --once       the same, but stop after the first query (scripts/test.sh)
#   scripts/demo.sh --upstream   serve with Debian's NUT 2.8.0 upsd + dummy-ups instead
#                                (apt-get install nut-server; our upsc still queries it)
#
# The simulated UPS "sim" is scripts/data/sim-ups.dev. Config, state and PID files live in a
# fresh temp dir and upsd listens on a free port of 127.0.0.1: the host's /etc/nut and
# /run/nut are not used. On exit only the processes started here are stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ONCE=0
UPSTREAM=0
for arg in "$@"; do
    case "$arg" in
    --once) ONCE=1 ;;
    --upstream) UPSTREAM=1 ;;
    *) echo "usage: $0 [--once] [--upstream]" >&2; exit 2 ;;
    esac
done

RUN=(cargo run -q --manifest-path "$ROOT/Cargo.toml" -p nut-bins --bin)
echo "== building upsc, upscmd, upsrw, upsd, dummy-ups"
cargo build -q --manifest-path "$ROOT/Cargo.toml" -p nut-bins --bin upsc --bin upscmd --bin upsrw --bin upsd --bin dummy-ups
BIN="$(cargo metadata -q --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug"
if [[ "$UPSTREAM" == 1 ]]; then
    UPSD=/lib/nut/upsd DUMMY=/lib/nut/dummy-ups SERVER="NUT 2.8.0 upsd + dummy-ups"
else
    UPSD="$BIN/upsd" DUMMY="$BIN/dummy-ups" SERVER="nut-rs upsd + dummy-ups"
fi
for bin in "$UPSD" "$DUMMY"; do
    [[ -x "$bin" ]] || { echo "demo: $bin not found (--upstream needs nut-server)" >&2; exit 1; }
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/nut-rs-demo.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
USER_OPT=()
[[ "$(id -u)" == 0 ]] && USER_OPT=(-u root)

cp "$ROOT/scripts/data/sim-ups.dev" "$TMP/sim-ups.dev"
cat >"$TMP/ups.conf" <<EOF
[sim]
    driver = dummy-ups
    port = sim-ups.dev
    desc = "Simulated UPS (nut-rs demo)"
EOF
cat >"$TMP/upsd.conf" <<EOF
LISTEN 127.0.0.1 $PORT
EOF
cat >"$TMP/upsd.users" <<EOF
[admin]
    password = demo
    actions = SET
    instcmds = ALL
EOF
chmod 600 "$TMP/upsd.users" "$TMP/upsd.conf"
export NUT_CONFPATH="$TMP" NUT_STATEPATH="$TMP" NUT_ALTPIDPATH="$TMP" NUT_PIDPATH="$TMP"

"$DUMMY" -a sim -F "${USER_OPT[@]}" >"$TMP/dummy-ups.log" 2>&1 &
PIDS+=($!)
"$UPSD" -F "${USER_OPT[@]}" >"$TMP/upsd.log" 2>&1 &
PIDS+=($!)

# Wait (at most 15 s) until upsd answers with live data from the driver.
if ! python3 - "$PORT" <<'EOF'; then
import socket, sys, time
port = int(sys.argv[1])
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET VAR sim battery.charge\n")
            if s.recv(512).startswith(b"VAR sim battery.charge"):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
    echo "demo: upsd did not serve the simulated UPS within 15 s; logs:" >&2
    cat "$TMP/dummy-ups.log" "$TMP/upsd.log" >&2
    exit 1
fi

ADDR="sim@127.0.0.1:$PORT"
echo "== $SERVER serving '$ADDR'"
echo "== ${RUN[*]} upsc -- $ADDR"
"$BIN/upsc" "$ADDR"

if [[ "$ONCE" == 1 ]]; then
    exit 0
fi
cat <<EOF

The simulated UPS stays up until Ctrl-C. Try, from another terminal:
  ${RUN[*]} upsc -- $ADDR ups.status
  ${RUN[*]} upsc -- -l 127.0.0.1:$PORT
  ${RUN[*]} upscmd -- -l $ADDR
  ${RUN[*]} upscmd -- -u admin -p demo $ADDR beeper.disable
  ${RUN[*]} upsrw -- $ADDR
  ${RUN[*]} upsrw -- -s ups.delay.shutdown=60 -u admin -p demo $ADDR
  upsc $ADDR                    # NUT's C upsc, if installed
Edit $TMP/sim-ups.dev to change values (dummy-ups rereads it).
EOF
wait "${PIDS[@]}"
