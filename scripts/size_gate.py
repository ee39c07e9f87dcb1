#!/usr/bin/env python3
"""Size budget gate (STYLE.md practice 15) for non-test Rust code.

Usage: scripts/size_gate.py [--max-file N] [--max-fn N] DIR...

Non-test code is every .rs file outside `tests/` directories and `tests.rs`/`*_tests.rs`
files, cut at a trailing `#[cfg(test)] mod … {`. Fails (exit 1) when such a file has more
than --max-file lines (default 1000) or a function body spans more than --max-fn lines
(default 150); prints each offender as path:line.
"""
import argparse
import os
import re
import sys

FN_RE = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?((const|async|unsafe|extern\s+\"[^\"]*\")\s+)*fn\s+(\w+)")
TEST_MOD_RE = re.compile(r"\s*(pub(\(.*\))?\s+)?mod\s+\w+\s*\{")
# String and char literals are blanked before counting braces.
LITERAL_RE = re.compile(r'r#*".*?"#*|"(\\.|[^"\\])*"|\'(\\.|[^\'\\])\'')


def non_test_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.strip() == "#[cfg(test)]" and i + 1 < len(lines) and TEST_MOD_RE.match(lines[i + 1]):
            return lines[:i]
    return lines


def functions(lines):
    """Yields (name, first line number, length in lines) of every fn with a body."""
    code = [LITERAL_RE.sub('""', l.split("//", 1)[0]) for l in lines]
    i = 0
    while i < len(code):
        m = FN_RE.match(code[i])
        if not m:
            i += 1
            continue
        depth, j, opened = 0, i, False
        while j < len(code):
            if not opened and ";" in code[j] and "{" not in code[j]:
                break  # a declaration without a body
            depth += code[j].count("{") - code[j].count("}")
            opened = opened or "{" in code[j]
            if opened and depth <= 0:
                yield m.group(5), i + 1, j - i + 1
                break
            j += 1
        i += 1


def rust_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("target", "tests", ".git")]
        for name in filenames:
            if name.endswith(".rs") and name != "tests.rs" and not name.endswith("_tests.rs"):
                yield os.path.join(dirpath, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-file", type=int, default=1000)
    ap.add_argument("--max-fn", type=int, default=150)
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    bad = 0
    for root in args.dirs:
        for path in rust_files(root):
            lines = non_test_lines(path)
            if len(lines) > args.max_file:
                print(f"{path}:1: {len(lines)} non-test lines (max {args.max_file})")
                bad += 1
            for name, start, length in functions(lines):
                if length > args.max_fn:
                    print(f"{path}:{start}: fn {name} is {length} lines (max {args.max_fn})")
                    bad += 1
    print(f"size gate: {bad} offender(s) (files > {args.max_file} lines, fns > {args.max_fn} lines)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
