"""The submission pipeline (cli.md §5) and the run-list changes that reuse it.

create: validate flags → fetch run records → download + extract (parallel) → bundle → checker →
secret scan → ``POST /submissions`` → pack + upload → push / PR → ``PATCH`` pr_url, pr_number.

Every step that changes something outside this process is recorded in a journal (journal.py)
the moment it has happened. A failure says what was done and the one command that finishes it;
running that command (the same command again) resumes from the journal, so an interrupted
create never makes a second submission, and a run-list change is either completed or rolled back
(run list, metadata and the bundle archive restored) — never left half done.

HTTP goes through ``PrismClient``, git/gh through ``Forge``, archives through ``archive``; this
module only decides what happens in which order.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import __version__
from .archive import (
    DEFAULT_EXTRACT_LIMITS,
    ExtractLimits,
    pack_directory,
    safe_extract,
    scan_secrets,
    secret_refusal,
)
from .bundle import BundleInfo, BundleOptions, BundleRun, build_bundle
from .bundle_v1 import (
    REGION_LABELS_V1,
    ROUND_V10,
    BundleOptionsV1,
    build_bundle_v1,
    choose_round,
    name_submission,
    submission_dir,
)
from .errors import BundleError, CliError, NotFoundError, PrismError, RunFolderError
from .forge import Forge, Target, resolve_target
from .journal import Journal, locked
from .prism import (
    DEFAULT_API_URL,
    LOST_ANSWER_WAIT,
    PrismClient,
    normalise_api_url,
    validate_id,
)
from .runfolder import SYSTEM_DESC, read_run_folder
from .runfolder_v1 import is_v1_run_folder, v1_system_desc_problems

DOWNLOAD_WORKERS = 4
# Internal knob for bench/bench_submissions.py (parallel vs sequential downloads); not a feature.
DOWNLOAD_WORKERS_ENV = "ENDPOINTS_SUBMISSION_CLI_DOWNLOAD_WORKERS"
PREVIEW_MAX_DAYS = 180
FROZEN_STATES = ("FINALIZED", "PUBLISHED", "WITHDRAWN")
PROG = "endpoints-submission-cli"
_CYCLE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-C[01]$")
_GITHUB_PR = re.compile(r"^https://github\.com/([^/\s]+/[^/\s]+)/pull/(\d+)$")

Say = Callable[[str], None]


# -- request -----------------------------------------------------------------------------------


def split_run_ids(values: tuple[str, ...] | list[str]) -> list[str]:
    """``--run-ids`` is repeatable and takes comma lists; duplicates are a mistake worth naming."""
    ids = [part.strip() for value in values for part in value.split(",") if part.strip()]
    seen: set[str] = set()
    for run_id in ids:
        if run_id in seen:
            raise BundleError(
                f"run id {run_id} is given more than once in --run-ids", hint="list every run once"
            )
        seen.add(run_id)
    return ids


def _shown(value: str, limit: int = 60) -> str:
    """A flag's value as a message shows it: quoted, and cut when a paste went wrong."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _parse_date(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(
            f"{flag} {_shown(value)} is not a date (YYYY-MM-DD)",
            hint="for example 2026-12-01",
            exit_code=2,
        ) from None


