"""Issue 13 item 10: a secret is refused wherever it sits in a run folder, and never printed.

Matrix: five credential formats × placements the old scan missed (binary file, a NUL early in
a text file, UTF-16 LE/BE text, gzip data, a JSON line of events.jsonl, the file name), each
through `runs create --dry-run` (scan before printing) and `runs create` (scan while packing).
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pytest

TOKEN = "mlc_" + "Zq8wE4rT6yU1iO3pA5sD7fG9"
SECRETS = {
    "mlc": "mlc_" + "Hk3Lm9Np2Qr5St8Vw1Xy4Za7",
    "sk": "sk-proj-" + "Bq7Cr8Ds9Et0Fu1Gv2Hw3Ix4",
    "aws": "AKIA" + "Q7XJ3M2K9ZP4WN6R",
    "pem": "-----BEGIN RSA PRIVATE KEY-----",
    "url": "https://alice:" + "s3cr3t-Pa55w0rd" + "@models.example.org/v1",
}


def _binary(secret: str) -> tuple[str, bytes]:
    return "engine.bin", b"\0\x01\x02\x03" * 512 + secret.encode() + b"\0" * 64


def _early_nul(secret: str) -> tuple[str, bytes]:
    return "notes.txt", b"a\0b\n" + f"remember {secret}\n".encode()


def _utf16_le(secret: str) -> tuple[str, bytes]:
    return "notes-windows.txt", f"remember {secret}\r\n".encode("utf-16")  # with BOM


def _utf16_be(secret: str) -> tuple[str, bytes]:
    return "notes-be.txt", f"remember {secret}\n".encode("utf-16-be")


def _gzipped(secret: str) -> tuple[str, bytes]:
    return "server.log.gz", gzip.compress(b"started\n" * 1000 + f"env {secret}\n".encode())


def _gzip_without_suffix(secret: str) -> tuple[str, bytes]:
    return "server.log", gzip.compress(f"env {secret}\n".encode())


def _events_line(secret: str) -> tuple[str, bytes]:
    return "events.jsonl", (json.dumps({"event_type": "x", "data": f"{secret}"}) + "\n").encode()


def _zipped(secret: str) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("logs/readme.txt", "nothing here\n" * 50)
        archive.writestr("logs/server.log", "started\n" * 1000 + f"env {secret}\n")
    return "logs.zip", buffer.getvalue()


PLACEMENTS = {
    "binary": _binary,
    "early-nul": _early_nul,
    "utf16-le": _utf16_le,
    "utf16-be": _utf16_be,
    "gzip": _gzipped,
    "gzip-magic-only": _gzip_without_suffix,
    "events-jsonl": _events_line,
    "zip-member": _zipped,
}


def _plant(folder, placement: str, secret: str) -> None:
    name, data = PLACEMENTS[placement](secret)
    target = folder / name
    if name == "events.jsonl":
        data = target.read_bytes() + data
    target.write_bytes(data)


def _assert_refused_and_unprinted(result, secret: str) -> None:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "secret scan found" in result.stderr
    printed = result.stdout + result.stderr
    assert secret not in printed
    assert secret[8:] not in printed  # no recognisable part of it either
    assert "Traceback" not in printed


@pytest.mark.parametrize("kind", sorted(SECRETS))
@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
def test_secret_anywhere_is_refused_and_never_printed(offline_cli, run_folder, placement, kind):
    folder = run_folder()
    _plant(folder, placement, SECRETS[kind])
    dry = offline_cli("runs", "create", "--path", folder, "--dry-run")
    _assert_refused_and_unprinted(dry, SECRETS[kind])
    real = offline_cli("runs", "create", "--path", folder, "--token", TOKEN)
    _assert_refused_and_unprinted(real, SECRETS[kind])
    assert "packed" not in real.stderr


@pytest.mark.parametrize("content", ["harmless\n", f"and {SECRETS['sk']} inside\n"])
@pytest.mark.parametrize("kind", ["mlc", "sk", "aws"])
def test_a_secret_as_a_file_name_is_refused_and_masked(offline_cli, run_folder, kind, content):
    folder = run_folder()
    (folder / f"{SECRETS[kind]}.txt").write_text(content)
    for args in (["--dry-run"], ["--token", TOKEN]):
        result = offline_cli("runs", "create", "--path", folder, *args)
        _assert_refused_and_unprinted(result, SECRETS[kind])
        assert "in the file name" in result.stderr


def test_an_aws_key_after_the_first_64_mib_of_events_is_found(offline_cli, run_folder):
    folder = run_folder()
    line = json.dumps({"event_type": "sample.recv", "data": "x" * 1000}).encode() + b"\n"
    with (folder / "events.jsonl").open("ab") as fh:
        for _ in range(65 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
        fh.write(json.dumps({"data": SECRETS["aws"]}).encode() + b"\n")
    result = offline_cli("runs", "create", "--path", folder, "--token", TOKEN)
    _assert_refused_and_unprinted(result, SECRETS["aws"])
    assert "AWS access key" in result.stderr


def test_dry_run_never_prints_an_unscanned_system_description(offline_cli, run_folder, tmp_path):
    folder = run_folder()
    described = json.loads((folder / "system_desc.json").read_text())
    described["notes"] = f"endpoint key {SECRETS['sk']}"
    outside = tmp_path / "my-system.json"
    outside.write_text(json.dumps(described))
    for extra in ([], ["--json"]):
        result = offline_cli(
            "runs", "create", "--path", folder, "--system-desc", outside, "--dry-run", *extra
        )
        _assert_refused_and_unprinted(result, SECRETS["sk"])
        assert "system_desc.json" in result.stderr


def test_a_gzip_bomb_in_the_folder_is_refused_not_scanned_forever(offline_cli, run_folder):
    folder = run_folder()
    (folder / "huge.gz").write_bytes(gzip.compress(b"\0" * (100 * 1024 * 1024), 9))
    result = offline_cli("runs", "create", "--path", folder, "--dry-run")
    assert result.exit_code == 1
    assert "expands more than" in result.stderr and "--exclude 'huge.gz'" in result.stderr


def test_gzip_inside_gzip_is_scanned_and_deeper_nesting_is_refused(offline_cli, run_folder):
    """Compressed twice, a secret is still found; compressed three times over, the file cannot
    be scanned and is refused (never packed unscanned), naming it and the way out."""
    secret_line = f"env {SECRETS['sk']}\n".encode()
    folder = run_folder()
    (folder / "twice.log.gz").write_bytes(gzip.compress(gzip.compress(secret_line)))
    _assert_refused_and_unprinted(
        offline_cli("runs", "create", "--path", folder, "--dry-run"), SECRETS["sk"]
    )
    (folder / "twice.log.gz").unlink()
    clean = gzip.compress(gzip.compress(gzip.compress(b"started\n" * 100)))
    (folder / "thrice.log.gz").write_bytes(clean)
    result = offline_cli("runs", "create", "--path", folder, "--dry-run")
    assert result.exit_code == 1
    assert "thrice.log.gz" in result.stderr and "more than 2 times over" in result.stderr
    assert "--exclude 'thrice.log.gz'" in result.stderr and "Traceback" not in result.stderr
    excluded = offline_cli(
        "runs", "create", "--path", folder, "--dry-run", "--exclude", "thrice.log.gz"
    )
    assert excluded.exit_code == 0, excluded.stderr


def test_zip_archives_are_read_member_by_member_or_refused(offline_cli, run_folder):
    """A secret in a zip member's name is found; a zip that cannot be read (an encrypted
    member) or zip data inside gzip is refused, naming the file; bytes that only start like a
    zip archive are scanned as stored and packed."""
    folder = run_folder()
    named = io.BytesIO()
    with zipfile.ZipFile(named, "w") as archive:
        archive.writestr(f"keys/{SECRETS['aws']}.txt", "x")
    (folder / "named.zip").write_bytes(named.getvalue())
    _assert_refused_and_unprinted(
        offline_cli("runs", "create", "--path", folder, "--dry-run"), SECRETS["aws"]
    )
    (folder / "named.zip").unlink()

    locked = io.BytesIO()
    with zipfile.ZipFile(locked, "w") as archive:
        archive.writestr("secret.txt", "ciphertext")
    data = bytearray(locked.getvalue())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + flags_at] |= 0x1  # encrypted: its content is not readable
    (folder / "locked.zip").write_bytes(bytes(data))
    result = offline_cli("runs", "create", "--path", folder, "--dry-run")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "cannot scan locked.zip" in result.stderr and "--exclude 'locked.zip'" in result.stderr
    (folder / "locked.zip").unlink()

    (folder / "inner.gz").write_bytes(gzip.compress(named.getvalue()))
    result = offline_cli("runs", "create", "--path", folder, "--dry-run")
    assert result.exit_code == 1 and "zip archive inside compressed data" in result.stderr
    (folder / "inner.gz").unlink()

    (folder / "looks-like.bin").write_bytes(b"PK\x03\x04" + b"\0" * 64 + b"not an archive")
    assert offline_cli("runs", "create", "--path", folder, "--dry-run").exit_code == 0
