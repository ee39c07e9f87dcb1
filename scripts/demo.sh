#!/usr/bin/env bash
# Runs a whole NUT stack on loopback with a simulated UPS, then queries it with our upsc.
#
#   scripts/demo.sh           start, show `upsc sim@…`, keep running until Ctrl-C
#   scripts/demo.sh --once    start, show `upsc sim@…`, stop (used by scripts/test.sh)
#   NUT_DEMO_UPSC=upsc scripts/demo.sh   the same with Debian's C upsc as the client
#
# Server side, until the nut-rs upsd lands: Debian's NUT 2.8.0 upsd and dummy-ups
# (apt-get install nut-server nut-client), reading scripts/data/sim-ups.dev. Everything lives
# in a fresh temp dir (config, state, PID files) and listens on a free port of 127.0.0.1;
# the host's /etc/nut and /run/nut are not touched. On exit only the processes started here
# are stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UPSD="${NUT_UPSD:-/lib/nut/upsd}"
DUMMY="${NUT_DUMMY_UPS:-/lib/nut/dummy-ups}"
ONCE=0
[[ "${1:-}" == "--once" ]] && ONCE=1

for bin in "$UPSD" "$DUMMY"; do
    [[ -x "$bin" ]] || { echo "demo: $bin not found; install nut-server (scripts/test.sh does)" >&2; exit 1; }
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
# NUT_DEMO_UPSC=upsc runs Debian's C upsc instead, for comparison.
if [[ -n "${NUT_DEMO_UPSC:-}" ]]; then
    UPSC=("$NUT_DEMO_UPSC")
else
    UPSC=(cargo run -q --manifest-path "$ROOT/Cargo.toml" -p nut-bins --bin upsc --)
fi
echo "== upsd (NUT 2.8.0) + dummy-ups serving '$ADDR'"
echo "== ${UPSC[*]} $ADDR"
"${UPSC[@]}" "$ADDR"

if [[ "$ONCE" == 1 ]]; then
    exit 0
fi
cat <<EOF

The simulated UPS stays up until Ctrl-C. Try, from $ROOT:
  ${UPSC[*]} $ADDR
  ${UPSC[*]} $ADDR ups.status
  ${UPSC[*]} -l 127.0.0.1:$PORT
  cargo run -q -p nut-bins --bin upsrw -- -u admin -p demo $ADDR
  upsc $ADDR                      # Debian's C upsc, for comparison
Edit $TMP/sim-ups.dev to change values (dummy-ups rereads it).
EOF
wait "${PIDS[@]}"