def _parse_embargo(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(
            f"--embargo-date {_shown(value)} is not an ISO-8601 date-time",
            hint="for example 2026-12-01T09:00:00+00:00",
            exit_code=2,
        ) from None
    if moment.tzinfo is None:
        raise CliError(
            f"--embargo-date {_shown(value)} has no timezone",
            hint="add one, e.g. 2026-12-01T09:00:00+00:00 or ...Z",
            exit_code=2,
        )
    if moment <= datetime.now(timezone.utc):
        raise CliError(
            f"--embargo-date {_shown(value)} is in the past",
            hint="give a moment in the future, or leave --embargo-date out",
            exit_code=2,
        )
    return moment


def validate_metadata(
    *,
    availability: str | None,
    target_availability_date: str | None,
    publication_cycle: str | None,
    embargo_date: str | None,
) -> None:
    """Flag checks done before any network call (cli.md §4)."""
    if publication_cycle is not None and not _CYCLE.match(publication_cycle):
        raise CliError(
            f"--publication-cycle {_shown(publication_cycle)} is not YYYY-MM-C0 or YYYY-MM-C1",
            hint="for example 2026-12-C0 (C0 or C1: the month's publication cohort)",
            exit_code=2,
        )
    target = None
    if target_availability_date is not None:
        target = _parse_date(target_availability_date, "--target-availability-date")
    if availability == "preview":
        if target is None:
            raise CliError(
                "--availability preview needs --target-availability-date YYYY-MM-DD",
                exit_code=2,
            )
        today = datetime.now(timezone.utc).date()
        if not today < target <= today + timedelta(days=PREVIEW_MAX_DAYS):
            raise CliError(
                f"--target-availability-date {target} must be after today and at most "
                f"{PREVIEW_MAX_DAYS} days ahead ({today + timedelta(days=PREVIEW_MAX_DAYS)}) "
                "for a preview submission",
                exit_code=2,
            )
    if embargo_date is not None:
        _parse_embargo(embargo_date)


@dataclass(frozen=True)
class CreateRequest:
    """Everything ``submissions create`` was asked to do."""

    run_ids: tuple[str, ...]
    division: str
    availability: str
    scenario: str = "cop"
    early_publish: bool = False
    publication_cycle: str | None = None
    target_availability_date: str | None = None
    embargo_date: str | None = None
    org: str | None = None
    model: str | None = None
    accuracy_run_id: str | None = None
    quality_target: float | None = None
    output: Path | None = None
    dry_run: bool = False
    no_pr: bool = False
    # round v1.0 (checker-v1.0 A3.3); rules_round None = the round of the runs
    rules_round: str | None = None
    shared_src: tuple[Path, ...] = ()
    shared_docs: tuple[Path, ...] = ()
    is_test: bool = False

    def validate(self) -> None:
        if not self.run_ids:
            raise CliError("no runs given", hint="pass --run-ids ID[,ID...]", exit_code=2)
        for run_id in (*self.run_ids, *([self.accuracy_run_id] if self.accuracy_run_id else [])):
            validate_id(run_id, "run")
        validate_metadata(
            availability=self.availability,
            target_availability_date=self.target_availability_date,
            publication_cycle=self.publication_cycle,
            embargo_date=self.embargo_date,
        )

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "cli_version": __version__,
            "division": self.division,
            "scenario": self.scenario,
            "availability": self.availability,
            "run_ids": list(self.run_ids),
            "early_publish": self.early_publish,
        }
        for key in ("publication_cycle", "target_availability_date", "embargo_date"):
            if getattr(self, key) is not None:
                body[key] = getattr(self, key)
        if self.is_test:
            body["is_test"] = True
        return body

    def v1_options(self, submission_id: str | None = None) -> BundleOptionsV1:
        return BundleOptionsV1(
            org=self.org,
            submission_id=submission_id,
            division=self.division,
            availability=self.availability,
            target_availability_date=self.target_availability_date,
            shared_src=self.shared_src,
            shared_docs=self.shared_docs,
        )

    def identity(self, api_url: str, target: Target) -> dict[str, Any]:
        """What makes two invocations "the same command" for the journal (no token, no paths)."""
        return {
            "api_url": normalise_api_url(api_url),
            "target": None if self.no_pr else target.spec,
            **{k: v for k, v in self.payload().items() if k not in ("cli_version", "run_ids")},
            "run_ids": sorted(self.run_ids),
            "org": self.org,
            **({"model": self.model} if self.model else {}),  # keeps older journals' keys
            "accuracy_run_id": self.accuracy_run_id,
            "quality_target": self.quality_target,
            "no_pr": self.no_pr,
            **(
                {
                    "round": self.rules_round,
                    "shared_src": [str(p) for p in self.shared_src],
                    "shared_docs": [str(p) for p in self.shared_docs],
                }
                if self.rules_round or self.shared_src or self.shared_docs
                else {}
            ),
        }

    def record_fields(self) -> dict[str, Any]:
        """The fields that make up the submission record (what the server stores)."""
        return {k: v for k, v in self.payload().items() if k != "cli_version"}

    def idempotency_key(self, user: str, api_url: str, withdrawn: list[str]) -> str:
        """The ``Idempotency-Key`` of this create: the same for every retry and for a re-run on
        any machine (user, normalised API URL, run set, flags, client version), and a new one
        once the earlier submission of these runs was withdrawn (its id is part of the key)."""
        # The whole body (cli_version included): a server that honours keys refuses a key
        # reused for a different body, so a newer client must not reuse an older one's key.
        material = {
            "user": user,
            "api_url": normalise_api_url(api_url),
            **self.payload(),
            "run_ids": sorted(self.run_ids),
            "withdrawn": sorted(withdrawn),
        }
        digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
        return f"submissions-create-{digest[:48]}"

    def command_line(self, api_url: str) -> str:
        """The command to run again to resume (the token is never part of it)."""
        args = [PROG]
        if api_url != DEFAULT_API_URL:
            args += ["--api-url", api_url]
        args += [
            "submissions",
            "create",
            "--run-ids",
            ",".join(self.run_ids),
            "--division",
            self.division,
            "--availability",
            self.availability,
            "--scenario",
            self.scenario,
        ]
        if self.early_publish:
            args.append("--early-publish")
        for flag, value in (
            ("--publication-cycle", self.publication_cycle),
            ("--target-availability-date", self.target_availability_date),
            ("--embargo-date", self.embargo_date),
            ("--org", self.org),
            ("--model", self.model),
            ("--accuracy-run", self.accuracy_run_id),
            ("--quality-target", self.quality_target),
            ("--round", self.rules_round),
        ):
            if value is not None:
                args += [flag, str(value)]
        for flag, paths in (("--shared-src", self.shared_src), ("--shared-docs", self.shared_docs)):
            for path in paths:
                args += [flag, str(path)]
        if self.is_test:
            args.append("--test")
        if self.no_pr:
            args.append("--no-pr")
        return shlex.join(args)


class CheckerFailed(CliError):
    """The bundle did not pass the checker; its report and bundle are kept for the user."""


def _require_empty(output: Path | None) -> None:
    if output is not None and output.exists() and any(output.iterdir()):
        raise CliError(
            f"--output {output} is not empty", hint="choose a new or empty directory", exit_code=2
        )


# -- results -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a pipeline command produced, for the command to print."""

    submission: dict[str, Any] | None = None
    bundle: BundleInfo | None = None
    bundle_path: Path | None = None
    report_path: Path | None = None
    warnings: int = 0
    branch: str | None = None
    pr_url: str | None = None
    verdict: str | None = None
    notes: list[str] = field(default_factory=list)


# -- helpers -----------------------------------------------------------------------------------


