"""Benchmark start-up: ``--help`` of every command of the three tools, as a user runs it.

    python bench/bench_startup.py [--repeat 5] [--only endpoints-submission-cli] [--imports]
                                  [--src DIR]

What it does:
1. Walks each tool's click command tree (in this process) to list every command path, e.g.
   ``endpoints-submission-cli runs list``.
2. Runs ``python -c '<entry point>' <path> --help`` REPEAT times per command in a fresh process
   (the same import work the console script does) and prints the median wall time, with the
   slowest command of each tool last.
3. ``--src DIR`` times the tools of another source tree (e.g. an export of an older commit), to
   compare before and after on the same machine.
4. With ``--imports``: the heaviest modules ``python -X importtime`` sees for each tool's root
   ``--help``, so a regression names its culprit.

Target (issue 14 item 2): every ``--help`` ≤ 0.15 s. The numbers depend on the machine's load
(2 shared cores): compare with the ``python -c pass`` line printed first, the interpreter floor.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

TOOLS = {
    "submission-checker": "submission_checker.cli:main",
    "endpoints-submission-cli": "endpoints_submission_cli.cli:main",
    "prism-server": "prism_server.cli:main",
}


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path below ``group``, the group itself first."""
    paths = [prefix]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        elif command is not None:
            paths.append((*prefix, name))
    return paths


def runner(entry: str) -> list[str]:
    module, attribute = entry.split(":")
    code = f"import sys; from {module} import {attribute}; sys.argv[0] = 'x'; {attribute}()"
    return [sys.executable, "-c", code]


ENV = dict(os.environ)


def median_wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heaviest_imports(command: list[str], top: int = 8) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the modules imported at depth 1 or 2 that cost the most."""
    proc = subprocess.run(
        [command[0], "-X", "importtime", *command[1:], "--help"],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    costs = []
    for line in proc.stderr.splitlines():
        fields = line.split("|")
        if len(fields) != 3 or not fields[1].strip().isdigit():
            continue
        depth = (len(fields[2]) - len(fields[2].lstrip()) - 1) // 2
        if depth <= 1:
            costs.append((int(fields[1]), "  " * depth + fields[2].strip()))
    return sorted(costs, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=list(TOOLS), help="One tool only.")
    parser.add_argument("--imports", action="store_true", help="Show the heaviest imports.")
    parser.add_argument("--src", type=Path, help="Source tree of the tools to time.")
    args = parser.parse_args()
    if args.src:
        ENV["PYTHONPATH"] = str(args.src.resolve())

    floor = median_wall([sys.executable, "-c", "pass"], args.repeat)
    print(f"python -c pass: {floor:.3f} s (interpreter floor)")
    for tool, entry in TOOLS.items():
        if args.only and tool != args.only:
            continue
        module, attribute = entry.split(":")
        root = getattr(importlib.import_module(module), attribute)
        results = []
        for path in command_paths(root):
            wall = median_wall([*runner(entry), *path, "--help"], args.repeat)
            results.append((wall, " ".join((tool, *path))))
        over = [name for wall, name in results if wall > 0.15]
        for wall, name in sorted(results):
            print(f"  {wall:.3f} s  {name} --help")
        typical = statistics.median(wall for wall, _ in results)
        print(
            f"{tool}: {len(results)} commands, --help median {typical:.3f} s, "
            f"slowest {max(results)[0]:.3f} s; {len(over)} over 0.15 s"
        )
        if args.imports:
            for cumulative, name in heaviest_imports(runner(entry)):
                print(f"    import {name}: {cumulative / 1000:.0f} ms")


if __name__ == "__main__":
    main()
