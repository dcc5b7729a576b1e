"""Reading a file whole (``loading._read_bytes``): one read when the file has the size ``fstat``
gave, and still every byte when it does not (a file reporting size 0, a file that grew)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from submission_checker import loading


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 200_000])
def test_regular_file_read_whole(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "f.json"
    path.write_bytes(data)
    assert loading._read_bytes(path) == data


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_file_larger_than_its_stat_size_is_read_to_its_end() -> None:
    # /proc files report st_size 0 and hold more: the read goes on past the size fstat gave
    assert os.stat("/proc/self/status").st_size == 0
    data = loading._read_bytes("/proc/self/status")
    assert data.startswith(b"Name:") and b"\nPid:" in data


def test_file_grown_after_fstat_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "point.yaml"
    path.write_bytes(b"concurrency: 8\n")
    real_fstat = os.fstat

    def fstat_then_grow(fd: int) -> os.stat_result:
        result = real_fstat(fd)
        with open(path, "ab") as grown:
            grown.write(b"region: low\n" * 1000)
        return result

    monkeypatch.setattr(loading.os, "fstat", fstat_then_grow)
    assert loading._read_bytes(path) == b"concurrency: 8\n" + b"region: low\n" * 1000