def _download_workers() -> int:
    value = os.environ.get(DOWNLOAD_WORKERS_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else DOWNLOAD_WORKERS


def _expired(record: dict[str, Any]) -> bool:
    expires = record.get("expires_at")
    if not expires or record.get("pinned"):
        return False
    try:
        moment = datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment <= datetime.now(timezone.utc)


def pr_body(
    info: BundleInfo,
    submission_id: str,
    flags: dict[str, Any],
    verdict: str,
    rules_round: str | None = None,
) -> str:
    """The PR description: systems, models, points per region, accuracy, checker verdict."""
    labels = {
        "low_latency": "Low Latency",
        "low_throughput": "Low Throughput",
        "med_throughput": "Medium Throughput",
        "high_throughput": "High Throughput",
        "margin": "Margin",
    }
    if rules_round == ROUND_V10:
        labels = REGION_LABELS_V1
    lines = [
        f"MLPerf Endpoints submission `{submission_id}` from **{info.org}**: "
        f"{len(info.run_ids)} runs, division {flags.get('division')}, availability "
        f"{flags.get('availability')}, scenario {flags.get('scenario')}.",
        "",
        "| System | Model | " + " | ".join(labels.values()) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for system, model, regions in info.region_table():
        cells = [
            f"{len(regions.get(key, []))} ({', '.join(map(str, regions[key]))})"
            if regions.get(key)
            else "0"
            for key in labels
        ]
        lines.append(f"| {system} | {model} | " + " | ".join(cells) + " |")
    lines.append("")
    for acc in info.accuracy:
        source = "official target" if acc.official else "--quality-target"
        lines.append(
            f"Accuracy of {acc.model}: {acc.metric} {acc.score} vs {acc.quality_target} "
            f"({source}): {'passed' if acc.passed else 'FAILED'} (run `{acc.run_id}`)"
        )
    lines += ["", f"Checker: {verdict}", "", f"Created by endpoints-submission-cli {__version__}."]
    return "\n".join(lines)


def _pr_repo(pr_url: str | None) -> Target | None:
    match = _GITHUB_PR.match(pr_url or "")
    return Target(spec=match.group(1), is_github=True) if match else None


class _Aggregate:
    """Thread-safe byte counter shared by parallel downloads (for the summary line)."""

    def __init__(self) -> None:
        self.bytes = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.bytes += n


# -- the pipeline ------------------------------------------------------------------------------


class Pipeline:
    """One command's worth of pipeline: a client, a submission repository, a stderr printer."""

    def __init__(
        self, client: PrismClient, *, api_url: str, say: Say, target: Target | None = None
    ):
        self.client = client
        self.api_url = api_url
        self.say = say
        self.target = target or resolve_target()
        self.extract_limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS
        self.rules_round: str | None = None  # the round of the last bundle built

    # -- shared steps ------------------------------------------------------------------------

    def fetch_runs(self, run_ids: list[str]) -> list[dict[str, Any]]:
        """Run records, failing fast (and all at once) on unknown, expired or archive-less ids."""

        def get(run_id: str) -> dict[str, Any] | None:
            try:
                return self.client.get_run(run_id)
            except NotFoundError:
                return None

        workers = min(_download_workers(), max(1, len(run_ids)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            found = list(pool.map(get, run_ids))
        records, unknown, expired, no_archive = [], [], [], []
        for run_id, record in zip(run_ids, found, strict=True):
            if record is None:
                unknown.append(run_id)
                continue
            if _expired(record):
                expired.append(run_id)
            elif not record.get("archive_uri"):
                no_archive.append(run_id)
            records.append(record)
        if unknown:
            raise BundleError(
                f"unknown run id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
                hint=f"`{PROG} runs list` shows your runs",
            )
        if expired:
            raise BundleError(
                f"run{'s' if len(expired) > 1 else ''} {', '.join(expired)} expired",
                hint="register the run folders again (and pin runs you want to keep)",
            )
        if no_archive:
            plural = len(no_archive) > 1
            raise BundleError(
                f"run{'s' if plural else ''} {', '.join(no_archive)} "
                f"ha{'ve' if plural else 's'} no archive (the upload never finished)",
                hint=f"delete and register it again: {PROG} runs create --path DIR",
            )
        return records

    def _download_one(self, record: dict[str, Any], dest: Path, total: _Aggregate) -> BundleRun:
        run_id = record["id"]
        url = self.client.run_download_url(run_id)["download_url"]
        archive = dest / f"{run_id}.tar.gz"
        size, _ = self.client.download_file(
            url,
            archive,
            expected_size=record.get("archive_size"),
            expected_sha256=record.get("archive_sha256"),
            progress_label=f"run {run_id}",
        )
        total.add(size)
        top = safe_extract(archive, dest / run_id, self.extract_limits)
        archive.unlink()
        if not (top / SYSTEM_DESC).is_file() and isinstance(record.get("system_info"), dict):
            # Archives of older clients lack the description; the run record carries it.
            (top / SYSTEM_DESC).write_text(json.dumps(record["system_info"], indent=2))
        check = {"system_desc_problems": v1_system_desc_problems} if is_v1_run_folder(top) else {}
        try:
            return BundleRun(run_id, read_run_folder(top, **check))
        except RunFolderError as exc:
            raise RunFolderError(f"run {run_id}: {exc.message}", hint=exc.hint) from None

    def download_runs(self, records: list[dict[str, Any]], dest: Path) -> list[BundleRun]:
        """Download and extract every run archive, ``DOWNLOAD_WORKERS`` at a time."""
        workers = min(_download_workers(), max(1, len(records)))
        total = _Aggregate()
        expected = sum(r.get("archive_size") or 0 for r in records)
        self.say(
            f"downloading {len(records)} run archives ({expected / 1e6:.1f} MB, "
            f"{workers} at a time)"
        )
        started = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="download")
        try:
            futures = [pool.submit(self._download_one, r, dest, total) for r in records]
            runs = [future.result() for future in futures]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        self.say(
            f"downloaded, verified and extracted {total.bytes / 1e6:.1f} MB in "
            f"{time.monotonic() - started:.1f} s"
        )
        return runs

    def check(self, info: BundleInfo, report_path: Path) -> str:
        """Run the checker in-process; errors stop here with the findings and a saved report."""
        from submission_checker import SubmissionChecker

        if self.rules_round == ROUND_V10:
            report = SubmissionChecker(info.root, round=ROUND_V10).run()
        else:
            report = SubmissionChecker(info.root).run()
        report_path.write_text(report.model_dump_json(indent=2), encoding="utf-8")
        errors, warnings = report.errors, report.warnings
        for item in warnings:
            self.say(
                f"checker warning: {item.rule}: {item.message}"
                + (f" [{item.path}]" if item.path else "")
            )
        if errors:
            shown = "\n".join(
                f"  {e.rule}: {e.message}"
                + (f" [{e.path}]" if e.path else "")
                + (f"\n    fix: {e.fix}" if e.fix else "")
                for e in errors[:25]
            )
            more = f"\n  ... and {len(errors) - 25} more" if len(errors) > 25 else ""
            raise CheckerFailed(
                f"the checker found {len(errors)} error(s) in the bundle; nothing was "
                f"submitted:\n{shown}{more}",
                hint=f"full report: {report_path}; bundle: {info.root}",
            )
        return f"PASSED — 0 errors, {len(warnings)} warnings (submission-checker)"

    def build_and_check(
        self,
        run_ids: list[str],
        workdir: Path,
        scratch: Path,
        options: BundleOptions,
        declared: dict[str, str] | None = None,
        *,
        rules_round: str | None = None,
        v1_options: BundleOptionsV1 | None = None,
    ) -> tuple[BundleInfo, str, Path]:
        """Fetch, download, bundle, check and secret-scan; nothing on the server changes.

        The round is ``rules_round`` when given, else the runs' own (v1.0 runs carry a
        point_config); runs of both rounds are refused before any download."""
        records = self.fetch_runs(run_ids)
        self.rules_round = choose_round(records, rules_round)
        _check_round_options(self.rules_round, options, v1_options)
        runs = self.download_runs(records, scratch)
        for key, value in (declared or {}).items():
            found = {str(r.folder.system_desc.get(key, "")).strip().lower() for r in runs}
            if value not in found:
                self.say(
                    f"warning: the submission says {value} but the system description "
                    f"declares {key} = {', '.join(sorted(found))}"
                )
        if self.rules_round == ROUND_V10:
            info = build_bundle_v1(runs, workdir, v1_options or BundleOptionsV1(org=options.org))
        else:
            info = build_bundle(runs, workdir, options)
        for note in info.notes:
            self.say(f"note: {note}")
        report_path = workdir / "checker-report.json"
        verdict = self.check(info, report_path)
        self.say(f"checker: {verdict}")
        hits = scan_secrets(info.root)
        if hits:
            raise secret_refusal(hits, what=f"the bundle {info.root}")
        return info, verdict, report_path

    def publish_location(self, info: BundleInfo) -> tuple[Path, str]:
        """What goes where in the submission repository: a v0.7 bundle replaces ``<org>/``; a
        v1.0 bundle only ``<org>/<submission_id>/``, so the org's other submissions stay."""
        if self.rules_round == ROUND_V10:
            folder = submission_dir(info)
            return folder, f"{info.org}/{folder.name}"
        return info.root, info.org

    def upload_bundle(self, submission_id: str, info: BundleInfo, workdir: Path) -> dict:
        archive = pack_directory(
            info.root,
            workdir / "bundle.tar.gz",
            arcname=info.org,
            progress_label="packing the bundle",
        )
        url = self.client.submission_upload_url(submission_id)["upload_url"]
        stored = self.client.upload_file(
            url, archive.path, size=archive.size, progress_label="uploading the bundle"
        )
        if stored.get("compliance_passed") is False:
            self.say(
                "warning: PRISM's own compliance check did not pass the uploaded bundle "
                f"(status {stored.get('status')})"
            )
        return {"sha256": archive.sha256, "size": archive.size, "status": stored.get("status")}

    # -- create ------------------------------------------------------------------------------

    def create(self, request: CreateRequest) -> Outcome:
        request.validate()
        if request.dry_run:
            _require_empty(request.output)
            return self._dry_run(request)
        forge = None
        if not request.no_pr:
            forge = Forge(self.target, Path(tempfile.mkdtemp(prefix="esc-git-")))
        identity = request.identity(self.api_url, self.target)
        try:
            if forge is not None:
                forge.check_prerequisites()  # before any API call
            with locked("create", identity):
                journal = Journal.open("create", identity)
                if journal.status == "done":
                    previous = self._previous_result(journal)
                    if previous is not None:
                        return previous
                    journal = Journal.open("create", identity)
                elif journal.resumed:
                    self.say(
                        f"resuming an interrupted `submissions create` (journal {journal.path})"
                    )
                _require_empty(request.output)
                return self._create_steps(request, journal, forge)
        finally:
            if forge is not None:
                shutil.rmtree(forge.workdir, ignore_errors=True)

    def _declared(self, request: CreateRequest) -> dict[str, str]:
        return {"division": request.division, "system_availability_status": request.availability}

    def _options(self, request: CreateRequest) -> BundleOptions:
        return BundleOptions(
            org=request.org,
            model=request.model,
            accuracy_run_id=request.accuracy_run_id,
            quality_target=request.quality_target,
        )

    def _dry_run(self, request: CreateRequest) -> Outcome:
        workdir = request.output or Path(tempfile.mkdtemp(prefix="esc-submission-"))
        workdir.mkdir(parents=True, exist_ok=True)
        with _scratch() as scratch:
            info, verdict, report_path = self.build_and_check(
                list(request.run_ids),
                workdir,
                scratch,
                self._options(request),
                self._declared(request),
                rules_round=request.rules_round,
                v1_options=request.v1_options(),
            )
        self.say(f"dry run: nothing was sent; bundle kept at {info.root}")
        return Outcome(bundle=info, bundle_path=info.root, report_path=report_path, verdict=verdict)

    def _previous_result(self, journal: Journal) -> Outcome | None:
        """The same command already completed: report that submission instead of a second one."""
        sid = journal.get("submission")["id"]
        try:
            submission = self.client.get_submission(sid, include_runs=False)
        except NotFoundError:
            submission = None
        if submission is None or submission.get("status") == "WITHDRAWN":
            journal.discard()  # that one is gone: this command may create a new one
            return None
        self.say(
            f"this exact command already created submission {sid} "
            f"({journal.created_at}); nothing new was created"
        )
        pushed = journal.get("pushed") or {}
        return Outcome(
            submission=submission,
            branch=pushed.get("branch"),
            pr_url=submission.get("pr_url"),
        )

    @staticmethod
    def _fail(exc: CliError, doing: str, done: list[str], resume: str) -> CliError:
        message = f"{doing} failed: {exc.message}"
        if exc.hint:
            message += f" ({exc.hint})"
        if done:
            message += "\nalready done: " + "; ".join(done)
        return CliError(message, hint=f"to finish, run the same command again: {resume}")

    def _create_steps(
        self, request: CreateRequest, journal: Journal, forge: Forge | None
    ) -> Outcome:
        """Run the steps the journal does not show as done; keep the work dir only when the
        checker failed (the message points at its bundle and report)."""
        workdir = Path(tempfile.mkdtemp(prefix="esc-submission-"))
        keep = False
        try:
            return self._create_in(workdir, request, journal, forge)
        except CheckerFailed:
            keep = True
            raise
        finally:
            if not keep:
                shutil.rmtree(workdir, ignore_errors=True)

    def _create_in(
        self, workdir: Path, request: CreateRequest, journal: Journal, forge: Forge | None
    ) -> Outcome:
        resume = request.command_line(self.api_url)
        submission_id = (journal.get("submission") or {}).get("id")
        if not submission_id:
            submission_id = self._existing_submission(request, journal)
            if submission_id and journal.status == "done":
                return self._previous_result(journal) or Outcome()
        done = [f"submission {submission_id} created"] if submission_id else []
        if journal.has("uploaded"):
            done.append("bundle uploaded")
        info = verdict = None
        if not journal.has("uploaded") or (forge is not None and not journal.has("pushed")):
            with _scratch() as scratch:
                try:
                    info, verdict, _ = self.build_and_check(
                        list(request.run_ids),
                        workdir,
                        scratch,
                        self._options(request),
                        self._declared(request),
                        rules_round=request.rules_round,
                        v1_options=request.v1_options(submission_id),
                    )
                except CliError as exc:
                    if not submission_id:
                        raise  # nothing exists on the server: the plain error says it all
                    raise self._fail(exc, "rebuilding the bundle", done, resume) from None

        if not submission_id:
            submission_id = self._create_record(request, journal)
            done.append(f"submission {submission_id} created")
            self.say(f"created submission {submission_id}")
        if info is not None and self.rules_round == ROUND_V10:
            name_submission(info, submission_id)

        if not journal.has("uploaded"):
            try:
                uploaded = self.upload_bundle(submission_id, info, workdir)
            except CliError as exc:
                raise self._fail(
                    exc, f"uploading the bundle of submission {submission_id}", done, resume
                ) from None
            journal.record("uploaded", **uploaded)
            done.append("bundle uploaded")
            self.say(f"uploaded the bundle ({uploaded['size'] / 1e6:.2f} MB)")

        if forge is not None and not journal.has("pushed"):
            body = pr_body(info, submission_id, request.payload(), verdict, self.rules_round)
            bundle_dir, repo_path = self.publish_location(info)
            try:
                result = forge.publish(
                    bundle_dir,
                    org=info.org,
                    submission_id=submission_id,
                    n_runs=len(info.run_ids),
                    body=body,
                    repo_path=repo_path,
                )
            except CliError as exc:
                raise self._fail(
                    exc,
                    f"publishing submission {submission_id} to {self.target.spec}",
                    done,
                    resume,
                ) from None
            journal.record(
                "pushed",
                branch=result.branch,
                commit=result.commit,
                pr_url=result.pr_url,
                pr_number=result.pr_number,
            )
            done.append(f"branch {result.branch} pushed")

        pushed = journal.get("pushed") or {}
        if pushed.get("pr_url") and not journal.has("patched"):
            try:
                self.client.update_submission(
                    submission_id, {"pr_url": pushed["pr_url"], "pr_number": pushed["pr_number"]}
                )
            except CliError as exc:
                raise self._fail(
                    exc, f"recording the PR URL on submission {submission_id}", done, resume
                ) from None
            journal.record("patched")
        submission = self.client.get_submission(submission_id, include_runs=False)
        journal.set_status("done")
        bundle_path = None
        if info is not None and request.output is not None:
            bundle_path = request.output / info.org
            shutil.copytree(info.root, bundle_path)
            shutil.copy(workdir / "checker-report.json", request.output)
        return Outcome(
            submission=submission,
            bundle=info,
            bundle_path=bundle_path,
            branch=pushed.get("branch"),
            pr_url=pushed.get("pr_url"),
            verdict=verdict,
        )

    def _submissions_of_these_runs(
        self, request: CreateRequest
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
        """This user's live submissions holding exactly these runs, the live ones holding some
        of them, and the ids of withdrawn ones holding exactly these runs."""
        wanted = set(request.run_ids)
        exact, overlapping, withdrawn = [], [], []
        for sub in self.client.list_submissions():
            held = set(sub.get("run_ids") or [])
            if sub.get("status") == "WITHDRAWN":
                if held == wanted:
                    withdrawn.append(str(sub.get("id")))
            elif held == wanted:
                exact.append(sub)
            elif held & wanted:
                overlapping.append(sub)
        return exact, overlapping, withdrawn

    @staticmethod
    def _same_record(sub: dict[str, Any], request: CreateRequest) -> bool:
        fields = request.record_fields()
        return all(
            sub.get(key) == fields[key]
            for key in ("division", "scenario", "availability")
            if key in sub
        )

    def _existing_submission(self, request: CreateRequest, journal: Journal) -> str | None:
        """Before creating: adopt the live submission holding exactly these runs, refuse one that
        holds some of them (a run belongs to one live submission), create otherwise."""
        exact, overlapping, _ = self._submissions_of_these_runs(request)
        if overlapping:
            wanted = set(request.run_ids)
            listed = "; ".join(
                f"{sub.get('id')} ({sub.get('status')}) holds "
                + ", ".join(sorted(set(sub.get("run_ids") or []) & wanted))
                for sub in overlapping
            )
            raise CliError(
                f"some of these runs already belong to a live submission: {listed}",
                hint="submit them there (`submissions add-run`/`update --run-ids`), remove them "
                f"from it, or withdraw it: {PROG} submissions withdraw --submission-id ID",
            )
        if len(exact) > 1:
            raise CliError(
                "several live submissions already hold exactly these runs: "
                + ", ".join(str(sub.get("id")) for sub in exact),
                hint=f"withdraw the extra ones with `{PROG} submissions withdraw "
                "--submission-id ID`, then run the same command again",
            )
        if not exact:
            return None
        sub = exact[0]
        if not self._same_record(sub, request):
            raise CliError(
                f"submission {sub.get('id')} already holds exactly these runs, with division "
                f"{sub.get('division')}, scenario {sub.get('scenario')}, availability "
                f"{sub.get('availability')} (this command asks for {request.division}, "
                f"{request.scenario}, {request.availability})",
                hint=f"change it with `{PROG} submissions update --submission-id "
                f"{sub.get('id')}`, or withdraw it first",
            )
        sid = str(sub["id"])
        self.say(
            f"submission {sid} ({sub.get('status')}) already holds exactly these runs: "
            "continuing with it instead of creating a second one"
        )
        journal.record("submission", id=sid)
        if sub.get("status") in FROZEN_STATES:
            journal.set_status("done")
        return sid

    def _create_record(self, request: CreateRequest, journal: Journal) -> str:
        """``POST /submissions`` exactly once, even across crashes, lost answers and machines.

        The POST carries an ``Idempotency-Key`` derived from the command (see
        ``CreateRequest.idempotency_key``). After an answer that was lost (or a 5xx), the list is
        watched for ``LOST_ANSWER_WAIT`` seconds for a submission holding exactly these runs;
        only when none appears is the POST sent once more, with the same key.
        """
        _, _, withdrawn = self._submissions_of_these_runs(request)
        key = request.idempotency_key(self.client.user_fingerprint, self.api_url, withdrawn)
        first: PrismError | None = None
        for attempt in (1, 2):
            try:
                created = self.client.create_submission(request.payload(), idempotency_key=key)
                break
            except PrismError as exc:
                if not exc.outcome_unknown:
                    raise CliError(
                        f"creating the submission failed: {exc.message}", hint=exc.hint
                    ) from None
                first = first or exc
                self.say(
                    f"the answer to POST /submissions was lost ({exc.message}); checking whether "
                    f"it was created (up to {LOST_ANSWER_WAIT:.0f} s)"
                )
                try:
                    adopted = self.client.poll_after_lost_answer(
                        lambda: self._adopt(request, journal)
                    )
                except PrismError as again:
                    raise CliError(
                        f"creating the submission: the outcome is unknown ({exc.message}), and "
                        f"listing submissions failed too ({again.message})",
                        hint="run the same command again; it looks for the submission before "
                        f"creating one: {request.command_line(self.api_url)}",
                    ) from None
                if adopted:
                    return adopted
                if attempt == 2:
                    raise CliError(
                        f"creating the submission failed twice ({first.message}; then "
                        f"{exc.message}), and PRISM listed no new submission of these runs "
                        f"during {LOST_ANSWER_WAIT:.0f} s after each",
                        hint="run the same command again later; it looks for the submission "
                        f"before creating one: {request.command_line(self.api_url)}",
                    ) from None
                self.say("PRISM lists no such submission: sending the request once more")
        journal.record("submission", id=created["id"])
        return created["id"]

    def _adopt(self, request: CreateRequest, journal: Journal) -> str | None:
        exact, _, _ = self._submissions_of_these_runs(request)
        exact = [sub for sub in exact if self._same_record(sub, request)]
        if len(exact) > 1:
            raise CliError(
                "found several live submissions with these runs ("
                + ", ".join(str(sub.get("id")) for sub in exact)
                + "); cannot tell which one this command created",
                hint=f"withdraw the extra ones with `{PROG} submissions withdraw "
                "--submission-id ID`, then run the same command again",
            )
        if exact:
            sid = str(exact[0]["id"])
            self.say(f"found submission {sid}, created by the interrupted attempt")
            journal.record("submission", id=sid)
            return sid
        return None

    # -- run-list changes ----------------------------------------------------------------------

    def change_runs(
        self,
        sid: str,
        *,
        operation: str,
        run_id: str | None = None,
        run_ids: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        no_pr: bool = False,
    ) -> Outcome:
        """add-run / remove-run / update --run-ids: rebuild, check, apply, upload, push.

        Nothing on the server changes until the new bundle has passed the checker. If a later
        step fails, the run list, metadata, archive and branch are put back as they were.
        """
        metadata = metadata or {}
        validate_id(sid, "submission")
        for rid in ([run_id] if run_id is not None else []) + list(run_ids or []):
            validate_id(rid, "run")
        identity = {
            "api_url": normalise_api_url(self.api_url),
            "submission": sid,
            "operation": operation,
            "run_id": run_id,
            "run_ids": run_ids,
            "metadata": metadata,
            "no_pr": no_pr,
        }
        with locked("change", identity):
            journal = Journal.open("change", identity)
            return self._change_runs(journal, sid, operation, run_id, run_ids, metadata, no_pr)

    def _change_runs(
        self,
        journal: Journal,
        sid: str,
        operation: str,
        run_id: str | None,
        run_ids: list[str] | None,
        metadata: dict[str, Any],
        no_pr: bool,
    ) -> Outcome:
        previous_archive = journal.path.with_suffix(".previous-bundle.tar.gz")
        resume = self._change_command(sid, operation, run_id, run_ids, metadata, no_pr)
        submission = self.client.get_submission(sid, include_runs=False)
        if journal.resumed:
            self.say(f"resuming an interrupted run-list change (journal {journal.path})")
            original = {k: v for k, v in journal.get("original").items() if k != "at"}
        else:
            if submission.get("status") in FROZEN_STATES:
                raise CliError(
                    f"submission {sid} is {submission['status']}; its runs can no longer change"
                )
            original = {
                "run_ids": list(submission.get("run_ids") or []),
                **{key: submission.get(key) for key in metadata},
            }
        new_ids = _new_run_list(sid, original["run_ids"], operation, run_id, run_ids)
        pr_target = _pr_repo(submission.get("pr_url"))
        forge = None
        workdir = Path(tempfile.mkdtemp(prefix="esc-change-"))
        keep = False
        try:
            previous_top = self._previous_bundle(sid, previous_archive, journal.resumed, workdir)
            options = _inherited_options(previous_top)
            v1_options = _inherited_options_v1(previous_top, sid, submission, operation)
            with _scratch() as scratch:
                info, verdict, _ = self.build_and_check(
                    new_ids, workdir / "new", scratch, options, v1_options=v1_options
                )
            if not no_pr:
                forge = Forge(pr_target or self.target, workdir / "git")
                forge.check_prerequisites()
            journal.record("original", **original)
            state = {
                "sid": sid,
                "journal": journal,
                "archive": previous_archive,
                "top": previous_top,
                "forge": forge,
                "n_runs": len(original["run_ids"]),
            }
            try:
                self._apply_change(sid, operation, run_id, new_ids, metadata, journal)
                journal.record("uploaded", **self.upload_bundle(sid, info, workdir))
                result = None
                if forge is not None:
                    bundle_dir, repo_path = self.publish_location(info)
                    result = forge.push_bundle(
                        bundle_dir,
                        org=info.org,
                        submission_id=sid,
                        n_runs=len(new_ids),
                        repo_path=repo_path,
                    )
                    journal.record("pushed", branch=result.branch, commit=result.commit)
                    if forge.target.is_github:
                        body = pr_body(info, sid, submission, verdict, self.rules_round)
                        url, number = forge.open_pr(sid, org=info.org, body=body)
                        if url != submission.get("pr_url"):
                            self.client.update_submission(sid, {"pr_url": url, "pr_number": number})
            except CliError as exc:
                raise self._roll_back(state, exc, resume) from None
        except CheckerFailed:
            keep = True  # the message points at the new bundle and its report
            raise
        finally:
            if not keep:
                shutil.rmtree(workdir, ignore_errors=True)
            if not journal.path.exists():  # nothing to undo: the saved copy is not needed
                previous_archive.unlink(missing_ok=True)
        journal.discard()
        previous_archive.unlink(missing_ok=True)
        final = self.client.get_submission(sid, include_runs=False)
        return Outcome(
            submission=final,
            bundle=info,
            branch=result.branch if result else None,
            pr_url=final.get("pr_url"),
            verdict=verdict,
        )

    def _change_command(
        self,
        sid: str,
        operation: str,
        run_id: str | None,
        run_ids: list[str] | None,
        metadata: dict[str, Any],
        no_pr: bool,
    ) -> str:
        args = [PROG]
        if self.api_url != DEFAULT_API_URL:
            args += ["--api-url", self.api_url]
        if operation in ("add", "remove"):
            args += [
                "submissions",
                f"{operation}-run",
                "--submission-id",
                sid,
                "--run-id",
                str(run_id),
            ]
        else:
            args += [
                "submissions",
                "update",
                "--submission-id",
                sid,
                "--run-ids",
                ",".join(run_ids or []),
            ]
            for key, value in metadata.items():
                args += [f"--{key.replace('_', '-')}", str(value)]
        if no_pr:
            args.append("--no-pr")
        return shlex.join(args)

    def _previous_bundle(
        self, sid: str, keep_at: Path, resumed: bool, workdir: Path
    ) -> Path | None:
        """The bundle the submission had before the change, kept beside the journal for undo."""
        if not (resumed and keep_at.is_file()):
            try:
                url = self.client.submission_download_url(sid)["download_url"]
            except NotFoundError:
                return None
            keep_at.parent.mkdir(parents=True, exist_ok=True)
            self.client.download_file(url, keep_at, progress_label="downloading the current bundle")
        return safe_extract(keep_at, workdir / "previous", self.extract_limits)

    def _apply_change(
        self,
        sid: str,
        operation: str,
        run_id: str | None,
        new_ids: list[str],
        metadata: dict[str, Any],
        journal: Journal,
    ) -> None:
        journal.record("applying")
        if operation == "add":
            self.client.add_submission_run(sid, str(run_id))
        elif operation == "remove":
            self.client.remove_submission_run(sid, str(run_id))
        else:
            self.client.update_submission(sid, {"run_ids": new_ids, **metadata})

    def _roll_back(self, state: dict[str, Any], cause: CliError, resume: str) -> CliError:
        """Undo a half-applied change: run list + metadata (one PATCH), archive, branch."""
        sid, journal = state["sid"], state["journal"]
        if not journal.has("applying"):
            journal.discard()
            return cause
        original = {k: v for k, v in journal.get("original").items() if k != "at"}
        try:
            self.client.update_submission(sid, original)
            if state["top"] is not None:
                archive: Path = state["archive"]
                url = self.client.submission_upload_url(sid)["upload_url"]
                self.client.upload_file(
                    url,
                    archive,
                    size=archive.stat().st_size,
                    progress_label="restoring the previous bundle",
                )
            else:
                with suppress(NotFoundError):
                    self.client.delete_submission_archive(sid)
            if journal.has("pushed") and state["top"] is not None:
                top: Path = state["top"]
                v1_dir = top / sid
                state["forge"].push_bundle(
                    v1_dir if self.rules_round == ROUND_V10 else top,
                    org=top.name,
                    submission_id=sid,
                    n_runs=state["n_runs"],
                    repo_path=f"{top.name}/{sid}" if self.rules_round == ROUND_V10 else None,
                )
        except CliError as again:
            return CliError(
                f"the run-list change of submission {sid} failed ({cause.message}) and undoing "
                f"it failed too ({again.message}); the journal {journal.path} keeps both states",
                hint=f"to finish the change, run the same command again: {resume}",
            )
        journal.discard()
        state["archive"].unlink(missing_ok=True)
        listed = ", ".join(original["run_ids"]) or "(none)"
        return CliError(
            f"the run-list change of submission {sid} failed: {cause.message}"
            + (f" ({cause.hint})" if cause.hint else "")
            + f"\nrolled back: nothing changed (run list {listed}"
            + (", metadata" if len(original) > 1 else "")
            + ", previous bundle restored)",
            hint=f"fix the cause, then run the same command again: {resume}",
        )

    # -- metadata, withdraw ----------------------------------------------------------------------

    def update_metadata(self, sid: str, metadata: dict[str, Any]) -> Outcome:
        if not metadata:
            raise CliError(
                "nothing to update", hint="pass --run-ids or a metadata flag", exit_code=2
            )
        return Outcome(submission=self.client.update_submission(sid, metadata))

    def withdraw(self, sid: str) -> Outcome:
        submission = self.client.get_submission(sid, include_runs=False)
        if submission.get("status") != "WITHDRAWN":
            submission = self.client.withdraw_submission(sid)
        target = _pr_repo(submission.get("pr_url"))
        notes = []
        if target is not None and submission.get("pr_number"):
            forge = Forge(target, Path(tempfile.mkdtemp(prefix="esc-git-")))
            try:
                forge.close_pr(int(submission["pr_number"]))
            except CliError as exc:
                raise CliError(
                    f"submission {sid} is withdrawn, but closing pull request "
                    f"#{submission['pr_number']} failed: {exc.message}",
                    hint=f"run the same command again: {PROG} submissions withdraw "
                    f"--submission-id {sid}",
                ) from None
            finally:
                shutil.rmtree(forge.workdir, ignore_errors=True)
            notes.append(f"closed pull request {submission['pr_url']}")
        elif submission.get("pr_url"):
            notes.append(f"{submission['pr_url']} is not a github.com PR: close it by hand")
        return Outcome(submission=submission, notes=notes)


def _new_run_list(
    sid: str, current: list[str], operation: str, run_id: str | None, run_ids: list[str] | None
) -> list[str]:
    if operation == "add":
        if run_id in current:
            raise CliError(f"run {run_id} is already part of submission {sid}")
        return [*current, str(run_id)]
    if operation == "remove":
        if run_id not in current:
            raise CliError(
                f"run {run_id} is not part of submission {sid}",
                hint=f"its runs: {', '.join(current) or 'none'}",
            )
        return [r for r in current if r != run_id]
    return list(run_ids or [])


def _inherited_options(previous_top: Path | None) -> BundleOptions:
    """Org, model directory, accuracy-run choice and quality targets of the previous bundle,
    for the rebuild."""
    if previous_top is None:
        return BundleOptions()
    preferred: list[str] = []
    targets: dict[str, float] = {}
    for result in sorted(previous_top.glob("pareto/*/*/accuracy/accuracy_result.json")):
        try:
            data = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data.get("run_id"), str):
            preferred.append(data["run_id"])
        if isinstance(data.get("quality_target"), (int, float)):
            targets[result.parent.parent.name] = float(data["quality_target"])
    # One model directory before: the rebuild keeps it (it may have come from --model).
    model_dirs = {path.name for path in previous_top.glob("pareto/*/*") if path.is_dir()}
    return BundleOptions(
        org=previous_top.name,
        model=next(iter(model_dirs)) if len(model_dirs) == 1 else None,
        model_source="the submission's previous bundle",
        preferred_accuracy_runs=tuple(preferred),
        inherited_quality_targets=targets,
    )


def _check_round_options(
    rules_round: str, options: BundleOptions, v1_options: BundleOptionsV1 | None
) -> None:
    """Flags of one round given for a bundle of the other are refused, not ignored."""
    if rules_round == ROUND_V10:
        given = [
            flag
            for flag, value in (
                ("--accuracy-run", options.accuracy_run_id),
                ("--quality-target", options.quality_target),
            )
            if value is not None
        ]
        what = "v0.7 (round v1.0 takes accuracy from each point's accuracy_results.json)"
    else:
        given = [
            flag
            for flag, value in (
                ("--shared-src", v1_options and v1_options.shared_src),
                ("--shared-docs", v1_options and v1_options.shared_docs),
            )
            if value
        ]
        what = "v1.0"
    if given:
        raise CliError(
            f"{' and '.join(given)} only apply to round {what}, and these runs build a "
            f"round {rules_round} bundle",
            hint="drop the flag, or pass --round to build the other round",
            exit_code=2,
        )


def _inherited_options_v1(
    previous_top: Path | None, sid: str, submission: dict[str, Any], operation: str
) -> BundleOptionsV1:
    """A v1.0 rebuild keeps the org, the flags and what ``--shared-src``/``--shared-docs``
    brought: the previous bundle's ``src/`` and ``docs/`` are shared folders of the rebuild."""
    previous = previous_top / sid if previous_top is not None else None
    shared = {
        name: (previous / name,) if previous is not None and (previous / name).is_dir() else ()
        for name in ("src", "docs")
    }
    command = "submissions update" if operation == "update" else f"submissions {operation}-run"
    return BundleOptionsV1(
        org=previous_top.name if previous_top is not None else None,
        submission_id=sid,
        division=submission.get("division"),
        availability=submission.get("availability"),
        target_availability_date=submission.get("target_availability_date"),
        shared_src=shared["src"],
        shared_docs=shared["docs"],
        command=command,
    )


@contextmanager
def _scratch() -> Iterator[Path]:
    """A temporary directory for downloaded run archives; always removed."""
    path = Path(tempfile.mkdtemp(prefix="esc-runs-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
