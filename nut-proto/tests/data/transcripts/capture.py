#!/usr/bin/env python3
"""Capture byte-exact NUT network transcripts from a real upsd (NUT 2.8.0).

Run as root: python3 capture.py [OUTDIR]  (default: the directory of this script).

It builds a throw-away NUT_CONFPATH/NUT_STATEPATH, starts on 127.0.0.1 (free port):
  - /lib/nut/dummy-ups for UPS "dummy" (a small .dev file written below),
  - a scripted driver written here (Python) for UPS "fake", which serves ENUM, RANGE,
    STRING:n, read-only values, escaped values and answers SET/INSTCMD tracking,
  - UPS "nodriver" with no driver running (DRIVER-NOT-CONNECTED, no description),
  - /lib/nut/upsd,
then replays the scenarios below, one TCP connection per scenario, and writes one
<scenario>.txt per scenario. Line markers written:
  "C: "  client line, canonical: our Request must re-serialise to exactly this text
  "C~ "  client line that parses but is not in canonical form (case, quoting, extra words)
  "C! "  client line our Request parser must refuse; the next S: line is upsd's ERR for it
  "S: "  server line, byte-exact without its "\n"
  "# "   comment
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

UPSD = "/lib/nut/upsd"
DUMMY = "/lib/nut/dummy-ups"

DEV_FILE = """\
battery.charge: 100
battery.runtime: 1800
device.mfr: Capture Ltd
device.model: Test Unit
ups.delay.shutdown: 20
ups.mfr: Capture Ltd
ups.status: OL CHRG
"""

FAKE_DUMP = [
    'SETINFO driver.name "fake-driver"',
    'SETINFO driver.version "1.0"',
    'SETINFO fake.hash "rack\\#1"',
    'SETINFO fake.quoted "a \\"b\\" \\\\c"',
    'SETINFO input.transfer.high "140"',
    "SETFLAGS input.transfer.high RW",
    "ADDRANGE input.transfer.high 130 150",
    "ADDRANGE input.transfer.high 160 170",
    'SETINFO test.all "a"',
    "SETFLAGS test.all RW STRING",
    "SETAUX test.all 8",
    'ADDENUM test.all "a"',
    "ADDRANGE test.all 1 2",
    'SETINFO ups.beeper.status "enabled"',
    "SETFLAGS ups.beeper.status RW",
    'ADDENUM ups.beeper.status "enabled"',
    'ADDENUM ups.beeper.status "disabled"',
    'ADDENUM ups.beeper.status "muted"',
    'SETINFO ups.id "rack 1"',
    "SETFLAGS ups.id RW STRING",
    "SETAUX ups.id 16",
    'SETINFO ups.status "OB LB"',
    "ADDCMD beeper.disable",
    "ADDCMD load.off",
    "ADDCMD test.battery.start",
    "DATAOK",
    "DUMPDONE",
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def fake_driver(path, stop, dump):
    """A scripted driver socket: answers DUMPALL, PING, SET and INSTCMD tracking."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    srv.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve_driver, args=(conn, stop, dump), daemon=True).start()


def serve_driver(conn, stop, dump):
    buf = b""
    conn.settimeout(0.2)
    while not stop.is_set():
        try:
            data = conn.recv(4096)
        except socket.timeout:
            continue
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            words = line.decode().split()
            if not words:
                continue
            out = []
            if words[0] == "DUMPALL":
                out = dump
            elif words[0] == "PING":
                out = ["PONG"]
            elif words[0] in ("SET", "INSTCMD") and "TRACKING" in words:
                tid = words[words.index("TRACKING") + 1]
                reply = ("TRACKING %s %s\n" % (tid, tracking_status(words))).encode()
                if "test.battery.start" in words:
                    # answered late, so that GET TRACKING sees PENDING first
                    threading.Timer(1.0, conn.sendall, args=(reply,)).start()
                else:
                    conn.sendall(reply)
            for o in out:
                conn.sendall(o.encode() + b"\n")


def tracking_status(words):
    """Driver result per request: 3 failed, 2 invalid, 1 unknown, 0 handled."""
    if "beeper.disable" in words:
        return "3"
    if "5" in words:
        return "2"
    if "test.all" in words:
        return "1"
    return "0"


