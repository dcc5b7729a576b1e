"""The packing pipeline of `runs create` (issue 14): ISA-L deflate on worker threads, hashing and
writing on another, the secret scan searching big chunks in place.

Whatever the speed work changed, a user must still get a standard .tar.gz that `tar` and Python
read back byte for byte, and every secret wherever the reads happen to cut the file.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endpoints_submission_cli.archive import (
    CHUNK,
    DATA_LOG_PATTERNS,
    _StreamScanner,
    pack_directory,
    scan_secrets,
)
from endpoints_submission_cli.errors import SecretFoundError

FAKE_PRISM_TOKEN = b"mlc_" + b"Ab3dE6gH9jK2mN5pQ8sT"
FAKE_SK_KEY = b"sk-proj-" + b"a1B2c3D4e5F6g7H8i9J0k1L2"
FAKE_AWS_KEY = b"AKIA" + b"Q7W3E9R2T5Y8U1I4"
PRIVATE_KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----"
URL_PASSWORD = b"https://alice:" + b"s3cr3tPa55@proxy.example.com"
SECRETS = [FAKE_PRISM_TOKEN, FAKE_SK_KEY, FAKE_AWS_KEY, PRIVATE_KEY, URL_PASSWORD]


def _prose(rng: random.Random, size: int) -> bytes:
    """Event lines carrying prompts: compressible like text (not like a repeated line)."""
    words = [
        "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(n))
        for n in (1, 2, 2, 3, 3, 4)
        for _ in range(300)
    ]
    out = bytearray()
    while len(out) < size:
        prompt = " ".join(rng.choices(words, k=rng.randint(5, 400)))
        out += b'{"event_type":"sample.issued","data":["PromptData","%s"]}\n' % prompt.encode()
    return bytes(out[:size])


@pytest.fixture
def text_run(tmp_path: Path) -> Path:
    """A run folder of a few MiB: a big text-heavy log, small files, an empty one, a subfolder."""
    rng = random.Random(14)
    folder = tmp_path / "run"
    (folder / "metrics").mkdir(parents=True)
    (folder / "events.jsonl").write_bytes(_prose(rng, 3 * CHUNK + 12345))
    (folder / "config.yaml").write_text("name: speed\napi_key: <redacted>\n")
    (folder / "metrics" / "small.json").write_bytes(_prose(rng, 700))
    (folder / "metrics" / "empty.txt").write_bytes(b"")
    (folder / "metrics" / "exact.log").write_bytes(_prose(rng, CHUNK))
    return folder


def test_text_heavy_archive_reads_back_identically_with_tarfile_gzip_and_tar(
    text_run: Path, tmp_path: Path
) -> None:
    info = pack_directory(text_run, tmp_path / "run.tar.gz", arcname="run")

    data = info.path.read_bytes()
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    files = sorted(p for p in text_run.rglob("*") if p.is_file())
    raw = sum(p.stat().st_size for p in files)
    assert len(data) < raw / 2  # compressed, not stored
    assert gzip.decompress(data)  # one valid gzip stream: CRC and length trailer agree

    with tarfile.open(info.path, "r:gz") as tar:
        for path in files:
            member = tar.extractfile(f"run/{path.relative_to(text_run).as_posix()}")
            assert member is not None and member.read() == path.read_bytes(), path

    tar_bin = shutil.which("tar")
    if tar_bin is None:  # pragma: no cover - every CI image has tar
        pytest.skip("no tar on PATH")
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run([tar_bin, "xzf", str(info.path), "-C", str(out)], check=True)
    for path in files:
        assert (out / "run" / path.relative_to(text_run)).read_bytes() == path.read_bytes()


def test_packing_the_same_folder_twice_gives_the_same_bytes(text_run: Path, tmp_path: Path) -> None:
    first = pack_directory(text_run, tmp_path / "a.tar.gz", arcname="run")
    second = pack_directory(text_run, tmp_path / "b.tar.gz", arcname="run")
    assert first.sha256 == second.sha256


@pytest.mark.parametrize("secret", SECRETS, ids=lambda s: s[:6].decode())
@pytest.mark.parametrize(
    "offset",
    [CHUNK - 4096 - 1, CHUNK - 4096, CHUNK - 7, CHUNK - 1, CHUNK, CHUNK + 4095, 2 * CHUNK - 3],
)
def test_every_secret_format_is_found_where_a_read_cuts_the_log(
    tmp_path: Path, secret: bytes, offset: int
) -> None:
    """The log is read in CHUNK pieces: secrets straddling a piece, or in the 4 KiB carried
    over from one piece to the next, are refused all the same, naming their line."""
    folder = tmp_path / "run"
    folder.mkdir()
    body = _prose(random.Random(offset), 3 * CHUNK)
    cut = body.rfind(b" ", 0, offset - 1)
    head = body[:cut] + b" " * (offset - cut)  # the secret starts exactly at `offset`
    (folder / "events.jsonl").write_bytes(head + secret + b" " + body[offset:])
    line = head.count(b"\n") + 1

    assert [(h.path, h.line) for h in scan_secrets(folder)] == [("events.jsonl", line)]
    with pytest.raises(SecretFoundError, match=rf"events\.jsonl line {line}"):
        pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")
    assert not (tmp_path / "a.tar.gz").exists()


def _found(data: bytes, cuts: list[int]) -> list[tuple[int, str]]:
    scanner = _StreamScanner("events.jsonl", DATA_LOG_PATTERNS)
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        scanner.feed(data[start:cut])
        start = max(start, cut)
    scanner.finish(None)
    return sorted(scanner._found)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    placements=st.lists(
        st.tuples(st.sampled_from(SECRETS), st.integers(0, 40_000)), min_size=1, max_size=4
    ),
    cuts=st.lists(st.integers(0, 60_000), max_size=12),
)
def test_where_the_stream_is_cut_never_changes_what_the_scan_finds(
    placements: list[tuple[bytes, int]], cuts: list[int]
) -> None:
    """Big pieces are searched in place (not copied behind the carried-over tail): the same
    hits at the same offsets as one search over the whole buffer, for any cuts."""
    data = bytearray(_prose(random.Random(3), 48_000))
    for secret, at in placements:
        data[at : at + len(secret) + 2] = b" " + secret + b" "
    data = bytes(data)
    assert _found(data, cuts) == _found(data, [])
