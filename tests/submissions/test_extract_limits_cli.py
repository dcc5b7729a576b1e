"""A hostile run archive on PRISM is refused by `submissions create` before it is inflated;
`--max-extract-ratio` raises the bound for a genuine one."""

from __future__ import annotations

import io
import tarfile


def _bomb(path) -> bytes:
    with tarfile.open(path, "w:gz", compresslevel=9) as tar:
        info = tarfile.TarInfo("run/zeros.bin")
        info.size = 24 * 1024 * 1024
        tar.addfile(info, io.BytesIO(b"\0" * info.size))
    return path.read_bytes()


def test_a_bomb_among_the_runs_is_refused_and_the_flag_raises_the_bound(
    cli, api, prism, example_ids, tmp_path
):
    from endpoints_submission_cli.prism import PrismClient

    run_id = example_ids[48]
    bomb = tmp_path / "bomb.tar.gz"
    _bomb(bomb)
    with PrismClient(prism.url, prism.token) as client:
        url = client.run_upload_url(run_id)["upload_url"]
        client.upload_file(url, bomb, size=bomb.stat().st_size)
    args = ("submissions", "create", "--division", "standardized", "--availability", "available")
    refused = cli(*args, "--run-ids", run_id, "--dry-run")
    assert refused.exit_code == 1
    assert f"{run_id}.tar.gz expands more than 200:1" in refused.stderr
    assert "--max-extract-ratio" in refused.stderr
    assert not list((tmp_path / "tmp").rglob("zeros.bin"))

    raised = cli(*args, "--run-ids", run_id, "--dry-run", "--max-extract-ratio", "5000")
    assert raised.exit_code == 1  # the archive is no run folder, but it was extracted
    assert "expands more than" not in raised.stderr
    assert api.submissions() == []
