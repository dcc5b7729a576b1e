"""forge: real git against local bare repositories, `gh` through the stand-in on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from endpoints_submission_cli.errors import ForgeError
from endpoints_submission_cli.forge import DEFAULT_REPO, Forge, resolve_target


def make_bundle(root: Path, org: str = "Example_Org", value: str = "1") -> Path:
    bundle = root / org
    (bundle / "systems").mkdir(parents=True)
    (bundle / "systems" / "sys.json").write_text(f'{{"v": {value}}}\n')
    return bundle


def branch_files(git, bare: Path, branch: str) -> list[str]:
    return sorted(git("ls-tree", "-r", "--name-only", branch, cwd=bare).split())


def test_resolve_target_kinds(tmp_path, monkeypatch):
    assert resolve_target(None) == resolve_target(DEFAULT_REPO)
    assert resolve_target(None).is_github
    assert resolve_target("octo/subs").is_github
    assert not resolve_target("https://example.org/subs.git").is_github
    assert not resolve_target("git@github.com:octo/subs.git").is_github
    assert not resolve_target(str(tmp_path)).is_github
    monkeypatch.chdir(tmp_path)
    (tmp_path / "octo" / "subs").mkdir(parents=True)
    assert not resolve_target("octo/subs").is_github  # an existing local path wins
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "someone/else")
    assert resolve_target(None).spec == "someone/else"


def test_local_target_pushes_branch_and_updates_continue_it(tmp_path, bare_repo, git):
    forge = Forge(resolve_target(str(bare_repo)), tmp_path / "work")
    first = forge.publish(
        make_bundle(tmp_path / "b1"),
        org="Example_Org",
        submission_id="s1",
        n_runs=8,
        body="ignored without GitHub",
    )
    assert first.branch == "submission-s1" and first.committed and first.pr_url is None
    assert branch_files(git, bare_repo, "submission-s1") == [
        "Example_Org/systems/sys.json",
        "README.md",
    ]
    message = git("log", "-1", "--format=%s", "submission-s1", cwd=bare_repo).strip()
    assert message == "submission s1: Example_Org, 8 runs"

    # Same bundle again (a resumed command): nothing new to commit, the push is a no-op.
    again = forge.publish(
        make_bundle(tmp_path / "b2"), org="Example_Org", submission_id="s1", n_runs=8, body=""
    )
    assert not again.committed and again.commit == first.commit

    # A changed bundle: a new commit on top of the same branch.
    bundle = make_bundle(tmp_path / "b3", value="2")
    (bundle / "systems" / "sys.json").rename(bundle / "systems" / "other.json")
    update = forge.publish(bundle, org="Example_Org", submission_id="s1", n_runs=7, body="")
    assert update.committed
    parent = git("rev-parse", "submission-s1^", cwd=bare_repo).strip()
    assert parent == first.commit
    assert branch_files(git, bare_repo, "submission-s1") == [
        "Example_Org/systems/other.json",
        "README.md",
    ]
    assert git("log", "-1", "--format=%s", "main", cwd=bare_repo).strip() == "initial commit"


def test_push_rejected_by_hook_names_the_reason(tmp_path, bare_repo, git, reject_pushes):
    reject_pushes(bare_repo, "pushes are frozen for the review")
    forge = Forge(resolve_target(str(bare_repo)), tmp_path / "work")
    with pytest.raises(ForgeError) as err:
        forge.publish(
            make_bundle(tmp_path / "b"), org="Example_Org", submission_id="s1", n_runs=1, body=""
        )
    assert "pushing branch submission-s1" in err.value.message
    assert "pushes are frozen for the review" in err.value.message
    assert "submission-s1" not in git("branch", "--list", cwd=bare_repo)


def test_github_flow_opens_one_pr_with_spec_title(tmp_path, fake_gh, bare_repo, monkeypatch):
    monkeypatch.setenv("PRISM_USER_API_TOKEN", "mlc_" + "x" * 24)
    forge = Forge(resolve_target("octo/subs"), tmp_path / "work")
    result = forge.publish(
        make_bundle(tmp_path / "b"),
        org="Example_Org",
        submission_id="s9",
        n_runs=3,
        body="the summary",
    )
    assert (result.pr_url, result.pr_number) == ("https://github.com/octo/subs/pull/7", 7)
    calls = fake_gh.calls
    assert calls[:3] == [
        ["--version"],
        ["auth", "status"],
        ["repo", "view", "octo/subs", "--json", "name"],
    ]
    calls = calls[1:]  # the clone is the fourth call
    assert calls[2][:4] == [
        "repo",
        "clone",
        "octo/subs",
        str(tmp_path / "work" / "submission-repo"),
    ]
    assert calls[2][4:] == ["--", "--depth", "1"]
    assert fake_gh.prs == [
        {
            "number": 7,
            "url": result.pr_url,
            "head": "submission-s9",
            "state": "open",
            "title": "MLPerf Endpoints submission s9 (Example_Org)",
            "body": "the summary",
        }
    ]
    assert not any(c["token_in_env"] for c in fake_gh.state["calls"])

    # Re-publishing (update or resume) finds the open PR instead of opening another.
    again = forge.publish(
        make_bundle(tmp_path / "b2", value="3"),
        org="Example_Org",
        submission_id="s9",
        n_runs=3,
        body="the summary",
    )
    assert again.pr_number == 7 and len(fake_gh.prs) == 1

    forge.close_pr(7)
    assert fake_gh.calls[-1] == [
        "pr",
        "close",
        "7",
        "--repo",
        "octo/subs",
        "--comment",
        "withdrawn",
    ]
    assert fake_gh.prs[0]["state"] == "closed"


def test_gh_missing_is_explained(tmp_path, monkeypatch):
    git_dir = tmp_path / "only-git"
    git_dir.mkdir()
    real_git = next(
        Path(p) / "git" for p in os.environ["PATH"].split(os.pathsep) if (Path(p) / "git").exists()
    )
    (git_dir / "git").symlink_to(real_git)
    monkeypatch.setenv("PATH", str(git_dir))
    forge = Forge(resolve_target("octo/subs"), tmp_path / "work")
    with pytest.raises(ForgeError) as err:
        forge.check_prerequisites()
    assert "`gh` is not installed" in err.value.message
    assert "MLPERF_SUBMISSION_REPO" in err.value.hint


def test_gh_not_logged_in_is_explained(tmp_path, fake_gh):
    fake_gh.set(auth=False)
    forge = Forge(resolve_target("octo/subs"), tmp_path / "work")
    with pytest.raises(ForgeError) as err:
        forge.check_prerequisites()
    assert "not logged in" in err.value.message and "gh auth login" in err.value.hint
    assert ["repo", "clone"] not in [c[:2] for c in fake_gh.calls]
