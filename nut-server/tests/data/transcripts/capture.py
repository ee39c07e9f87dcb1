#!/usr/bin/env python3
"""Capture byte-exact conversations with real upsd 2.8.0 for nut-server's replay test.

Run as root from anywhere:  python3 capture.py
It writes NN-<scenario>.txt next to itself, from a throw-away NUT_CONFPATH/NUT_STATEPATH:
  - ups.conf and upsd.users of this directory, upsd.conf with LISTEN 127.0.0.1 <free port>;
  - one scripted driver socket per UPS of drivers.txt (Python, below), so the data is fixed:
    it answers DUMPALL with that UPS's lines, PING with PONG, holds the TRACKING answer of
    each tracked SET/INSTCMD until a scenario releases it, and sends live lines on demand;
  - /lib/nut/upsd -u root -F.
Scenarios run in order against the same upsd (state carries over, as it does in the replay).
File format (one event per line):
  C: <raw request bytes>     sent on connection 1 (followed by "\n")
  C2: <raw request bytes>    sent on connection 2
  S: / S2: <reply line>      upsd's reply on connection 1 / 2, without its "\n"
  D: <ups> <driver line>     the scripted driver of <ups> sent this line (then a pause)
  X2:                        connection 2 closed
  # <comment>
A C: line followed by no S: line got no reply at all.
"""

import os
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
UPSD = "/lib/nut/upsd"
DUMPS = {}
SILENT = set()
for raw in open(os.path.join(HERE, "drivers.txt")):
    raw = raw.rstrip("\n")
    if not raw or raw.startswith("#"):
        continue
    ups, line = raw.split(" ", 1)
    if line == "silent":
        SILENT.add(ups)
    else:
        DUMPS.setdefault(ups, []).append(line)


class Driver:
    """One scripted driver socket."""

    def __init__(self, path, ups):
        self.ups = ups
        self.conn = None
        self.held = []
        self.lock = threading.Lock()
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(4)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            conn, _ = self.srv.accept()
            self.conn = conn
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def send(self, line):
        with self.lock:
            self.conn.sendall(line.encode() + b"\n")

    def serve(self, conn):
        buf = b""
        while True:
            data = conn.recv(4096)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.handle(line.decode())

    def handle(self, line):
        words = line.split()
        if not words:
            return
        if words[0] == "DUMPALL" and self.ups not in SILENT:
            for l in DUMPS.get(self.ups, []):
                self.send(l)
        elif words[0] == "PING":
            self.send("PONG")
        elif "TRACKING" in words:
            self.held.append(words[words.index("TRACKING") + 1])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Conn:
    def __init__(self, port, tag, out):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.tag, self.out, self.buf = tag, out, b""

    def readline(self, timeout):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("latin-1")

    def request(self, raw, ids, expect_reply=True):
        self.out.append("C%s: %s" % (self.tag, raw))
        self.sock.sendall(raw.encode("latin-1") + b"\n")
        first = self.readline(5 if expect_reply else 0.8)
        if first is None:
            return
        self.out.append("S%s: %s" % (self.tag, first))
        if first.startswith("OK TRACKING "):
            ids.append(first.split()[2])
        if first.startswith("BEGIN LIST"):
            while True:
                line = self.readline(5)
                self.out.append("S%s: %s" % (self.tag, line))
                if line is None or line.startswith("END LIST"):
                    break


def run(port, drivers, steps):
    out, ids, conns = [], [], {}

    def conn(tag):
        if tag not in conns:
            conns[tag] = Conn(port, tag, out)
        return conns[tag]

    for step in steps:
        kind, arg = step[0], step[1] if len(step) > 1 else ""
        if kind == "#":
            out.append("# " + arg)
        elif kind in ("C", "C2"):
            conn(kind[1:]).request(arg, ids)
        elif kind == "noreply":
            time.sleep(0.3)
            conn("").request(arg, ids, expect_reply=False)
        elif kind == "D":
            ups, line = arg.split(" ", 1)
            drivers[ups].send(line)
            out.append("D: %s %s" % (ups, line))
            time.sleep(0.5)
        elif kind == "release":
            ups, codes = arg.split(" ", 1)
            drv = drivers[ups]
            for tid, code in zip(list(drv.held), codes.split()):
                drv.send("TRACKING %s %s" % (tid, code))
                out.append("D: %s TRACKING %s %s" % (ups, tid, code))
            drv.held.clear()
            time.sleep(0.5)
        elif kind == "track":
            conn("").request("GET TRACKING " + ids[int(arg)], ids)
        elif kind == "close2":
            conns.pop("2").sock.close()
            out.append("X2:")
            time.sleep(0.5)
    for c in conns.values():
        c.sock.close()
    time.sleep(0.3)
    return out


