"""The run-archive check on its own thread (issue 14): inflating every byte of an upload overlaps
with receiving it, and still refuses what is not a complete .tar.gz — early, without a stray
thread or a leftover .part."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from prism_server.blobs import ArchiveRejected, BlobStore

MIB = 1 << 20


def _check_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "upload-check"]


def _big_archive(tar_gz) -> bytes:
    """A few MiB of .tar.gz (random bytes: deflate keeps them stored, size ≈ content)."""
    return tar_gz({"r/events.jsonl": os.urandom(3 * MIB), "r/config.yaml": b"name: x\n"})


def _no_archive(api, prism, run_id: str) -> None:
    assert api.get(f"/runs/{run_id}").json()["archive_uri"] is None
    assert not (prism.data_dir / "archives" / "runs" / run_id).exists()
    assert not list((prism.data_dir / "tmp").glob("*.part"))


def test_a_big_archive_corrupted_in_the_middle_is_refused(
    prism, api, run_id, upload_url, tar_gz, http
) -> None:
    whole = bytearray(_big_archive(tar_gz))
    whole[2 * MIB : 2 * MIB + 4096] = b"\xff" * 4096  # a stored block's LEN/NLEN or CRC broken
    response = http.put(upload_url, content=bytes(whole))
    assert response.status_code == 400
    assert "not a valid .tar.gz" in response.json()["detail"]
    _no_archive(api, prism, run_id)


def test_a_big_archive_with_junk_after_its_gzip_stream_is_refused(
    prism, api, run_id, upload_url, tar_gz, http
) -> None:
    response = http.put(upload_url, content=_big_archive(tar_gz) + b"junk" * 1000)
    assert response.status_code == 400
    assert "trailing data" in response.json()["detail"]
    _no_archive(api, prism, run_id)


def test_a_big_archive_is_stored_whole(prism, api, run_id, upload_url, tar_gz, http) -> None:
    whole = _big_archive(tar_gz)
    response = http.put(upload_url, content=whole)
    assert response.status_code == 200, response.text
    run = api.get(f"/runs/{run_id}").json()
    assert run["archive_size"] == len(whole)
    assert run["archive_sha256"] == hashlib.sha256(whole).hexdigest()


def test_garbage_is_refused_while_it_streams_in_and_leaves_nothing(tmp_path: Path) -> None:
    """The refusal comes within a few pieces of the first bad byte, not after the whole body."""
    upload = BlobStore(tmp_path).start_upload("runs", "r1", check_gzip_tar=True)
    written = 0
    with pytest.raises(ArchiveRejected, match="not a valid .tar.gz"):
        for _ in range(64):
            upload.write(b"not gzip " * (MIB // 9))
            written += 1
    assert written < 64
    upload.discard()
    assert not _check_threads()
    assert not list((tmp_path / "tmp").iterdir())


def test_odd_pieces_of_a_valid_archive_pass_and_the_thread_ends(tmp_path: Path, tar_gz) -> None:
    whole = _big_archive(tar_gz)
    upload = BlobStore(tmp_path).start_upload("runs", "r1", check_gzip_tar=True)
    for at in range(0, len(whole), 777_777):
        upload.write(whole[at : at + 777_777])
    upload.finish()
    relpath = upload.commit()
    upload.discard()
    assert (tmp_path / relpath).read_bytes() == whole
    assert not _check_threads()


def test_a_truncated_big_archive_is_refused_at_the_end(tmp_path: Path, tar_gz) -> None:
    whole = _big_archive(tar_gz)
    upload = BlobStore(tmp_path).start_upload("runs", "r1", check_gzip_tar=True)
    upload.write(whole[: len(whole) - 100])
    with pytest.raises(ArchiveRejected, match="truncated"):
        upload.finish()
    upload.discard()
    assert not _check_threads()


def test_an_unexpected_failure_of_the_check_reaches_the_writer_and_never_blocks_it(
    tmp_path, monkeypatch
):
    """Whatever the check raises, the thread lives on draining: the writer gets the error
    instead of waiting forever on a full queue."""
    from prism_server import blobs

    def broken(self, data: bytes) -> None:
        raise RuntimeError("inflater broke")

    monkeypatch.setattr(blobs.GzipTarCheck, "feed", broken)
    (tmp_path / "tmp").mkdir()
    upload = BlobStore(tmp_path).start_upload("runs", "run-1", check_gzip_tar=True)
    raised: list[BaseException] = []

    def write_more_than_the_queue_holds() -> None:
        try:
            for _ in range(4 * blobs.CHECK_QUEUE):
                upload.write(b"x" * 1024)
        except BaseException as err:  # noqa: BLE001 - what the writer got is the assertion
            raised.append(err)

    writer = threading.Thread(target=write_more_than_the_queue_holds, daemon=True)
    writer.start()
    writer.join(timeout=60)  # a liveness guard, not a timing: a blocked writer never returns
    assert not writer.is_alive(), "the writer is blocked on the queue of a dead check thread"
    assert [type(err) for err in raised] == [RuntimeError]
    assert "inflater broke" in str(raised[0])
    upload.discard()
    assert not _check_threads()
    assert not list((tmp_path / "tmp").iterdir())
