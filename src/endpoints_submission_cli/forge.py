"""Git and GitHub: the only module that runs subprocesses.

A submission bundle reaches MLCommons as a branch ``submission-<id>`` in the submission
repository, plus (on GitHub) a pull request. The target comes from ``MLPERF_SUBMISSION_REPO``:

* ``owner/repo`` → GitHub through ``gh`` (clone, push, ``gh pr create`` / ``gh pr close``);
* a git URL or a local path → plain ``git``: the branch is pushed, no PR is opened. This is how
  offline rehearsals and the tests work (a local bare repository).

Every step is safe to repeat: an existing branch is continued (updates push a new commit to the
same branch), an identical bundle makes no empty commit, and an open PR for the branch is found
again instead of opening a second one. That is what lets an interrupted ``submissions create``
resume.

The PRISM token never reaches git or gh: it is removed from the environment of every
subprocess, so it cannot end up in git config, remotes, hooks' view or commit messages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ForgeError

DEFAULT_REPO = "MLCommons-Systems/test-endpoints-submission-repo"
REPO_ENV = "MLPERF_SUBMISSION_REPO"

# Environment variables the CLI reads its own secrets from; never handed to git or gh.
_PRIVATE_ENV = ("PRISM_USER_API_TOKEN",)
_GITHUB_SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_PR_URL = re.compile(r"https?://[^\s\"']+/pull/(\d+)")
_MESSAGE_TAIL_LINES = 12


@dataclass(frozen=True)
class Target:
    """Where submission branches go: a GitHub ``owner/repo`` or a plain git URL / local path."""

    spec: str
    is_github: bool

    @property
    def clone_source(self) -> str:
        """What ``git clone`` gets; local paths become file:// URLs so ``--depth 1`` applies."""
        if self.is_github or "://" in self.spec or _is_scp_like(self.spec):
            return self.spec
        return Path(self.spec).expanduser().resolve().as_uri()


@dataclass(frozen=True)
class PublishResult:
    """What a push (and, on GitHub, a pull request) produced."""

    branch: str
    commit: str
    committed: bool  # False when the branch already held exactly this bundle
    pr_url: str | None = None
    pr_number: int | None = None


def _is_scp_like(spec: str) -> bool:
    """``git@github.com:o/r.git`` style remotes (user@host:path)."""
    return bool(re.match(r"^[\w.-]+@[\w.-]+:", spec))


def resolve_target(spec: str | None = None) -> Target:
    """The submission repository from the argument, else ``MLPERF_SUBMISSION_REPO``, else default.

    ``owner/repo`` means GitHub unless a local directory of that name exists (a relative path to a
    bare repository must keep working for rehearsals).
    """
    value = (spec or os.environ.get(REPO_ENV) or DEFAULT_REPO).strip()
    if not value:
        value = DEFAULT_REPO
    looks_github = bool(_GITHUB_SLUG.match(value)) and not Path(value).expanduser().exists()
    return Target(spec=value, is_github=looks_github)


def branch_name(submission_id: str) -> str:
    return f"submission-{submission_id}"


def commit_message(submission_id: str, org: str, n_runs: int) -> str:
    return f"submission {submission_id}: {org}, {n_runs} runs"


def pr_title(submission_id: str, org: str) -> str:
    return f"MLPerf Endpoints submission {submission_id} ({org})"


def _subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PRIVATE_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"  # never hang in CI waiting for a password
    env.setdefault("GH_PROMPT_DISABLED", "1")
    return env


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-_MESSAGE_TAIL_LINES:])


