#!/usr/bin/env python3
"""Dependency gate: rust-version and licenses of every package in the resolved graph.

Usage: scripts/dep_check.py [--metadata FILE]

Reads `cargo metadata --format-version 1 --locked` (or a saved copy of its output) and
fails (exit 1) when
  - a package in the resolved graph (normal, build and dev dependencies of every workspace
    member, all platforms) declares a `rust-version` above the workspace's own, so that
    `cargo build`/`cargo test` on the declared minimum toolchain would fail; or
  - a non-workspace package's license expression does not allow use under the workspace's
    MIT OR Apache-2.0 terms, or it has no SPDX license expression at all.
Each offender is printed with the shortest dependency path that pulls it in.
"""
import argparse
import json
import re
import subprocess
import sys
from collections import deque

# Licenses compatible with distributing this workspace under MIT OR Apache-2.0.
# MPL-2.0 is file-level copyleft: fine to link unmodified, and printed as a note.
ACCEPTED = {
    "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Zlib",
    "Unicode-3.0", "Unicode-DFS-2016", "CC0-1.0", "BSL-1.0", "MPL-2.0",
}
# `WITH` exceptions that only add permissions to the license they modify.
ACCEPTED_EXCEPTIONS = {"LLVM-exception"}
TOKEN_RE = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+:-]+)")


def cargo_metadata():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True, stdout=subprocess.PIPE,
    )
    return json.loads(out.stdout)


def version_key(text):
    """'1.85' and '1.85.0' both become (1, 85, 0)."""
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


class Spdx:
    """Evaluates an SPDX expression (OR < AND < WITH; legacy '/' means OR)."""

    def __init__(self, expr):
        self.tokens, pos = [], 0
        expr = expr.replace("/", " OR ")
        while pos < len(expr.rstrip()):
            m = TOKEN_RE.match(expr, pos)
            if not m:
                raise ValueError(f"cannot read {expr[pos:]!r}")
            self.tokens.append(m.group(1))
            pos = m.end()
        self.pos = 0

    def allowed(self):
        value = self.or_expr()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]!r}")
        return value

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        if tok is None:
            raise ValueError("expression ends early")
        self.pos += 1
        return tok

    def or_expr(self):
        value = self.and_expr()
        while self.peek() == "OR":
            self.take()
            value = self.and_expr() or value
        return value

    def and_expr(self):
        value = self.with_expr()
        while self.peek() == "AND":
            self.take()
            value = self.with_expr() and value
        return value

    def with_expr(self):
        tok = self.take()
        if tok == "(":
            value = self.or_expr()
            if self.take() != ")":
                raise ValueError("missing ')'")
        elif tok in ("AND", "OR", "WITH", ")"):
            raise ValueError(f"unexpected {tok!r}")
        else:
            value = tok.rstrip("+") in ACCEPTED
        if self.peek() == "WITH":
            self.take()
            exception = self.take()
            value = value and exception in ACCEPTED_EXCEPTIONS
        return value


def license_problem(pkg):
    """None when the package's license is acceptable, else why not."""
    expr = pkg.get("license")
    if not expr:
        return f"no SPDX license expression (license-file: {pkg.get('license_file')})"
    try:
        return None if Spdx(expr).allowed() else f"license {expr!r} not usable under MIT OR Apache-2.0"
    except ValueError as e:
        return f"unreadable license {expr!r}: {e}"


def dependency_paths(meta):
    """Maps each package id to the shortest chain of names from a workspace member."""
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    names = {p["id"]: p["name"] for p in meta["packages"]}
    paths = {m: [names[m]] for m in meta["workspace_members"]}
    queue = deque(meta["workspace_members"])
    while queue:
        cur = queue.popleft()
        for dep in nodes[cur]["deps"]:
            if dep["pkg"] not in paths:
                kinds = {k["kind"] or "normal" for k in dep["dep_kinds"]}
                step = names[dep["pkg"]] + ("" if "normal" in kinds else f" ({'/'.join(sorted(kinds))})")
                paths[dep["pkg"]] = paths[cur] + [step]
                queue.append(dep["pkg"])
    return paths


def workspace_rust_version(members):
    """The lowest rust-version a workspace member declares (None if one declares none)."""
    declared = [p.get("rust_version") for p in members]
    if not declared or None in declared:
        return None
    return min(declared, key=version_key)


def check_rust_version(pkgs, members, chain):
    """Prints every package needing a newer Rust than the workspace; returns their count."""
    ours = workspace_rust_version([p for p in pkgs if p["id"] in members])
    declared = [p for p in pkgs if p.get("rust_version")]
    needed = max((p["rust_version"] for p in declared if p["id"] not in members), key=version_key, default="0")
    bad = 0
    if ours is None:
        print("rust-version: a workspace member declares no rust-version")
        bad += 1
    else:
        for p in sorted(declared, key=lambda p: (version_key(p["rust_version"]), p["name"]), reverse=True):
            if version_key(p["rust_version"]) > version_key(ours):
                print(f"rust-version: {p['name']} {p['version']} needs {p['rust_version']} "
                      f"> ours {ours}: {chain(p)}")
                bad += 1
    print(f"rust-version: ours {ours}, the dependency graph needs {needed} "
          f"({len(declared)} of {len(pkgs)} packages declare one)")
    return bad


def check_licenses(pkgs, members, chain):
    """Prints every dependency whose license does not fit; returns their count."""
    bad, mpl = 0, []
    for p in sorted(pkgs, key=lambda p: p["name"]):
        if p["id"] in members:
            continue
        problem = license_problem(p)
        if problem:
            print(f"license: {p['name']} {p['version']}: {problem}: {chain(p)}")
            bad += 1
        elif "MPL-2.0" in (p.get("license") or ""):
            mpl.append(f"{p['name']} {p['version']}")
    if mpl:
        print(f"license: note: MPL-2.0 (file-level copyleft; keep their files unmodified): {', '.join(mpl)}")
    print(f"license: {len(pkgs) - len(members)} dependencies checked")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--metadata", help="read this saved `cargo metadata` JSON instead of running cargo")
    args = ap.parse_args()
    if args.metadata:
        with open(args.metadata, encoding="utf-8") as f:
            meta = json.load(f)
    else:
        try:
            meta = cargo_metadata()
        except subprocess.CalledProcessError as e:
            print(f"dependency gate: `cargo metadata --locked` failed (exit {e.returncode}); is Cargo.lock current?")
            return 1
    in_graph = {n["id"] for n in meta["resolve"]["nodes"]}
    members = set(meta["workspace_members"])
    pkgs = [p for p in meta["packages"] if p["id"] in in_graph]
    paths = dependency_paths(meta)

    def chain(p):
        return " -> ".join(paths.get(p["id"], [p["name"]]))

    bad = check_rust_version(pkgs, members, chain) + check_licenses(pkgs, members, chain)
    print(f"dependency gate: {bad} offender(s) in {len(pkgs)} packages")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
