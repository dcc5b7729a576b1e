"""Concurrency, crashes and big uploads: the database and the data dir stay consistent."""

from __future__ import annotations

import hashlib
import os
import tarfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

MB = 1024 * 1024


def test_twenty_parallel_creations_and_uploads(prism, api, run_body, tar_gz, http):
    def one(index: int) -> tuple[str, str]:
        with prism.client(timeout=60) as client:
            run = client.post("/runs", json=run_body(cli_version=f"0.2.{index}")).json()
            content = tar_gz({f"run{index}/events.jsonl": os.urandom(200_000)})
            url = client.get(f"/runs/{run['id']}/archive/upload-url").json()["upload_url"]
            assert http.put(url, content=content, timeout=60).status_code == 200
            return run["id"], hashlib.sha256(content).hexdigest()

    with ThreadPoolExecutor(max_workers=20) as pool:
        expected = dict(pool.map(one, range(20)))
    runs = api.get("/runs").json()["items"]
    assert sorted(item["id"] for item in runs) == sorted(expected)
    for run_id, sha in expected.items():
        assert api.get(f"/runs/{run_id}").json()["archive_sha256"] == sha


def _gzip_tar_file(path: Path, size: int) -> None:
    """A real .tar.gz of ``size`` bytes of incompressible data (stored, so it stays ~size)."""
    block = os.urandom(MB)

    class Repeat:
        def __init__(self) -> None:
            self.left = size

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return (block * (n // MB + 1))[:n]

    with tarfile.open(path, "w:gz", compresslevel=0) as archive:
        info = tarfile.TarInfo("big/events.jsonl")
        info.size = size
        archive.addfile(info, Repeat())


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_200_mb_upload_in_bounded_memory(prism_factory, run_body, tmp_path, http):
    server = prism_factory()
    headers = {"X-API-Key": server.new_token("big")}
    archive = tmp_path / "big.tar.gz"
    _gzip_tar_file(archive, 200 * MB)
    size = archive.stat().st_size
    with httpx.Client(verify=False, base_url=server.url, headers=headers, timeout=120) as client:
        run = client.post("/runs", json=run_body()).json()
        before = _peak_rss_kb(server.pid)
        url = client.get(f"/runs/{run['id']}/archive/upload-url").json()["upload_url"]

        def body():
            with archive.open("rb") as handle:
                while chunk := handle.read(MB):
                    yield chunk

        put = http.put(url, content=body(), headers={"Content-Length": str(size)}, timeout=120)
        assert put.status_code == 200, put.text
        growth_mb = (_peak_rss_kb(server.pid) - before) / 1024
        stored = client.get(f"/runs/{run['id']}").json()
    assert stored["archive_size"] == size
    assert growth_mb < 60, f"server peak RSS grew by {growth_mb:.0f} MB for a 200 MB upload"
    print(f"200 MB upload: server peak RSS growth {growth_mb:.1f} MB")


def test_sigkill_during_upload_leaves_no_partial_archive(fresh_prism, run_body, http):
    headers = {"X-API-Key": fresh_prism.new_token("crash")}
    run = http.post(f"{fresh_prism.url}/runs", json=run_body(), headers=headers).json()
    url = http.get(
        f"{fresh_prism.url}/runs/{run['id']}/archive/upload-url", headers=headers
    ).json()["upload_url"]
    tmp_dir = fresh_prism.data_dir / "tmp"
    release = threading.Event()

    deflate = zlib.compressobj(level=0, wbits=31)
    header = tarfile.TarInfo("run/events.jsonl")
    header.size = 20 * MB
    first_part = deflate.compress(header.tobuf() + os.urandom(2 * MB)) + deflate.flush(
        zlib.Z_SYNC_FLUSH
    )

    def slow_body():
        yield first_part  # a valid start of a .tar.gz, so the server keeps receiving
        release.wait(10)  # hold the upload open, a tenth done, until the server is killed
        yield bytes(9 * MB)

    outcome: list[object] = []

    def upload() -> None:
        try:
            outcome.append(
                http.put(
                    url, content=slow_body(), headers={"Content-Length": str(10 * MB)}, timeout=20
                )
            )
        except Exception as err:  # noqa: BLE001 - whatever it is, the test asserts on it
            outcome.append(err)

    uploader = threading.Thread(target=upload)
    uploader.start()
    deadline = time.monotonic() + 10
    while not any(p.stat().st_size > 0 for p in tmp_dir.glob("*.part")):
        assert time.monotonic() < deadline, "the upload never reached the server"
        time.sleep(0.02)
    fresh_prism.kill()
    release.set()
    uploader.join(20)
    assert not isinstance(outcome[0], httpx.Response), "the upload cannot have succeeded"

    fresh_prism.start()
    after = http.get(f"{fresh_prism.url}/runs/{run['id']}", headers=headers).json()
    assert after["archive_uri"] is None and after["archive_size"] is None
    assert list(tmp_dir.iterdir()) == []
    assert not any(p.is_file() for p in (fresh_prism.data_dir / "archives").rglob("*"))
    # The server is fully usable on the same data dir afterwards.
    again = http.get(
        f"{fresh_prism.url}/runs/{run['id']}/archive/upload-url", headers=headers
    ).json()
    import io

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("r/a")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    assert http.put(again["upload_url"], content=buffer.getvalue()).status_code == 200


def test_restart_removes_orphans_and_keeps_stored_archives(fresh_prism, run_body, http, tar_gz):
    """What a crash between "file moved into place" and "row updated" leaves behind is an
    archive no row points to; a crash mid-upload leaves tmp files. A restart removes both."""
    headers = {"X-API-Key": fresh_prism.new_token("orphans")}
    run = http.post(f"{fresh_prism.url}/runs", json=run_body(), headers=headers).json()
    signed = http.get(f"{fresh_prism.url}/runs/{run['id']}/archive/upload-url", headers=headers)
    content = tar_gz({"r/a": b"kept"})
    assert http.put(signed.json()["upload_url"], content=content).status_code == 200
    fresh_prism.kill()

    data = fresh_prism.data_dir
    orphan = data / "archives" / "runs" / run["id"] / "0123456789abcdef.tar.gz"
    orphan.write_bytes(b"moved but never recorded")
    stray_dir = data / "archives" / "runs" / "deleted-run"
    stray_dir.mkdir()
    (stray_dir / "fedcba9876543210.tar.gz").write_bytes(b"x")
    (data / "tmp" / "abc.part").write_bytes(b"half")
    (data / "tmp" / "extract-abc" / "Org").mkdir(parents=True)

    fresh_prism.start()
    assert not orphan.exists() and not stray_dir.exists()
    assert list((data / "tmp").iterdir()) == []
    download = http.get(f"{fresh_prism.url}/runs/{run['id']}/archive", headers=headers).json()
    assert http.get(download["download_url"]).content == content