SCENARIOS = [
    ("basic", [
        ("#", "fixed strings, LIST UPS in ups.conf order, descriptions"),
        ("C", "VER"), ("C", "NETVER"), ("C", "PROTVER"), ("C", "HELP"), ("C", "STARTTLS"),
        ("C", "STARTTLS please"), ("C", "LIST UPS"), ("C", "GET UPSDESC fake"),
        ("C", "GET UPSDESC FAKE"), ("C", "GET UPSDESC nodriver"), ("C", "GET UPSDESC nosuch"),
        ("C", "GET DESC fake ups.status"), ("C", "GET DESC fake no.such.var"),
        ("C", "GET CMDDESC fake load.off"), ("C", "GET CMDDESC fake no.such.cmd"),
        ("C", "GET DESC nodriver ups.status"), ("C", "GET DESC nosuch ups.status"),
        ("C", "LOGOUT"),
    ]),
    ("parsing", [
        ("#", "empty and comment lines, quoting, case, extra words, tabs"),
        ("C", ""), ("C", "   "), ("C", "# just a comment"), ("C", "FOO"), ("C", "ver"),
        ("C", "get var fake ups.status"), ("C", "Get Var FAKE UPS.STATUS"),
        ("C", 'GET VAR fake "ups.status"extra'), ("C", "GET VAR fake ups.status junk"),
        ("C", "\tGET\tVAR fake\t ups.status"), ("C", "GET VAR fake ups.status # comment"),
        ("C", "GET VAR fake ups.st\\atus"), ("C", "GET VAR fake ups=status"),
        ("noreply", 'GET VAR fake "ups#status"'),
        ("C", "VER"),
        ("C", "VER extra"), ("C", "NETVER 1"), ("C", "HELP me"), ("C", "LOGOUT now"),
        ("C", "GET"), ("C", "GET FOO"), ("C", "GET FOO a b"), ("C", "GET VAR"),
        ("C", "GET VAR fake"), ("C", "GET NUMLOGINS"), ("C", "LIST"), ("C", "LIST FOO"),
        ("C", "LIST VAR"), ("C", "LIST CLIENTS fake"), ("C", "LIST ENUM fake"),
        ("C", "USERNAME"), ("C", "USERNAME a b"), ("C", "PASSWORD"),
        ("C", "LIST UPS extra words"),
    ]),
    ("get", [
        ("C", "GET VAR fake ups.status"), ("C", "GET VAR fake ups.description"),
        ("C", "GET VAR fake driver.version"), ("C", "GET VAR fake DRIVER.VERSION"),
        ("C", "GET VAR fake server.version"), ("C", "GET VAR nosuch server.info"),
        ("C", "GET VAR Whatever SERVER.INFO"), ("C", "GET VAR fake server.other"),
        ("C", "GET TYPE fake ups.status"), ("C", "GET TYPE fake ups.id"),
        ("C", "GET TYPE fake input.sensitivity"), ("C", "GET TYPE fake input.transfer.low"),
        ("C", "GET TYPE fake battery.charge.low"), ("C", "GET TYPE fake ups.delay.shutdown"),
        ("C", "GET TYPE fake zero.aux"), ("C", "GET TYPE fake no.such.var"),
        ("C", "GET VAR fake no.such.var"), ("C", "GET VAR nosuch ups.status"),
        ("C", "GET VAR nodriver ups.status"), ("C", "GET VAR stale ups.status"),
        ("C", "GET NUMLOGINS fake"), ("C", "GET NUMLOGINS stale"),
        ("C", "GET NUMLOGINS nosuch"), ("C", "GET TRACKING"),
        ("C", "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263"),
    ]),
    ("list", [
        ("C", "LIST VAR fake"), ("C", "LIST VAR Fake"), ("C", "LIST RW fake"),
        ("C", "LIST CMD fake"), ("C", "LIST ENUM fake input.sensitivity"),
        ("C", "LIST ENUM fake INPUT.SENSITIVITY"), ("C", "LIST ENUM fake ups.status"),
        ("C", "LIST RANGE fake battery.charge.low"), ("C", "LIST RANGE fake ups.id"),
        ("C", "LIST ENUM fake no.such.var"), ("C", "LIST RANGE fake no.such.var"),
        ("C", "LIST CLIENT fake"), ("C", "LIST CLIENT nodriver"), ("C", "LIST CLIENT nosuch"),
        ("C", "LIST VAR nosuch"), ("C", "LIST VAR nodriver"), ("C", "LIST VAR stale"),
        ("C", "LIST RW stale"), ("C", "LIST CMD stale"), ("C", "LIST CMD nodriver"),
        ("C", "LIST ENUM stale ups.status"), ("C", "LIST RANGE nodriver x"),
    ]),
    ("auth", [
        ("#", "privileged commands check USERNAME then PASSWORD before their arguments"),
        ("C", "LOGIN fake"), ("C", "LOGIN"), ("C", "PRIMARY"), ("C", "MASTER a b"),
        ("C", "FSD"), ("C", "SET"), ("C", "SET FOO"), ("C", "INSTCMD"),
        ("C", "SET VAR fake ups.id x"), ("C", "INSTCMD fake load.off"),
        ("C", "SET TRACKING ON"), ("C", "GET TRACKING"),
        ("C", "PASSWORD secret"), ("C", "LOGIN fake"), ("C", "SET TRACKING MAYBE"),
        ("C", "USERNAME nobody"), ("C", "USERNAME again"), ("C", "PASSWORD again"),
        ("C", "LOGIN"), ("C", "LOGIN a b"), ("C", "SET"), ("C", "SET VAR fake ups.id"),
        ("C", "SET FOO bar"), ("C", "SET TRACKING"), ("C", "INSTCMD fake"),
        ("C", "LOGIN nosuch"), ("C", "LOGIN fake"), ("C", "PRIMARY fake"), ("C", "FSD fake"),
        ("C", "SET VAR fake ups.id x"), ("C", "INSTCMD fake load.off"),
        ("C", "SET VAR nosuch ups.id x"), ("C", "SET VAR nodriver ups.id x"),
        ("C", "SET VAR stale ups.id x"), ("C", "INSTCMD stale load.off"),
        ("C", "INSTCMD fake no.such.cmd"), ("C", "SET VAR fake no.such.var x"),
        ("C", "LOGOUT"),
    ]),
    ("rights-secondary", [
        ("C", "USERNAME sec"), ("C", "PASSWORD secpass"), ("C", "PRIMARY fake"),
        ("C", "MASTER fake"), ("C", "FSD fake"), ("C", "SET VAR fake ups.id x"),
        ("C", "INSTCMD fake load.off"), ("C", "LOGIN stale"), ("C", "LOGIN fake"),
        ("C", "GET NUMLOGINS stale"), ("C", "LIST CLIENT stale"), ("C", "LOGOUT"),
    ]),
    ("rights-limited", [
        ("C", "PASSWORD pw"), ("C", "USERNAME limited"), ("C", "LOGIN fake"),
        ("C", "PRIMARY fake"), ("C", "FSD fake"), ("C", "INSTCMD fake load.off"),
        ("C", "INSTCMD fake LOAD.OFF"), ("C", "INSTCMD fake beeper.toggle"),
        ("C", "INSTCMD fake calibrate.start"), ("C", "SET VAR fake ups.id limited"),
    ]),
    ("set", [
        ("C", "USERNAME admin"), ("C", "PASSWORD secret"),
        ("C", 'SET VAR fake ups.id "rack 2"'), ("C", 'SET VAR fake UPS.ID "upper"'),
        ("C", 'SET VAR fake ups.id "sixteen chars ok"'),
        ("C", 'SET VAR fake ups.id "seventeen chars!!"'),
        ("C", 'SET VAR fake input.sensitivity "high"'),
        ("C", 'SET VAR fake input.sensitivity "HIGH"'),
        ("C", 'SET VAR fake input.sensitivity "way too long"'),
        ("C", 'SET VAR fake input.transfer.low "105"'),
        ("C", 'SET VAR fake input.transfer.low "110"'),
        ("C", 'SET VAR fake battery.charge.low "30"'),
        ("C", 'SET VAR fake battery.charge.low "17"'),
        ("C", 'SET VAR fake battery.charge.low "5"'),
        ("C", 'SET VAR fake battery.charge.low "40"'),
        ("C", 'SET VAR fake ups.delay.shutdown "600"'),
        ("C", 'SET VAR fake ups.delay.shutdown "601"'),
        ("C", 'SET VAR fake ups.delay.shutdown "-1"'),
        ("C", 'SET VAR fake zero.aux "y"'), ("C", 'SET VAR fake driver.name "x"'),
        ("C", 'SET VAR fake ups.id "a \\"b\\" \\\\"'), ("C", "SET VAR fake ups.id unquoted"),
        ("C", "SET VAR fake ups.id two words extra"),
        ("C", "INSTCMD fake load.off"), ("C", "INSTCMD fake LOAD.OFF"),
        ("C", "INSTCMD fake load.off.delay 30"), ("C", 'INSTCMD fake load.off.delay "1 2"'),
        ("C", "INSTCMD fake load.off.delay 10 extra"), ("C", "INSTCMD FAKE Calibrate.Start"),
        ("C", "LOGOUT"),
    ]),
    ("tracking", [
        ("C", "USERNAME admin"), ("C", "PASSWORD secret"), ("C", "GET TRACKING"),
        ("C", "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263"),
        ("C", "SET TRACKING ON"), ("C", "GET TRACKING"),
        ("C", "GET TRACKING 00000000-0000-0000-0000-000000000000"),
        ("C", 'SET VAR fake ups.delay.shutdown "30"'), ("track", "0"),
        ("C", 'SET VAR fake ups.id "rack 3"'), ("C", "INSTCMD fake Beeper.Toggle"),
        ("C", "INSTCMD fake load.off"), ("C", "INSTCMD fake load.off.delay 5"),
        ("C", 'SET VAR fake ups.id "far too long for sixteen"'),
        ("C", "INSTCMD fake no.such.cmd"), ("C", "INSTCMD fake test.battery.start"),
        ("track", "5"),
        ("release", "fake 0 3 0 2 1 0"),
        ("track", "0"), ("track", "1"), ("track", "2"), ("track", "3"), ("track", "4"),
        ("track", "5"),
        ("C2", "USERNAME admin"), ("C2", "PASSWORD secret"),
        ("C2", "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263"),
        ("C2", "set tracking on"), ("C2", "GET TRACKING 2ddc5036-f665-4d29-be4c-0374d091d263"),
        ("close2",),
        ("C", "set tracking off"), ("C", "GET TRACKING"), ("C", "SET TRACKING OFF"),
        ("C", 'SET VAR fake ups.id "untracked"'), ("C", "LOGOUT"),
    ]),
    ("fsd", [
        ("#", "upsmon primary: LOGIN, PRIMARY/MASTER, FSD latch"),
        ("C", "STARTTLS"), ("C", "USERNAME mon"), ("C", "PASSWORD monpass"),
        ("C", "LOGIN nosuch"), ("C", "LOGIN fsdtest"), ("C", "LOGIN fsdtest"),
        ("C", "PRIMARY fsdtest"), ("C", "MASTER FSDTEST"), ("C", "PRIMARY nodriver"),
        ("C", "GET NUMLOGINS fsdtest"), ("C", "LIST CLIENT FSDtest"),
        ("C", "GET VAR fsdtest ups.status"), ("C", "FSD nosuch"), ("C", "FSD fsdtest"),
        ("C", "GET VAR fsdtest ups.status"), ("C", "GET VAR fsdtest UPS.STATUS"),
        ("C", "LIST VAR fsdtest"), ("C", "LIST RW fsdtest"), ("C", "FSD fsdtest"),
        ("C", "FSD nodriver"), ("C", "FSD stale"), ("C", "LOGOUT"),
    ]),
    ("clients", [
        ("#", "LIST CLIENT newest connection first; a closed connection's login is gone"),
        ("C", "USERNAME sec"), ("C", "PASSWORD secpass"), ("C", "LOGIN fake"),
        ("C2", "USERNAME mon"), ("C2", "PASSWORD monpass"), ("C2", "LOGIN FAKE"),
        ("C", "GET NUMLOGINS fake"), ("C", "GET NUMLOGINS Fake"), ("C", "LIST CLIENT fake"),
        ("C2", "LIST CLIENT FAKE"), ("close2",), ("C", "GET NUMLOGINS fake"),
        ("C", "LIST CLIENT fake"), ("C", "LOGOUT"),
    ]),
    ("live", [
        ("#", "driver updates while clients watch; wait, stale and recovery"),
        ("C", "GET VAR wait ups.status"), ("C", "LIST VAR wait"), ("C", "LIST CMD wait"),
        ("C", "GET VAR wait battery.charge"), ("C", "GET TYPE wait ups.status"),
        ("D", 'fake SETINFO ups.status "OB DISCHRG"'), ("C", "GET VAR fake ups.status"),
        ("D", 'fake SETINFO ups.status "ob discharg"'), ("C", "GET VAR fake ups.status"),
        ("D", 'fake SETINFO ups.test.result "a "quoted" value"'),
        ("C", "GET VAR fake ups.test.result"),
        ("D", "fake SETINFO new.var \"n\""), ("D", "fake ADDENUM new.var \"n\""),
        ("D", "fake ADDENUM new.var \"m\""), ("D", "fake DELENUM new.var \"N\""),
        ("C", "LIST ENUM fake new.var"),
        ("D", "fake ADDRANGE ups.delay.shutdown 700 800"),
        ("D", "fake DELRANGE ups.delay.shutdown 0 600"),
        ("C", "LIST RANGE fake ups.delay.shutdown"), ("D", "fake DELINFO new.var"),
        ("C", "GET VAR fake new.var"), ("D", "fake DELCMD load.off"), ("D", "fake ADDCMD aaa.cmd"),
        ("C", "LIST CMD fake"), ("D", "fake SETAUX ups.id 4"), ("C", "GET TYPE fake ups.id"),
        ("D", "fake SETFLAGS ups.id"), ("D", "fake SETFLAGS ups.status RW STRING"),
        ("C", "GET TYPE fake ups.id"), ("C", "GET TYPE fake ups.status"),
        ("D", "fake DATASTALE"), ("C", "GET VAR fake ups.status"), ("C", "LIST UPS"),
        ("C", "GET UPSDESC fake"), ("C", "GET VAR fake server.version"),
        ("C", "LIST CLIENT fake"),
        ("D", "fake DATAOK"), ("C", "GET VAR fake ups.status"),
        ("D", "stale DATAOK"), ("C", "GET VAR stale ups.status"),
    ]),
]


