"""``submissions list|create|get|update|add-run|remove-run|withdraw`` (cli.md §4-§6).

Thin: parse options, hand them to ``pipeline.Pipeline``, print. Data (ids, URLs, JSON) goes to
stdout, progress and explanations to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..archive import ExtractLimits
from ..context import AppContext, json_option, pass_app, token_option
from ..output import (
    describe_download,
    info,
    print_fields,
    print_json,
    print_table,
    stream_json_list,
)

# The pipeline (bundling, the checker, git, HTTP) is imported by the commands that run it, so
# `--help` and the other groups start without it.
if TYPE_CHECKING:
    from ..pipeline import Outcome, Pipeline

SUBMISSION_ID = click.option(
    "--submission-id", required=True, metavar="ID", help="The submission's PRISM id."
)
NO_PR = click.option(
    "--no-pr", is_flag=True, help="Do not push a branch or touch the pull request."
)


def _extract_limit(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).extract_limits[str(param.name)] = value


def extract_limit_options(command: Any) -> Any:
    """``--max-extract-bytes|members|ratio``: raise the bounds on downloaded archives."""
    defaults = ExtractLimits()
    options = (
        ("--max-extract-bytes", "max_bytes", click.IntRange(min=1),
         f"Expanded bytes a downloaded archive may hold (default {defaults.max_bytes}, 32 GiB)."),
        ("--max-extract-members", "max_members", click.IntRange(min=1),
         f"Members a downloaded archive may hold (default {defaults.max_members})."),
        ("--max-extract-ratio", "max_ratio", click.FloatRange(min=1),
         f"Expanded bytes per archive byte (default {defaults.max_ratio:g})."),
    )  # fmt: skip
    for flag, name, kind, text in reversed(options):
        command = click.option(
            flag,
            name,
            type=kind,
            default=None,
            expose_value=False,
            callback=_extract_limit,
            metavar="N",
            help=text,
        )(command)
    return command


def _lower(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    return value.lower() if value else value


@click.group()
def submissions() -> None:
    """Submissions: bundle runs, check, upload, open the pull request.

    \b
    Environment:
      MLPERF_SUBMISSION_REPO  where branches go: GitHub owner/repo (a pull request through
                              `gh`), or a git URL / local path (a branch only); default
                              MLCommons-Systems/test-endpoints-submission-repo
      XDG_STATE_HOME          journals of interrupted commands live in
                              $XDG_STATE_HOME/endpoints-submission-cli (~/.local/state)
    """


def _pipeline(app: AppContext, client) -> Pipeline:
    from ..pipeline import Pipeline

    pipeline = Pipeline(client, api_url=app.api_url, say=info)
    pipeline.extract_limits = ExtractLimits(**app.extract_limits)
    return pipeline


def _print_submission(sub: dict[str, Any]) -> None:
    print_fields(
        [
            ("id", sub.get("id")),
            ("status", sub.get("status")),
            ("division", sub.get("division")),
            ("scenario", sub.get("scenario")),
            ("availability", sub.get("availability")),
            ("early publish", "yes" if sub.get("early_publish") else "no"),
            ("test", "yes" if sub.get("is_test") else "no"),
            ("publication cycle", sub.get("publication_cycle")),
            ("target availability", sub.get("target_availability_date")),
            ("embargo", sub.get("embargo_date")),
            ("runs", ", ".join(sub.get("run_ids") or [])),
            ("pull request", sub.get("pr_url")),
            ("archive", sub.get("archive_uri")),
            ("created", sub.get("created_at")),
            ("compliance passed", sub.get("compliance_passed_at")),
            ("finalized", sub.get("finalized_at")),
            ("withdrawn", sub.get("withdrawn_at")),
        ]
    )


def _report(outcome: Outcome, as_json: bool) -> None:
    """Print a changed/created submission: JSON object, else its id and PR URL (or branch)."""
    sub = outcome.submission or {}
    if as_json:
        print_json(sub)
    else:
        click.echo(sub.get("id"))
        if outcome.pr_url:
            click.echo(outcome.pr_url)
    if outcome.branch and not outcome.pr_url:
        info(f"pushed branch {outcome.branch} (no pull request for this repository target)")
    for note in outcome.notes:
        info(note)


def _confirm_provisional(yes: bool) -> None:
    """--provisional publishes results early: a deliberate choice, confirmed on a terminal."""
    if yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise click.UsageError(
            "--provisional asks for confirmation, and there is no terminal to ask on; "
            "pass --yes to confirm"
        )
    if not click.confirm(
        "Provisional publication makes the results public before the review ends. Continue?",
        default=False,
        err=True,
    ):
        raise click.Abort()


@submissions.command("list")
@token_option
@json_option
@pass_app
def list_submissions(app: AppContext, token: str | None, as_json: bool) -> None:
    """List your submissions: id, status, division, availability, runs, PR, created."""
    with app.client(token) as client:
        items = client.list_submissions()
    if as_json:
        stream_json_list(items)
    elif not items:
        info("no submissions")
    else:
        print_table(
            ["id", "status", "division", "availability", "runs", "PR", "created"],
            [
                [
                    s.get("id"),
                    s.get("status"),
                    s.get("division"),
                    s.get("availability"),
                    len(s.get("run_ids") or []),
                    s.get("pr_url") or "",
                    s.get("created_at"),
                ]
                for s in items
            ],
        )


@submissions.command("create")
@click.option(
    "--run-ids",
    "run_ids",
    multiple=True,
    required=True,
    metavar="ID[,ID...]",
    help="Runs to submit (repeatable, comma lists accepted).",
)
@click.option(
    "--division",
    required=True,
    callback=_lower,
    type=click.Choice(["standardized", "serviced", "rdi"], case_sensitive=False),
    help="Submission division (must match the system description's division).",
)
@click.option(
    "--availability",
    required=True,
    callback=_lower,
    type=click.Choice(["available", "preview", "rdi"], case_sensitive=False),
    help="System availability (preview needs --target-availability-date).",
)
@click.option(
    "--scenario",
    default="cop",
    show_default=True,
    callback=_lower,
    type=click.Choice(["cop", "con"], case_sensitive=False),
    help="Submission scenario.",
)
@click.option("--early-publish", is_flag=True, help="Ask for early publication.")
@click.option(
    "--publication-cycle", metavar="YYYY-MM-C0|C1", help="Publication cycle to appear in."
)
@click.option(
    "--target-availability-date",
    metavar="YYYY-MM-DD",
    help="Required for preview: at most 180 days ahead.",
)
@click.option("--embargo-date", metavar="ISO", help="ISO-8601 with timezone, in the future.")
@click.option("--org", metavar="NAME", help="Bundle top folder (default: submitter_org_names).")
@click.option(
    "--model",
    metavar="NAME",
    help="Model directory for every run (default: config.yaml submission_ref.model, else the "
    "system description's benchmark_model, else model_params.name).",
)
@click.option(
    "--accuracy-run",
    "accuracy_run",
    metavar="ID",
    help="The run whose accuracy results count, when several have some.",
)
@click.option(
    "--quality-target",
    type=float,
    metavar="X",
    help="Accuracy target for a model without an official one.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Keep the bundle (and checker report) in DIR.",
)
@click.option("--dry-run", is_flag=True, help="Build and check the bundle only; send nothing.")
@click.option(
    "--round",
    "rules_round",
    type=click.Choice(["v0.7", "v1.0"]),
    help="Build this round's tree (default: the runs' round; v1.0 runs carry a point.yaml).",
)
@click.option(
    "--shared-src",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="v1.0: add DIR's contents (one folder per implementation) to src/ (repeatable).",
)
@click.option(
    "--shared-docs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="v1.0: add DIR's contents to docs/ (repeatable).",
)
@click.option("--test", "is_test", is_flag=True, help="Mark the submission as a test.")
@click.option(
    "--provisional",
    is_flag=True,
    help="Ask for provisional (early) publication; asks for confirmation unless --yes.",
)
@click.option("--yes", is_flag=True, help="Confirm --provisional without asking.")
@NO_PR
@extract_limit_options
@token_option
@json_option
@pass_app
def create_submission(
    app: AppContext,
    run_ids: tuple[str, ...],
    division: str,
    availability: str,
    scenario: str,
    early_publish: bool,
    publication_cycle: str | None,
    target_availability_date: str | None,
    embargo_date: str | None,
    org: str | None,
    model: str | None,
    accuracy_run: str | None,
    quality_target: float | None,
    output: Path | None,
    dry_run: bool,
    rules_round: str | None,
    shared_src: tuple[Path, ...],
    shared_docs: tuple[Path, ...],
    is_test: bool,
    provisional: bool,
    yes: bool,
    no_pr: bool,
    token: str | None,
    as_json: bool,
) -> None:
    """Bundle runs, check, create the submission, upload, open the PR; print id and PR URL."""
    from ..pipeline import CreateRequest, split_run_ids

    if provisional and not dry_run:
        _confirm_provisional(yes)
    request = CreateRequest(
        run_ids=tuple(split_run_ids(run_ids)),
        division=division,
        availability=availability,
        scenario=scenario,
        early_publish=early_publish or provisional,
        publication_cycle=publication_cycle,
        target_availability_date=target_availability_date,
        embargo_date=embargo_date,
        org=org,
        model=model,
        accuracy_run_id=accuracy_run,
        quality_target=quality_target,
        output=output,
        dry_run=dry_run,
        no_pr=no_pr,
        rules_round=rules_round,
        shared_src=shared_src,
        shared_docs=shared_docs,
        is_test=is_test,
    )
    request.validate()  # flags first: no network call for a usage mistake
    with app.client(token) as client:
        outcome = _pipeline(app, client).create(request)
    if dry_run:
        bundle = outcome.bundle
        if as_json:
            print_json(
                {
                    "dry_run": True,
                    "bundle": str(outcome.bundle_path),
                    "checker_report": str(outcome.report_path),
                    "verdict": outcome.verdict,
                    "org": bundle.org,
                    "systems": bundle.systems,
                    "points": [vars(p) for p in bundle.points],
                    "accuracy": [vars(a) for a in bundle.accuracy],
                }
            )
        else:
            click.echo(str(outcome.bundle_path))
        return
    _report(outcome, as_json)


@submissions.command("get")
@SUBMISSION_ID
@click.option(
    "--download-to",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also download the submission's bundle archive into DIR (size and SHA-256 "
    "verified when PRISM gives them).",
)
@token_option
@json_option
@pass_app
def get_submission(
    app: AppContext, submission_id: str, download_to: Path | None, token: str | None, as_json: bool
) -> None:
    """Show one submission with its runs; optionally download its bundle."""
    with app.client(token) as client:
        sub = client.get_submission(submission_id, include_runs=True)
        download = None
        if download_to is not None:
            url = client.submission_download_url(submission_id)["download_url"]
            dest = download_to / f"submission-{submission_id}.tar.gz"
            download = client.download_archive(
                url, dest, record=sub, progress_label="downloading the bundle"
            )
    if as_json:
        print_json(sub if download is None else {**sub, "download": download})
    else:
        _print_submission(sub)
        runs = sub.get("runs") or []
        if runs:
            print_table(
                ["run", "model", "concurrency", "started"],
                [
                    [r.get("id"), r.get("model"), r.get("concurrency"), r.get("started_at")]
                    for r in runs
                ],
            )
    if download is not None:
        info(describe_download(download))


@submissions.command("update")
@SUBMISSION_ID
@click.option(
    "--run-ids",
    "run_ids",
    multiple=True,
    metavar="ID[,ID...]",
    help="New run list: rebuild, check, upload and update the PR.",
)
@click.option(
    "--target-availability-date",
    metavar="YYYY-MM-DD",
    help="New target availability date (preview: at most 180 days ahead).",
)
@click.option("--publication-cycle", metavar="YYYY-MM-C0|C1", help="New publication cycle.")
@click.option("--embargo-date", metavar="ISO", help="New embargo (ISO-8601 with timezone).")
@NO_PR
@extract_limit_options
@token_option
@json_option
@pass_app
def update_submission(
    app: AppContext,
    submission_id: str,
    run_ids: tuple[str, ...],
    target_availability_date: str | None,
    publication_cycle: str | None,
    embargo_date: str | None,
    no_pr: bool,
    token: str | None,
    as_json: bool,
) -> None:
    """Change metadata (one PATCH) or the run list (rebuild, check, upload, update the PR)."""
    from ..pipeline import split_run_ids, validate_metadata

    metadata = {
        key: value
        for key, value in (
            ("target_availability_date", target_availability_date),
            ("publication_cycle", publication_cycle),
            ("embargo_date", embargo_date),
        )
        if value is not None
    }
    validate_metadata(
        availability=None,
        **{
            k: metadata.get(k)
            for k in ("target_availability_date", "publication_cycle", "embargo_date")
        },
    )
    ids = split_run_ids(run_ids) if run_ids else None
    with app.client(token) as client:
        pipeline = _pipeline(app, client)
        if ids is None:
            outcome = pipeline.update_metadata(submission_id, metadata)
        else:
            outcome = pipeline.change_runs(
                submission_id, operation="update", run_ids=ids, metadata=metadata, no_pr=no_pr
            )
    _report(outcome, as_json)


def _change_one(
    app: AppContext,
    token: str | None,
    as_json: bool,
    operation: str,
    submission_id: str,
    run_id: str,
    no_pr: bool,
) -> None:
    with app.client(token) as client:
        outcome = _pipeline(app, client).change_runs(
            submission_id, operation=operation, run_id=run_id, no_pr=no_pr
        )
    _report(outcome, as_json)


@submissions.command("add-run")
@SUBMISSION_ID
@click.option("--run-id", required=True, metavar="ID", help="The run to add.")
@NO_PR
@extract_limit_options
@token_option
@json_option
@pass_app
def add_run(
    app: AppContext, submission_id: str, run_id: str, no_pr: bool, token: str | None, as_json: bool
) -> None:
    """Add a run: rebuild, check, upload, update the PR."""
    _change_one(app, token, as_json, "add", submission_id, run_id, no_pr)


@submissions.command("remove-run")
@SUBMISSION_ID
@click.option("--run-id", required=True, metavar="ID", help="The run to remove.")
@NO_PR
@extract_limit_options
@token_option
@json_option
@pass_app
def remove_run(
    app: AppContext, submission_id: str, run_id: str, no_pr: bool, token: str | None, as_json: bool
) -> None:
    """Remove a run: rebuild, check, upload, update the PR."""
    _change_one(app, token, as_json, "remove", submission_id, run_id, no_pr)


@submissions.command("withdraw")
@SUBMISSION_ID
@token_option
@json_option
@pass_app
def withdraw_submission(
    app: AppContext, submission_id: str, token: str | None, as_json: bool
) -> None:
    """Withdraw a submission and close its pull request; the archive is kept."""
    with app.client(token) as client:
        outcome = _pipeline(app, client).withdraw(submission_id)
    sub = outcome.submission or {}
    if as_json:
        print_json(sub)
    else:
        click.echo(f"{sub.get('id')} {sub.get('status')}")
    for note in outcome.notes:
        info(note)
