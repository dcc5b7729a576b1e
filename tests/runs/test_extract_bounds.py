"""Issue 13 item 9: extraction is bounded (expanded bytes, members, ratio) before anything is
written, and symlinks to '.' or '..' inside the tree are refused."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from endpoints_submission_cli.archive import ExtractLimits, safe_extract
from endpoints_submission_cli.errors import ArchiveError


def _archive(path: Path, members: list[tuple[str, bytes]], links=(), level: int = 9) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=level) as tar:
        top = tarfile.TarInfo("run")
        top.type = tarfile.DIRTYPE
        tar.addfile(top)
        for name, data in members:
            info = tarfile.TarInfo(f"run/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(f"run/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return path


def _nothing_written(dest: Path) -> bool:
    return not dest.exists() or not any(dest.iterdir())


def test_defaults_are_documented_numbers():
    limits = ExtractLimits()
    assert limits.max_bytes == 32 * 1024**3
    assert limits.max_members == 100_000
    assert limits.max_ratio == 200


def test_a_compression_bomb_is_refused_before_writing(tmp_path):
    bomb = _archive(tmp_path / "bomb.tar.gz", [("zeros.bin", b"\0" * (24 * 1024 * 1024))])
    assert bomb.stat().st_size < 100_000
    dest = tmp_path / "out"
    with pytest.raises(ArchiveError, match=r"expands more than 200:1.*") as caught:
        safe_extract(bomb, dest)
    assert "--max-extract-ratio" in (caught.value.hint or "")
    assert _nothing_written(dest)
    # Raising the bound lets the same archive through.
    top = safe_extract(bomb, dest, ExtractLimits(max_ratio=5000))
    assert (top / "zeros.bin").stat().st_size == 24 * 1024 * 1024


def test_too_many_members_are_refused_before_writing(tmp_path):
    many = _archive(tmp_path / "many.tar.gz", [(f"f{i}", b"x") for i in range(60)])
    dest = tmp_path / "out"
    with pytest.raises(ArchiveError, match="more than 50 members") as caught:
        safe_extract(many, dest, ExtractLimits(max_members=50))
    assert "--max-extract-members" in (caught.value.hint or "")
    assert _nothing_written(dest)
    assert safe_extract(many, dest, ExtractLimits(max_members=61)).is_dir()


def test_too_many_expanded_bytes_are_refused_before_writing(tmp_path):
    big = _archive(tmp_path / "big.tar.gz", [("random.bin", os.urandom(20_000))])
    dest = tmp_path / "out"
    with pytest.raises(ArchiveError, match="more than 10000 bytes") as caught:
        safe_extract(big, dest, ExtractLimits(max_bytes=10_000))
    assert "--max-extract-bytes" in (caught.value.hint or "")
    assert _nothing_written(dest)


@pytest.mark.parametrize(
    ("name", "target"),
    [("self", "."), ("up", ".."), ("sub/up", ".."), ("sub/loop", "../sub"), ("dot", "./")],
)
def test_symlinks_to_the_tree_itself_are_refused(tmp_path, name, target):
    members = [("sub/file.txt", b"x")]
    archive = _archive(tmp_path / "loop.tar.gz", members, links=[(name, target)])
    dest = tmp_path / "out"
    with pytest.raises(ArchiveError, match="links to"):
        safe_extract(archive, dest)
    assert _nothing_written(dest)


def test_a_symlink_to_a_sibling_file_is_still_fine(tmp_path):
    archive = _archive(
        tmp_path / "ok.tar.gz", [("sub/file.txt", b"x")], links=[("alias.txt", "sub/file.txt")]
    )
    top = safe_extract(archive, tmp_path / "out")
    assert (top / "alias.txt").read_bytes() == b"x"


def _hard_linked(path: Path, data: bytes, links: int) -> Path:
    """One file and ``links`` hard links to it (tarfile copies the file where a link fails)."""
    with tarfile.open(path, "w:gz") as tar:
        top = tarfile.TarInfo("run")
        top.type = tarfile.DIRTYPE
        tar.addfile(top)
        info = tarfile.TarInfo("run/data.bin")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for index in range(links):
            link = tarfile.TarInfo(f"run/copy-{index}.bin")
            link.type, link.linkname = tarfile.LNKTYPE, "run/data.bin"
            tar.addfile(link)
    return path


def test_hard_links_count_as_the_bytes_of_their_target(tmp_path):
    archive = _hard_linked(tmp_path / "links.tar.gz", os.urandom(20_000), links=10)
    dest = tmp_path / "out"
    # 11 × 20,000 bytes may be written (a copy per link where the file system has no links)
    with pytest.raises(ArchiveError, match="more than 100000 bytes"):
        safe_extract(archive, dest, ExtractLimits(max_bytes=100_000))
    assert _nothing_written(dest)
    top = safe_extract(archive, dest, ExtractLimits(max_bytes=220_000))
    assert (top / "copy-9.bin").read_bytes() == (top / "data.bin").read_bytes()