STALE_DUMP = ['SETINFO ups.status "OL"', "DATASTALE", "DUMPDONE"]


# Scenario steps: (marker, text). Marker "C:", "C~", "C!" sends text; "sleep" waits;
# "#" is a comment copied to the file.
SCENARIOS = {
    "basic": [
        ("#", "version and help strings, no login needed"),
        ("C:", "VER"),
        ("C:", "NETVER"),
        ("C:", "PROTVER"),
        ("C:", "HELP"),
        ("C:", "STARTTLS"),
        ("C:", "LIST UPS"),
        ("C:", "GET UPSDESC dummy"),
        ("C:", "GET UPSDESC nodriver"),
        ("C:", "GET NUMLOGINS dummy"),
        ("C:", "LOGOUT"),
    ],
    "get": [
        ("C:", "GET VAR dummy ups.status"),
        ("C:", "GET VAR dummy battery.charge"),
        ("C:", "GET VAR fake fake.quoted"),
        ("C:", "GET VAR fake fake.hash"),
        ("C:", "GET VAR fake ups.id"),
        ("C:", "GET VAR dummy server.version"),
        ("C:", "GET VAR nosuchups server.info"),
        ("C:", "GET TYPE dummy ups.status"),
        ("C:", "GET TYPE fake driver.name"),
        ("C:", "GET TYPE fake ups.id"),
        ("C:", "GET TYPE fake ups.beeper.status"),
        ("C:", "GET TYPE fake input.transfer.high"),
        ("C:", "GET TYPE fake test.all"),
        ("C:", "GET DESC dummy ups.status"),
        ("C:", "GET DESC dummy no.such.var"),
        ("C:", "GET CMDDESC dummy load.off"),
        ("C:", "GET CMDDESC dummy no.such.cmd"),
        ("C:", "GET VAR dummy no.such.var"),
        ("C:", "GET VAR nosuchups ups.status"),
        ("C:", "GET VAR nodriver ups.status"),
        ("C:", "GET VAR stale ups.status"),
        ("C:", "GET NUMLOGINS stale"),
        ("C:", "GET TYPE dummy no.such.var"),
        ("C:", "GET NUMLOGINS nosuchups"),
        ("C:", "GET UPSDESC nosuchups"),
        ("C:", "GET TRACKING"),
    ],
    "list": [
        ("C:", "LIST UPS"),
        ("C:", "LIST VAR dummy"),
        ("C:", "LIST RW fake"),
        ("C:", "LIST CMD dummy"),
        ("C:", "LIST CMD fake"),
        ("C:", "LIST ENUM fake ups.beeper.status"),
        ("C:", "LIST ENUM fake ups.status"),
        ("C:", "LIST RANGE fake input.transfer.high"),
        ("C:", "LIST RANGE fake ups.id"),
        ("C:", "LIST CLIENT dummy"),
        ("C:", "LIST VAR nosuchups"),
        ("C:", "LIST VAR nodriver"),
        ("C:", "LIST VAR stale"),
        ("C:", "LIST ENUM fake no.such.var"),
    ],
    "lenient": [
        ("#", "upsd accepts any case, quoting and extra trailing words on GET/LIST/SET"),
        ("C~", "get var dummy ups.status"),
        ("C~", "Get Var DUMMY UPS.STATUS"),
        ("C~", 'GET VAR dummy "ups.status"'),
        ("C~", "GET VAR dummy ups.status junk"),
        ("C~", "\tGET   VAR dummy\tups.status"),
        ("C~", "list ups"),
        ("C~", "LIST UPS extra words"),
        ("C~", "STARTTLS please"),
    ],
    "errors": [
        ("#", "malformed requests and what upsd answers"),
        ("C!", "FOO"),
        ("C!", "GET"),
        ("C!", "GET FOO"),
        ("C!", "GET FOO a b"),
        ("C!", "GET VAR"),
        ("C!", "GET VAR dummy"),
        ("C!", "GET NUMLOGINS"),
        ("C!", "LIST"),
        ("C!", "LIST FOO"),
        ("C!", "LIST VAR"),
        ("C!", "LIST CLIENTS dummy"),
        ("C!", "LIST ENUM dummy"),
        ("C!", "VER extra"),
        ("C!", "NETVER 1"),
        ("C!", "HELP me"),
        ("C!", "LOGOUT now"),
        ("C!", "USERNAME"),
        ("C!", "USERNAME a b"),
        ("C!", "PASSWORD"),
        ("C:", "USERNAME admin"),
        ("C:", "USERNAME admin"),
        ("C:", "PASSWORD secret"),
        ("C:", "PASSWORD secret"),
        ("C!", "SET"),
        ("C!", "SET VAR dummy ups.status"),
        ("C!", "SET FOO bar"),
        ("C!", "SET TRACKING"),
        ("C!", "SET TRACKING MAYBE"),
        ("C!", "INSTCMD dummy"),
        ("C!", "LOGIN"),
        ("C!", "LOGIN a b"),
        ("C!", "PRIMARY"),
        ("C!", "MASTER a b"),
        ("C!", "FSD"),
    ],
    "auth": [
        ("#", "privileged commands before USERNAME/PASSWORD, then with the wrong password"),
        ("C:", "LOGIN dummy"),
        ("C:", 'SET VAR dummy ups.delay.shutdown "30"'),
        ("C:", "INSTCMD dummy load.off"),
        ("C:", "SET TRACKING ON"),
        ("C:", "USERNAME admin"),
        ("C:", "LOGIN dummy"),
        ("C:", "PASSWORD wrong"),
        ("C:", "LOGIN dummy"),
        ("C:", "PRIMARY dummy"),
        ("C:", "FSD dummy"),
        ("C:", 'SET VAR dummy ups.delay.shutdown "30"'),
        ("C:", "INSTCMD dummy load.off"),
        ("C:", "LOGOUT"),
    ],
    "monitor": [
        ("#", "what upsmon sends as a primary, and the FSD latch"),
        ("C:", "STARTTLS"),
        ("C:", "USERNAME monuser"),
        ("C:", "PASSWORD monpass"),
        ("C:", "LOGIN nosuchups"),
        ("C:", "LOGIN fake"),
        ("C:", "LOGIN fake"),
        ("C:", "PRIMARY fake"),
        ("C:", "MASTER fake"),
        ("C:", "GET NUMLOGINS fake"),
        ("C:", "LIST CLIENT fake"),
        ("C:", "GET VAR fake ups.status"),
        ("C:", "FSD nosuchups"),
        ("C:", "FSD fake"),
        ("C:", "GET VAR fake ups.status"),
        ("C:", "LIST VAR fake"),
        ("C:", "LOGOUT"),
    ],
    "set": [
        ("C:", "USERNAME admin"),
        ("C:", "PASSWORD secret"),
        ("C:", 'SET VAR fake ups.id "rack 2"'),
        ("C:", 'SET VAR fake ups.id "this value is far too long"'),
        ("C:", 'SET VAR fake ups.beeper.status "muted"'),
        ("C:", 'SET VAR fake ups.beeper.status "MUTED"'),
        ("C:", 'SET VAR fake input.transfer.high "165"'),
        ("C:", 'SET VAR fake input.transfer.high "155"'),
        ("C:", 'SET VAR fake driver.name "x"'),
        ("C:", 'SET VAR fake no.such.var "x"'),
        ("C:", 'SET VAR nosuchups ups.id "x"'),
        ("C:", 'SET VAR nodriver ups.id "x"'),
        ("C~", "SET VAR fake ups.id unquoted"),
        ("C:", 'SET VAR fake ups.id "a \\"b\\" \\\\"'),
        ("C:", "GET VAR fake ups.id"),
        ("#", "upsrw escapes # in values, as upsd does in replies"),
        ("C:", 'SET VAR fake ups.id "rack\\#2"'),
        ("C:", "INSTCMD fake load.off"),
        ("C:", "INSTCMD fake no.such.cmd"),
        ("C:", "INSTCMD nosuchups load.off"),
        ("C:", "INSTCMD nodriver load.off"),
        ("C:", "INSTCMD fake load.off 10"),
        ("C~", "INSTCMD fake load.off 10 extra"),
        ("C:", "LOGOUT"),
    ],
    "tracking": [
        ("#", "tracking ids come from upsd's unseeded PRNG: same sequence after every start"),
        ("C:", "USERNAME admin"),
        ("C:", "PASSWORD secret"),
        ("C:", "GET TRACKING"),
        ("C:", "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263"),
        ("C:", "SET TRACKING ON"),
        ("C:", "GET TRACKING"),
        ("C:", "GET TRACKING 00000000-0000-0000-0000-000000000000"),
        ("C:", 'SET VAR dummy ups.delay.shutdown "30"'),
        ("track", "GET TRACKING"),
        ("C:", 'SET VAR fake ups.id "rack 3"'),
        ("C:", "INSTCMD fake beeper.disable"),
        ("C:", "INSTCMD fake load.off"),
        ("C:", "INSTCMD fake load.off 5"),
        ("C:", 'SET VAR fake test.all "a"'),
        ("C:", "INSTCMD fake test.battery.start"),
        ("track", "GET TRACKING"),
        ("sleep", "1.5"),
        ("track-all", "GET TRACKING"),
        ("C~", "set tracking off"),
        ("C:", "GET TRACKING"),
        ("C:", "SET TRACKING OFF"),
        ("C:", "LOGOUT"),
    ],
}

