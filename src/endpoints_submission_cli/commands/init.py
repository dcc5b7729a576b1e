"""``init``: write point.yaml into run folders, or a system description skeleton (A3.2)."""

from __future__ import annotations

from pathlib import Path

import click

from ..context import json_option
from ..output import info, print_json, warn


@click.command("init")
@click.option(
    "--path",
    "paths",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A run folder, or a folder of run folders (a sweep). Repeatable.",
)
@click.option(
    "--system-desc",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="System description to derive from and copy into each run folder "
    "(default: the folder's own system_desc.json).",
)
@click.option(
    "--system-desc-template",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write a system description skeleton with this host's facts to FILE.",
)
@click.option("--force", is_flag=True, help="Replace existing files (your edits are lost).")
@json_option
def init(
    paths: tuple[Path, ...],
    system_desc: Path | None,
    system_desc_template: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Derive point.yaml from each run (round v1.0); placeholders mark what you must fill in."""
    # Imported here: they load the checker's readers, which `--help` of other commands skips.
    from ..hostfacts import write_system_desc_template
    from ..pointconfig import find_placeholders, init_runs

    if not paths and system_desc_template is None:
        raise click.UsageError("pass --path RUN (repeatable) or --system-desc-template FILE")
    report: dict[str, object] = {}
    if system_desc_template is not None:
        data = write_system_desc_template(system_desc_template, force=force)
        holes = find_placeholders(data)
        report["system_desc_template"] = {"path": str(system_desc_template), "placeholders": holes}
        info(f"wrote {system_desc_template}: {len(holes)} field(s) to fill in")
    if paths:
        results = init_runs(list(paths), system_desc=system_desc, force=force)
        report["runs"] = [
            {
                "run": str(r.run_dir),
                "point_yaml": str(r.point_yaml),
                "placeholders": r.placeholders,
                "system_desc_copied": r.system_desc_copied,
                "system_desc_problems": r.system_desc_problems,
            }
            for r in results
        ]
        for r in results:
            copied = " (system_desc.json copied in)" if r.system_desc_copied else ""
            todo = ", ".join(r.placeholders) if r.placeholders else "nothing"
            info(f"wrote {r.point_yaml}{copied}; to fill in: {todo}")
        warned: set[Path] = set()
        for r in results:
            if r.system_desc_problems and r.system_desc_source not in warned:
                warned.add(r.system_desc_source)
                listed = "\n".join(f"  {problem}" for problem in r.system_desc_problems)
                warn(
                    f"{r.system_desc_source} is not a valid v1.0 system description yet "
                    f"(`runs create` refuses it until these are fixed):\n{listed}"
                )
    if as_json:
        print_json(report)
