"""Every precondition of publishing is checked before the first write to PRISM (issue 15 #9)."""

from __future__ import annotations

CREATE = ("submissions", "create", "--division", "standardized", "--availability", "available")


def _ids(example_ids) -> str:
    return ",".join(example_ids.values())


def test_git_without_identity_creates_nothing_in_prism(
    cli, api, example_ids, bare_repo, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(bare_repo))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    # No guessing from the host name either: exactly a machine where `git commit` would fail.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    result = cli(*CREATE, "--run-ids", _ids(example_ids))
    assert result.exit_code == 1
    assert "git has no identity" in result.stderr
    assert "git config --global user.email" in result.stderr
    assert "Traceback" not in result.stderr
    assert api.submissions() == []


def test_unreachable_repository_creates_nothing_in_prism(
    cli, api, example_ids, tmp_path, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", str(tmp_path / "no-such-repo.git"))
    result = cli(*CREATE, "--run-ids", _ids(example_ids))
    assert result.exit_code == 1
    assert "reaching the submission repository" in result.stderr
    assert "nothing was sent to PRISM" in result.stderr
    assert api.submissions() == []


def test_unknown_github_repository_creates_nothing_in_prism(
    cli, api, example_ids, fake_gh, monkeypatch
):
    monkeypatch.setenv("MLPERF_SUBMISSION_REPO", "octo/no-such-repo")
    fake_gh.set(repo_missing=True)
    result = cli(*CREATE, "--run-ids", _ids(example_ids))
    assert result.exit_code == 1
    assert "Could not resolve to a Repository" in result.stderr
    assert api.submissions() == []
    assert not any(call[:2] == ["pr", "create"] for call in fake_gh.calls)