UPSD_USERS = """\
[admin]
    password = secret
    actions = SET FSD
    instcmds = ALL
    upsmon primary
[monuser]
    password = monpass
    upsmon primary
"""


class Session:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.out = []
        self.ids = []

    def readline(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("ascii")

    def send(self, marker, text):
        self.out.append("%s %s" % (marker, text))
        self.sock.sendall(text.encode() + b"\n")
        first = self.readline()
        self.out.append("S: " + first)
        if first.startswith("OK TRACKING "):
            self.ids.append(first.split()[2])
        if first.startswith("BEGIN LIST"):
            while True:
                line = self.readline()
                self.out.append("S: " + line)
                if line.startswith("END LIST"):
                    break


def run_scenario(port, steps):
    s = Session(port)
    for marker, text in steps:
        if marker == "#":
            s.out.append("# " + text)
        elif marker == "sleep":
            time.sleep(float(text))
        elif marker == "track":
            s.send("C:", "GET TRACKING " + s.ids[-1])
        elif marker == "track-all":
            for tid in s.ids:
                s.send("C:", "GET TRACKING " + tid)
        else:
            s.send(marker, text)
    s.sock.close()
    return s.out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="nut-capture-")
    conf, state = os.path.join(tmp, "etc"), os.path.join(tmp, "state")
    os.makedirs(conf)
    os.makedirs(state)
    port = free_port()
    write(os.path.join(conf, "capture.dev"), DEV_FILE)
    write(os.path.join(conf, "ups.conf"),
          '[dummy]\n  driver = dummy-ups\n  port = capture.dev\n  desc = "Dummy UPS"\n'
          '[fake]\n  driver = fake-driver\n  port = none\n  desc = "Scripted driver"\n'
          "[nodriver]\n  driver = dummy-ups\n  port = none.dev\n"
          "[stale]\n  driver = fake-driver\n  port = none\n")
    write(os.path.join(conf, "upsd.conf"), "LISTEN 127.0.0.1 %d\n" % port)
    write(os.path.join(conf, "upsd.users"), UPSD_USERS)
    os.chmod(os.path.join(conf, "upsd.users"), 0o600)
    env = dict(os.environ, NUT_CONFPATH=conf, NUT_STATEPATH=state)
    stop = threading.Event()
    for ups, dump in (("fake", FAKE_DUMP), ("stale", STALE_DUMP)):
        threading.Thread(target=fake_driver, daemon=True,
                         args=(os.path.join(state, "fake-driver-" + ups), stop, dump)).start()
    procs = [subprocess.Popen([DUMMY, "-a", "dummy", "-u", "root", "-F"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    time.sleep(1.5)
    procs.append(subprocess.Popen([UPSD, "-u", "root", "-F"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        time.sleep(2.5)
        for name, steps in SCENARIOS.items():
            lines = run_scenario(port, steps)
            with open(os.path.join(outdir, name + ".txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
            print("wrote %s.txt (%d lines)" % (name, len(lines)))
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        stop.set()


if __name__ == "__main__":
    main()
