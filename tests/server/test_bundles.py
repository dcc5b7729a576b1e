"""Submission bundles: safe unpacking, and what an upload does to the submission's status."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import httpx
import pytest

from prism_server.blobs import ArchiveRejected, safe_extract


def member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


@pytest.fixture
def submission(api, make_run, submission_body) -> dict:
    response = api.post("/submissions", json=submission_body([make_run()["id"]]))
    assert response.status_code == 201
    return response.json()


def put_bundle(api, http, sub_id: str, content: bytes) -> httpx.Response:
    signed = api.get(f"/submissions/{sub_id}/archive/upload-url").json()
    return http.put(signed["upload_url"], content=content, timeout=60)


@pytest.mark.parametrize(
    ("extra", "files", "detail"),
    [
        ([], {"org/../evil.txt": b"x"}, "leads outside the bundle ('..')"),
        ([], {"/etc/evil": b"x"}, "has an absolute path"),
        (
            [member("org/link", tarfile.SYMTYPE, "../../etc/passwd")],
            {"org/a": b"x"},
            "is a symlink to '../../etc/passwd', outside the bundle",
        ),
        (
            [member("org/abs", tarfile.SYMTYPE, "/etc/passwd")],
            {"org/a": b"x"},
            "outside the bundle",
        ),
        (
            [member("org/hard", tarfile.LNKTYPE, "/etc/passwd")],
            {"org/a": b"x"},
            "is a hard link to '/etc/passwd', which is not a file earlier in the bundle",
        ),
        (
            [member("org/hard", tarfile.LNKTYPE, "org/../../x")],
            {"org/a": b"x"},
            "is a hard link to 'org/../../x'",
        ),
        ([member("org/dev", tarfile.CHRTYPE)], {"org/a": b"x"}, "is a device or FIFO"),
        ([member("org/fifo", tarfile.FIFOTYPE)], {"org/a": b"x"}, "is a device or FIFO"),
        ([], {"org/a": b"x", "other/b": b"y"}, "is outside the top directory 'org'"),
        ([], {"loose.txt": b"x"}, "is not inside a top directory"),
        ([], {"org/a": b"x", "org/./a": b"y"}, "twice"),
        (
            [member("org/l", tarfile.SYMTYPE, "a"), member("org/l/x")],
            {"org/a": b"x"},
            "through the symlink",
        ),
    ],
)
def test_safe_extract_refuses_what_the_data_filter_refuses(tmp_path, tar_gz, extra, files, detail):
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(tar_gz(files, extra=extra))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ArchiveRejected) as caught:
        safe_extract(archive, dest, max_bytes=10**6)
    assert detail in str(caught.value)
    assert not (tmp_path / "evil.txt").exists()


def test_safe_extract_unpacks_a_good_bundle(tmp_path, tar_gz):
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(
        tar_gz(
            {"org/systems/s.json": b"{}", "org/pareto/s/m/points/point_1.yaml": b"a: 1\n"},
            extra=[member("org/pareto/s/link", tarfile.SYMTYPE, "m/points/point_1.yaml")],
        )
    )
    (tmp_path / "out").mkdir()
    top = safe_extract(archive, tmp_path / "out", max_bytes=10**6)
    assert top == (tmp_path / "out" / "org").resolve()
    assert (top / "systems" / "s.json").read_bytes() == b"{}"
    assert (top / "pareto" / "s" / "link").read_text() == "a: 1\n"


def test_safe_extract_copies_hard_links_inside_the_bundle(tmp_path, tar_gz):
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(
        tar_gz({"org/a": b"data"}, extra=[member("org/b", tarfile.LNKTYPE, "org/a")])
    )
    (tmp_path / "out").mkdir()
    top = safe_extract(archive, tmp_path / "out", max_bytes=10**6)
    assert (top / "b").read_bytes() == b"data"


def test_safe_extract_limits_unpacked_size(tmp_path, tar_gz):
    archive = tmp_path / "bomb.tar.gz"
    archive.write_bytes(tar_gz({"org/zeros": bytes(2_000_000)}))
    (tmp_path / "out").mkdir()
    with pytest.raises(ArchiveRejected, match="unpacks to more than 1000000 bytes"):
        safe_extract(archive, tmp_path / "out", max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"garbage, not gzip", "bundle is not a readable .tar.gz"),
        ("evil", "leads outside the bundle"),
    ],
)
def test_bad_bundle_upload_is_400_and_stores_nothing(
    prism, api, http, submission, tar_gz, content, detail
):
    if content == "evil":
        content = tar_gz({"org/../../escaped.txt": b"x"})
    response = put_bundle(api, http, submission["id"], content)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    after = api.get(f"/submissions/{submission['id']}").json()
    assert after["archive_uri"] is None and after["compliance_report"] is None
    assert after["status"] == "COMPLIANCE_CHECKING"
    assert not (prism.data_dir.parent / "escaped.txt").exists()
    assert not list((prism.data_dir / "tmp").iterdir())


def test_failing_bundle_is_stored_with_its_report(api, submission, tar_gz, http):
    bundle = tar_gz({"acme/README.md": b"not a submission"})
    response = put_bundle(api, http, submission["id"], bundle)
    assert response.status_code == 200, response.text
    assert response.json()["compliance_passed"] is False
    after = api.get(f"/submissions/{submission['id']}").json()
    assert after["status"] == "COMPLIANCE_CHECKING"
    assert after["compliance_passed_at"] is None
    assert after["archive_uri"] is not None
    assert after["compliance_report"]["passed"] is False
    download = api.get(f"/submissions/{submission['id']}/archive").json()["download_url"]
    assert http.get(download).content == bundle
    assert api.delete(f"/submissions/{submission['id']}/archive").status_code == 204
    assert api.get(f"/submissions/{submission['id']}").json()["archive_uri"] is None


EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "examples" / "submission" / "ExampleOrg"


def bundle_of(org_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(org_dir, arcname=org_dir.name)
    return buffer.getvalue()


def test_passing_bundle_moves_the_submission_to_review_pending(api, http, submission, tar_gz):
    sub_id = submission["id"]
    response = put_bundle(api, http, sub_id, bundle_of(EXAMPLE_ORG))
    assert response.status_code == 200, response.text
    assert response.json()["compliance_passed"] is True
    passed = api.get(f"/submissions/{sub_id}").json()
    assert passed["status"] == "REVIEW_PENDING"
    assert passed["compliance_passed_at"] is not None
    assert passed["compliance_report"]["passed"] is True

    # A bundle that fails afterwards takes the submission back to COMPLIANCE_CHECKING.
    failing = put_bundle(api, http, sub_id, tar_gz({"ExampleOrg/README.md": b"empty"}))
    assert failing.status_code == 200 and failing.json()["compliance_passed"] is False
    failed = api.get(f"/submissions/{sub_id}").json()
    assert failed["status"] == "COMPLIANCE_CHECKING"
    assert failed["compliance_passed_at"] is None
    assert failed["compliance_report"]["passed"] is False

    # Passing again, then a change of runs: the checked bundle no longer applies.
    put_bundle(api, http, sub_id, bundle_of(EXAMPLE_ORG))
    assert api.get(f"/submissions/{sub_id}").json()["status"] == "REVIEW_PENDING"
    api.delete(f"/submissions/{sub_id}/runs/{submission['run_ids'][0]}")
    assert api.get(f"/submissions/{sub_id}").json()["status"] == "COMPLIANCE_CHECKING"