def main():
    tmp = tempfile.mkdtemp(prefix="nut-server-capture-")
    conf, state = os.path.join(tmp, "etc"), os.path.join(tmp, "state")
    os.makedirs(conf)
    os.makedirs(state)
    port = free_port()
    for name in ("ups.conf", "upsd.users"):
        with open(os.path.join(HERE, name)) as src, open(os.path.join(conf, name), "w") as dst:
            dst.write(src.read())
    os.chmod(os.path.join(conf, "upsd.users"), 0o600)
    with open(os.path.join(conf, "upsd.conf"), "w") as f:
        f.write("LISTEN 127.0.0.1 %d\n" % port)
    drivers = {ups: Driver(os.path.join(state, "fakedrv-" + ups), ups)
               for ups in list(DUMPS) + sorted(SILENT)}
    env = dict(os.environ, NUT_CONFPATH=conf, NUT_STATEPATH=state)
    upsd = subprocess.Popen([UPSD, "-u", "root", "-F"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2.0)
        for i, (name, steps) in enumerate(SCENARIOS, 1):
            lines = run(port, drivers, steps)
            fn = "%02d-%s.txt" % (i, name)
            with open(os.path.join(HERE, fn), "w", encoding="latin-1") as f:
                f.write("\n".join(lines) + "\n")
            print("wrote %s (%d lines)" % (fn, len(lines)))
    finally:
        upsd.terminate()
        upsd.wait(timeout=10)


if __name__ == "__main__":
    main()
