"""Packing, exclusions, the secret scan and safe extraction (cli.md §3), on real run folders."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest

from endpoints_submission_cli.archive import (
    CHUNK,
    pack_directory,
    plan_archive,
    safe_extract,
    scan_secrets,
    sha256_file,
)
from endpoints_submission_cli.errors import ArchiveError, SecretFoundError

SAMPLES = ["llama2-70b_c1", "http500_every_10th_c8", "accuracy_both_c4"]
FAKE_PRISM_TOKEN = "mlc_" + "Ab3dE6gH9jK2mN5pQ8sT"
FAKE_SK_KEY = "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2"


def _members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: m for m in tar.getmembers()}


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples_pack_and_come_back_identical(sample_copy, tmp_path: Path, name: str) -> None:
    folder = sample_copy(name)
    assert scan_secrets(folder) == []  # `api_key: <redacted>` and events.jsonl are no secrets

    info = pack_directory(folder, tmp_path / "run.tar.gz", arcname=name)

    assert info.size == (tmp_path / "run.tar.gz").stat().st_size
    assert (
        info.sha256 == sha256_file(info.path) == hashlib.sha256(info.path.read_bytes()).hexdigest()
    )
    names = _members(info.path)
    assert info.members == len(names)
    assert all(n == name or n.startswith(f"{name}/") for n in names)
    top = safe_extract(info.path, tmp_path / "out")
    assert top == tmp_path / "out" / name
    for rel, _size in plan_archive(folder):
        assert (top / rel).read_bytes() == (folder / rel).read_bytes(), rel


def test_archive_has_no_local_user_names(sample_copy, tmp_path: Path) -> None:
    info = pack_directory(sample_copy("llama2-70b_c1"), tmp_path / "a.tar.gz", arcname="x")
    for member in _members(info.path).values():
        assert (member.uname, member.gname, member.uid, member.gid) == ("", "", 0, 0)


def test_never_packed_entries_and_exclude_globs(sample_copy, tmp_path: Path) -> None:
    folder = sample_copy("llama2-70b_c1")
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "config").write_text("[core]\n")
    (folder / "src" / "__pycache__").mkdir(parents=True)
    (folder / "src" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (folder / "src" / "tool.py").write_text("print('hi')\n")
    (folder / "src" / "old.pyc").write_bytes(b"\0")
    (folder / ".env").write_text("OPENAI_API_KEY=whatever-is-here\n")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "src" / ".tool.py.swp").write_bytes(b"\0")
    (folder / "notes.txt~").write_text("backup\n")

    planned = dict(plan_archive(folder, exclude=["report.txt", "metrics/*"]))

    assert "src/tool.py" in planned and "config.yaml" in planned
    assert "report.txt" not in planned
    assert not any(p.startswith("metrics/") for p in planned)
    for gone in [
        ".git/config",
        ".env",
        ".DS_Store",
        "src/old.pyc",
        "src/.tool.py.swp",
        "notes.txt~",
        "src/__pycache__/x.cpython-311.pyc",
    ]:
        assert gone not in planned
    info = pack_directory(folder, tmp_path / "a.tar.gz", arcname="run", exclude=["report.txt"])
    names = _members(info.path)
    assert "run/src/tool.py" in names
    assert not any(".git" in n or n.endswith(".env") or "__pycache__" in n for n in names)
    assert "run/report.txt" not in names


def test_symlink_out_of_the_folder_is_refused_by_name(sample_copy, tmp_path: Path) -> None:
    folder = sample_copy("llama2-70b_c1")
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("outside\n")
    (folder / "documentation").mkdir()
    (folder / "documentation" / "notes.txt").symlink_to(secret)

    with pytest.raises(ArchiveError, match=r"documentation/notes\.txt is a symlink .* outside"):
        pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")
    assert not (tmp_path / "a.tar.gz").exists()
    # leaving it out is the documented way around
    pack_directory(folder, tmp_path / "a.tar.gz", arcname="run", exclude=["documentation/*"])


def test_symlink_inside_the_folder_is_kept_as_a_relative_link(sample_copy, tmp_path: Path) -> None:
    folder = sample_copy("llama2-70b_c1")
    (folder / "latest.yaml").symlink_to(folder / "config.yaml")  # absolute target, inside
    info = pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")
    link = _members(info.path)["run/latest.yaml"]
    assert link.issym() and link.linkname == "config.yaml"
    top = safe_extract(info.path, tmp_path / "out")
    assert (top / "latest.yaml").read_text() == (folder / "config.yaml").read_text()


@pytest.mark.parametrize(
    ("relpath", "text", "line", "kind"),
    [
        ("config.yaml", None, None, "api_key"),  # filled in below: the real config, unredacted
        ("notes/run.txt", f"token used:\n  {FAKE_PRISM_TOKEN}\n", 2, "PRISM API token"),
        ("src/client.py", f'KEY = "{FAKE_SK_KEY}"\n', 1, "sk-"),
        ("src/settings.json", '{\n  "password": "hunter2-real"\n}\n', 2, "api_key"),
        ("launch.sh", "curl https://bench:s3cretpw@example.org/x\n", 1, "URL with a password"),
        ("keys/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", 1, "private key"),
        ("aws.ini", "[default]\nid = AKIAIOSFODNN7EXAMPLE\n", 2, "AWS access key"),
        ("deploy.yaml", "hf_token: hf_abcdefghijklmnop\n", 1, "api_key"),
        ("settings.ini", "[endpoint]\nAPI_KEY = abcd1234efgh\n", 2, "api_key"),
        ("aws.cfg", "[x]\naws_secret_access_key=wJalrXUtnFEMIK7MDENG\n", 2, "api_key"),
    ],
)
def test_secret_scan_refuses_and_names_file_and_line_never_the_secret(
    sample_copy, tmp_path: Path, relpath: str, text: str | None, line: int | None, kind: str
) -> None:
    folder = sample_copy("llama2-70b_c1")
    target = folder / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is None:  # the real config with a real key where the tool wrote <redacted>
        lines = target.read_text().splitlines(keepends=True)
        line = next(i for i, s in enumerate(lines, 1) if "api_key: <redacted>" in s)
        lines[line - 1] = lines[line - 1].replace("<redacted>", FAKE_SK_KEY.replace("-", "x"))
        target.write_text("".join(lines))
    else:
        target.write_text(text)

    hits = scan_secrets(folder)
    assert [(h.path, h.line) for h in hits] == [(relpath, line)]
    assert kind in hits[0].kind
    with pytest.raises(SecretFoundError) as caught:
        pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")
    message = str(caught.value) + (caught.value.hint or "")
    assert f"{relpath} line {line}" in message
    for secret in (FAKE_PRISM_TOKEN, FAKE_SK_KEY, "hunter2", "s3cretpw", "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in message
    assert not (tmp_path / "a.tar.gz").exists()
    # --exclude is the way out for a file that should not be shipped
    pack_directory(folder, tmp_path / "a.tar.gz", arcname="run", exclude=[relpath])


@pytest.mark.parametrize(
    "text",
    [
        "api_key: <redacted>\n",
        "api_key: null\n",
        "api_key: ''\n",
        "password: ${BENCH_PASSWORD}\n",
        "token: ****\n",
        "max_new_tokens: 1024\ntokenizer_name: /srv/bench/tokenizer\n",
        '{"eos_token": "</s>", "pad_token": "[PAD]", "bos_token_id": 1}\n',
        "url: https://user@example.org/x\nrepo: git@github.com:org/repo.git\n",
        "import mlc_llm_serve_configuration\nfrom sklearn import sk-learn-compatible-estimators\n",
        "token = os.environ['PRISM_USER_API_TOKEN']\n",
        "monkey: banana-split\nsort_key: model_name\nmytoken: abcdefghij\nkey: llama2-70b\n",
    ],
)
def test_secret_scan_ignores_what_is_not_a_secret(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    suffix = (
        ".json" if text.startswith("{") else ".py" if "import" in text or "os." in text else ".yaml"
    )
    (folder / f"file{suffix}").write_text(text)
    assert scan_secrets(folder) == []


def test_events_log_fields_named_token_are_data_not_secrets(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "events.jsonl").write_text('{"token": "Hello there", "password": "in a prompt"}\n')
    assert scan_secrets(folder) == []


@pytest.mark.parametrize("offset", [CHUNK - 10, CHUNK - 4096 - 5, CHUNK + 3, 2 * CHUNK - 1])
def test_token_in_a_large_events_log_is_found_across_chunk_boundaries(
    tmp_path: Path, offset: int
) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    line = b'{"event_type":"sample.issued","data":["PromptData","Analyze this case",null]}\n'
    filler = line * (3 * CHUNK // len(line))
    head = filler[: offset - 1] + b" "  # the token starts exactly at `offset`
    (folder / "events.jsonl").write_bytes(head + FAKE_PRISM_TOKEN.encode() + b"\n" + filler)
    expected_line = head.count(b"\n") + 1

    hits = scan_secrets(folder)
    assert [(h.path, h.line) for h in hits] == [("events.jsonl", expected_line)]
    with pytest.raises(SecretFoundError, match=rf"events\.jsonl line {expected_line}"):
        pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")
    assert not (tmp_path / "a.tar.gz").exists()


def test_system_desc_given_separately_is_packed_under_the_standard_name(
    sample_copy, samples_dir: Path, tmp_path: Path
) -> None:
    folder = sample_copy("llama2-70b_c1")
    (folder / "system_desc.json").write_text("{}")  # overridden by the given file
    given = samples_dir / "system_desc.example.json"
    info = pack_directory(
        folder, tmp_path / "a.tar.gz", arcname="run", extra_files={"system_desc.json": given}
    )
    with tarfile.open(info.path, "r:gz") as tar:
        names = [m.name for m in tar.getmembers()]
        assert names.count("run/system_desc.json") == 1
        assert tar.extractfile("run/system_desc.json").read() == given.read_bytes()


def _tar_with(tmp_path: Path, *members: tuple[tarfile.TarInfo, bytes]) -> Path:
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def _file(name: str) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), b"x"


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, b""


def _device(name: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    return info, b""


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ([_file("/etc/evil")], "absolute"),
        ([_file("run/../../evil")], r"'\.\.'"),
        ([_file("run/ok"), _link("run/l", "../../etc/passwd")], "outside"),
        ([_file("run/ok"), _link("run/l", "/etc/passwd")], "outside"),
        ([_file("run/ok"), _link("run/h", "../etc/passwd", tarfile.LNKTYPE)], r"'\.\.'|outside"),
        ([_file("run/ok"), _device("run/dev")], "device"),
        ([_file("run/ok"), _file("other/ok")], "top directory"),
    ],
)
def test_safe_extract_refuses_hostile_archives(tmp_path: Path, members, reason: str) -> None:
    archive = _tar_with(tmp_path, *members)
    with pytest.raises(ArchiveError, match=reason):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_safe_extract_reports_a_corrupt_archive(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ArchiveError, match="cannot extract bad.tar.gz"):
        safe_extract(bad, tmp_path / "out")


def test_unreadable_file_is_named(sample_copy, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read files without permission")
    folder = sample_copy("llama2-70b_c1")
    (folder / "report.txt").chmod(0)
    with pytest.raises(ArchiveError, match="report.txt"):
        pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")


def test_every_credential_format_in_the_events_log_is_found(tmp_path: Path) -> None:
    """Issue 13 item 10: private keys (and AWS keys) count in events.jsonl too; plain
    `"token"` fields there are data, not credentials."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "events.jsonl").write_text(
        '{"data": ["PromptData", "-----BEGIN RSA PRIVATE KEY----- is how PEM files start"]}\n'
        f'{{"data": {{"headers": {{"Authorization": "Bearer {FAKE_SK_KEY}"}}}}}}\n'
    )
    (folder / "events.jsonl").write_text(
        (folder / "events.jsonl").read_text() + '{"token": "abcdefgh", "n_tokens": 7}\n'
    )
    hits = scan_secrets(folder)
    assert [(h.path, h.line) for h in hits] == [("events.jsonl", 1), ("events.jsonl", 2)]
    assert "private key" in hits[0].kind and "sk-" in hits[1].kind


def test_special_files_are_refused_by_name(sample_copy, tmp_path: Path) -> None:
    folder = sample_copy("llama2-70b_c1")
    os.mkfifo(folder / "metrics" / "live.fifo")
    with pytest.raises(ArchiveError, match=r"metrics/live\.fifo is not a regular file"):
        pack_directory(folder, tmp_path / "a.tar.gz", arcname="run")
    assert not (tmp_path / "a.tar.gz").exists()
