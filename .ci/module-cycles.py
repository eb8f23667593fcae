#!/usr/bin/env python3
"""Fails when cartql's modules depend on each other in a cycle.

Reads the module graph that `cargo modules dependencies` prints (Graphviz, "uses" edges
between modules only) on standard input. An edge between a module and its own ancestor or
descendant is left out: a parent re-exporting its children, and children naming siblings
through the parent's path, is how Rust modules are laid out, not a layering loop. Every
other cycle, at any depth, is reported with its members.
"""
import re
import sys

EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[label="uses"')


def related(a, b):
    return a == b or a.startswith(b + "::") or b.startswith(a + "::")


def main():
    graph = {}
    for line in sys.stdin:
        match = EDGE.match(line)
        if match and not related(*match.groups()):
            source, target = match.groups()
            graph.setdefault(source, set()).add(target)
            graph.setdefault(target, set())
    if not graph:
        print("no module edges read: is the graph empty?", file=sys.stderr)
        return 2

    # Tarjan's strongly connected components, iteratively.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))

    modules = len(graph)
    if cycles:
        for cycle in cycles:
            print("module cycle: " + " <-> ".join(cycle))
        return 1
    print(f"no module cycles among {modules} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
