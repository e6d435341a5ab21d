#!/usr/bin/env python3
"""The house rules that a compiler does not check, checked on every `make lint`.

- No import cycles between a crate's top-level modules: `crate::a` may use `crate::b`, or
  `b` may use `a`, never both (the issue that set this: a page that was also the helper library
  made a cycle of six modules). Child modules count as their top-level module; `super::` and
  `self::` stay inside it. Test code is left out (`tests.rs`, a `tests/` folder, and whatever
  follows a file's first `#[cfg(test)]`): a test may reach for anything it checks against.
- No source file over 450 lines: a file that grows past that owns more than one thing.

Usage: scripts/layering.py DIR [DIR ...]   (each DIR is a crate's `src/`)
"""
import os
import re
import sys

MAX_LINES = 450
USE = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)")
# `use crate::{a, b::c}` names several modules in one statement.
GROUP = re.compile(r"\bcrate::\{([^}]*)\}", re.S)


def top_module(root, path):
    rel = os.path.relpath(path, root)
    first = rel.split(os.sep)[0]
    if first in ("lib.rs", "main.rs"):
        return None
    return first[:-3] if first.endswith(".rs") else first


def strip_comments(text):
    return "\n".join(line.split("//")[0] if not line.lstrip().startswith("//") else "" for line in text.splitlines())


def edges(root):
    graph = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            mod = top_module(root, path)
            if mod is None or name == "tests.rs" or f"{os.sep}tests{os.sep}" in path:
                continue
            text = open(path, encoding="utf-8").read().split("#[cfg(test)]")[0]
            text = strip_comments(text)
            targets = set(USE.findall(text))
            for group in GROUP.findall(text):
                targets |= {g.strip().split("::")[0] for g in group.split(",") if g.strip()}
            for t in targets - {mod, "self", "super"}:
                graph.setdefault(mod, {}).setdefault(t, path)
    return graph


def cycles(graph):
    """Every strongly connected component with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(roots):
    failed = False
    for root in roots:
        graph = edges(root)
        for comp in cycles(graph):
            failed = True
            print(f"{root}: import cycle between {', '.join(comp)}")
            for a in comp:
                for b, where in sorted(graph.get(a, {}).items()):
                    if b in comp:
                        print(f"    {a} -> {b}  ({where})")
        for dirpath, _, files in os.walk(root):
            for name in files:
                path = os.path.join(dirpath, name)
                if name.endswith(".rs"):
                    n = sum(1 for _ in open(path, encoding="utf-8"))
                    if n > MAX_LINES:
                        failed = True
                        print(f"{path}: {n} lines (at most {MAX_LINES})")
    if failed:
        sys.exit(1)
    print(f"layering: no import cycles, no file over {MAX_LINES} lines in {', '.join(roots)}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["src"])