class Forge:
    """Runs git and gh for one target, in a scratch directory the caller owns."""

    def __init__(self, target: Target, workdir: Path):
        self.target = target
        self.workdir = Path(workdir)
        self._prerequisites_checked = False

    # -- subprocess plumbing -------------------------------------------------------------

    def _run(self, args: list[str], *, cwd: Path | None = None, what: str) -> str:
        try:
            proc = subprocess.run(
                args,
                cwd=cwd,
                env=_subprocess_env(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise self._missing_tool(args[0]) from exc
        if proc.returncode != 0:
            details = _tail(proc.stderr) or _tail(proc.stdout) or f"exit code {proc.returncode}"
            raise ForgeError(
                f"{what} failed (`{_display(args)}`):\n{details}",
                hint=self._hint_for(args, proc.stderr),
            )
        return proc.stdout

    def _missing_tool(self, tool: str) -> ForgeError:
        if tool == "gh":
            return ForgeError(
                "the GitHub CLI `gh` is not installed or not on PATH; it is needed to open the "
                f"pull request on {self.target.spec}",
                hint="install gh (https://cli.github.com) and run `gh auth login`, or set "
                f"{REPO_ENV} to a git URL or local path to push a branch without a PR",
            )
        return ForgeError(f"`{tool}` is not installed or not on PATH", hint="install git")

    @staticmethod
    def _hint_for(args: list[str], stderr: str) -> str | None:
        lowered = stderr.lower()
        if "please tell me who you are" in lowered or "empty ident" in lowered:
            return "set your git identity: git config --global user.name/user.email"
        if args[:2] == ["git", "push"]:
            return "check that you may push to the submission repository (and its hooks' message)"
        return None

    def _git(self, *args: str, repo: Path | None = None, what: str | None = None) -> str:
        return self._run(["git", *args], cwd=repo, what=what or f"git {args[0]}")

    def _gh(self, *args: str, what: str | None = None) -> str:
        return self._run(["gh", *args], what=what or f"gh {' '.join(args[:2])}")

    # -- prerequisites -------------------------------------------------------------------

    def check_prerequisites(self) -> None:
        """Before the first write to PRISM, everything publishing will need (issue 15 item 9):
        git present with an identity to commit as, the repository reachable, and for GitHub
        `gh` present and logged in.

        The branch name needs no check: it is ``submission-<id>`` of a submission that does not
        exist yet, and a branch of a resumed or adopted submission is continued, not replaced.
        """
        if self._prerequisites_checked:
            return
        self._git("--version", what="git --version")
        for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            try:
                self._git("var", ident, what=f"git var {ident}")
            except ForgeError as exc:
                raise ForgeError(
                    "git has no identity to commit the submission with (`git var "
                    f"{ident}` failed: {exc.message.splitlines()[-1]})",
                    hint='set it, then re-run: git config --global user.name "Your Name" && '
                    "git config --global user.email you@example.org",
                ) from None
        if self.target.is_github:
            self._gh("--version", what="gh --version")
            try:
                self._gh("auth", "status", what="gh auth status")
            except ForgeError as exc:
                raise ForgeError(
                    "gh is not logged in to GitHub (`gh auth status` failed)",
                    hint="run `gh auth login` (or set GH_TOKEN in CI), then re-run",
                ) from exc
            reach = ["gh", "repo", "view", self.target.spec, "--json", "name"]
        else:
            reach = ["git", "ls-remote", "--heads", self.target.clone_source]
        try:
            self._run(reach, what=f"reaching the submission repository {self.target.spec}")
        except ForgeError as exc:
            exc.hint = (
                f"check the repository name or URL ({REPO_ENV}) and your access to it, then "
                "re-run; nothing was sent to PRISM"
            )
            raise
        self._prerequisites_checked = True

    # -- publishing ----------------------------------------------------------------------

    def _clone(self) -> Path:
        dest = self.workdir / "submission-repo"
        if dest.exists():
            shutil.rmtree(dest)
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.target.is_github:
            self._gh(
                "repo",
                "clone",
                self.target.spec,
                str(dest),
                "--",
                "--depth",
                "1",
                what=f"cloning {self.target.spec}",
            )
        else:
            self._git(
                "clone",
                "--quiet",
                "--depth",
                "1",
                self.target.clone_source,
                str(dest),
                what=f"cloning {self.target.spec}",
            )
        return dest

    def _checkout_branch(self, repo: Path, branch: str) -> None:
        remote_heads = self._git(
            "ls-remote",
            "--heads",
            "origin",
            f"refs/heads/{branch}",
            repo=repo,
            what="git ls-remote",
        )
        if remote_heads.strip():
            # An update (or a resumed create): continue the branch instead of replacing it.
            self._git(
                "fetch",
                "--quiet",
                "--depth",
                "1",
                "origin",
                f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
                repo=repo,
                what=f"fetching branch {branch}",
            )
            self._git("checkout", "--quiet", "-B", branch, f"origin/{branch}", repo=repo)
        else:
            self._git("checkout", "--quiet", "-B", branch, repo=repo)

    def push_bundle(
        self,
        bundle_dir: Path,
        *,
        org: str,
        submission_id: str,
        n_runs: int,
        repo_path: str | None = None,
    ) -> PublishResult:
        """Clone, put the bundle at ``repo_path`` (default ``<org>/``) on branch
        ``submission-<id>``, commit, push."""
        branch = branch_name(submission_id)
        repo = self._clone()
        self._checkout_branch(repo, branch)
        where = repo_path or org
        dest = repo / where
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(bundle_dir, dest)
        self._git("add", "--all", "--", where, repo=repo)
        staged = subprocess.run(
            ["git", "diff", "--cached", "--quiet"], cwd=repo, env=_subprocess_env(), check=False
        ).returncode
        committed = staged != 0
        if committed:
            self._git(
                "commit",
                "--quiet",
                "-m",
                commit_message(submission_id, org, n_runs),
                repo=repo,
                what="git commit",
            )
        self._git(
            "push",
            "--quiet",
            "--set-upstream",
            "origin",
            "HEAD",
            repo=repo,
            what=f"pushing branch {branch} to {self.target.spec}",
        )
        commit = self._git("rev-parse", "HEAD", repo=repo).strip()
        return PublishResult(branch=branch, commit=commit, committed=committed)

    def find_open_pr(self, submission_id: str) -> tuple[str, int] | None:
        """The open PR of branch ``submission-<id>``, if one exists (resume after a crash)."""
        out = self._gh(
            "pr",
            "list",
            "--repo",
            self.target.spec,
            "--head",
            branch_name(submission_id),
            "--state",
            "open",
            "--json",
            "url,number",
            what="gh pr list",
        )
        try:
            prs = json.loads(out or "[]")
        except json.JSONDecodeError as exc:
            raise ForgeError(
                f"gh pr list printed something that is not JSON:\n{_tail(out)}"
            ) from exc
        for pr in prs if isinstance(prs, list) else []:
            if isinstance(pr, dict) and pr.get("url") and isinstance(pr.get("number"), int):
                return pr["url"], pr["number"]
        return None

    def open_pr(self, submission_id: str, *, org: str, body: str) -> tuple[str, int]:
        """Open the pull request for the pushed branch, or return the one already open."""
        existing = self.find_open_pr(submission_id)
        if existing:
            return existing
        out = self._gh(
            "pr",
            "create",
            "--repo",
            self.target.spec,
            "--head",
            branch_name(submission_id),
            "--title",
            pr_title(submission_id, org),
            "--body",
            body,
            what="gh pr create",
        )
        match = _PR_URL.search(out)
        if not match:
            raise ForgeError(f"gh pr create printed no pull request URL:\n{_tail(out)}")
        return match.group(0), int(match.group(1))

    def publish(
        self,
        bundle_dir: Path,
        *,
        org: str,
        submission_id: str,
        n_runs: int,
        body: str,
        open_pr: bool = True,
        repo_path: str | None = None,
    ) -> PublishResult:
        """Push the bundle and, on GitHub, make sure a PR is open for it."""
        self.check_prerequisites()
        pushed = self.push_bundle(
            bundle_dir,
            org=org,
            submission_id=submission_id,
            n_runs=n_runs,
            repo_path=repo_path,
        )
        if not (self.target.is_github and open_pr):
            return pushed
        url, number = self.open_pr(submission_id, org=org, body=body)
        return PublishResult(pushed.branch, pushed.commit, pushed.committed, url, number)

    def close_pr(self, pr_number: int, comment: str = "withdrawn") -> None:
        self.check_prerequisites()
        self._gh(
            "pr",
            "close",
            str(pr_number),
            "--repo",
            self.target.spec,
            "--comment",
            comment,
            what=f"closing pull request #{pr_number}",
        )


def _display(args: list[str]) -> str:
    """The command for a message: long arguments (PR bodies) shortened."""
    shown = [a if len(a) <= 60 else a[:57] + "..." for a in args]
    return " ".join(shown)
