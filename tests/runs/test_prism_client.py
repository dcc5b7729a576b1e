"""PrismClient against a real prism-server on loopback: errors, retries, transfers, tokens."""

from __future__ import annotations

import hashlib
import time

import pytest

from endpoints_submission_cli.archive import pack_directory
from endpoints_submission_cli.errors import (
    AuthError,
    ChecksumError,
    ClientTooOldError,
    NetworkError,
    NotFoundError,
    ServerError,
    StorageError,
)
from endpoints_submission_cli.prism import PrismClient, validate_token
from endpoints_submission_cli.runfolder import build_run_create, read_run_folder

GOOD = "mlc_" + "aB3_dE6-gH9jK2mN5pQ8"


@pytest.mark.parametrize(
    ("token", "shown"),
    [
        (None, None),
        ("", None),
        ("mlc_short", "mlc_"),
        ("sk-" + "x" * 30, "sk-x"),
        ("mlc_SECRETSECRETSECRET!!", "mlc_"),
        ("MLC_" + "a" * 20, "MLC_"),
    ],
)
def test_malformed_tokens_are_refused_showing_at_most_four_characters(token, shown) -> None:
    with pytest.raises(AuthError) as caught:
        validate_token(token)
    message = f"{caught.value} {caught.value.hint}"
    if shown is None:
        assert "no PRISM token" in message
    else:
        assert f"starts with {shown!r}" in message
        assert token[:5] not in message.replace(token[:4], "")  # nothing beyond 4 chars
        assert "SECRET" not in message


def test_token_with_surrounding_whitespace_is_accepted() -> None:
    assert validate_token(f"  {GOOD}\n") == GOOD


def test_client_repr_never_shows_the_token() -> None:
    with PrismClient("http://127.0.0.1:9", GOOD) as client:
        assert GOOD not in repr(client) and GOOD not in str(vars(client).get("_http"))


@pytest.fixture
def client(prism):
    with PrismClient(prism.url, prism.token) as c:
        yield c


def _payload(run_folder) -> dict:
    return build_run_create(read_run_folder(run_folder("llama2-70b_c1")), cli_version="test")


def test_idempotent_get_survives_503_500_and_a_dropped_connection(prism, client, fast_retries):
    prism.add_fault(method="GET", path="^/runs$", action="status", status=503)
    prism.add_fault(method="GET", path="^/runs$", action="status", status=500)
    prism.add_fault(method="GET", path="^/runs$", action="drop")
    assert client.list_runs() == []
    assert len(fast_retries) == 3
    assert prism.faults() == []


def test_retry_after_is_honoured(prism, client, fast_retries):
    prism.add_fault(method="GET", path="^/runs$", action="status", status=503, retry_after=7)
    assert client.list_runs() == []
    assert fast_retries and fast_retries[0] >= 7


def test_gives_up_after_five_tries_with_a_clear_message(prism, client, fast_retries):
    prism.add_fault(method="GET", path="^/runs$", action="status", status=503, times=None)
    with pytest.raises(ServerError, match=r"PRISM server error 503") as caught:
        client.list_runs()
    assert caught.value.hint
    assert len(fast_retries) == 4  # 5 tries


def test_create_is_not_retried_blindly(prism, client, run_folder, fast_retries):
    prism.add_fault(method="POST", path="^/runs$", action="status", status=503, times=2)
    with pytest.raises(ServerError) as caught:
        client.create_run(_payload(run_folder))
    assert caught.value.outcome_unknown
    assert fast_retries == []
    assert [f["times"] for f in prism.faults()] == [1]  # the POST went out exactly once
    assert client.list_runs() == []


def test_create_is_retried_when_the_server_says_429(prism, client, run_folder):
    prism.add_fault(method="POST", path="^/runs$", action="status", status=429, retry_after=0)
    created = client.create_run(_payload(run_folder))
    assert [r["id"] for r in client.list_runs()] == [created["id"]]


def test_big_integers_survive_the_round_trip(client, run_folder):
    created = client.create_run(_payload(run_folder))
    stored = client.get_run(created["id"])
    assert stored["config"]["settings"]["runtime"]["scheduler_random_seed"] == 16159082839903944936


def test_unknown_token_is_an_authentication_error(prism):
    other = "mlc_" + "Z" * 30
    with PrismClient(prism.url, other) as client, pytest.raises(AuthError) as caught:
        client.list_runs()
    assert str(caught.value) == "authentication failed: check your PRISM token"
    assert other not in f"{caught.value} {caught.value.hint}"


def test_not_found_and_too_old(prism, client):
    with pytest.raises(NotFoundError, match="^no such run nope$"):
        client.get_run("nope")
    prism.add_fault(
        method="GET", path="^/runs$", action="status", status=426, detail="need 0.3 or newer"
    )
    with pytest.raises(ClientTooOldError, match="too old: need 0.3 or newer"):
        client.list_runs()


def test_another_users_run_is_not_found(prism, client, run_folder):
    created = client.create_run(_payload(run_folder))
    other = PrismClient(prism.url, prism.new_token("someone-else"))
    with other, pytest.raises(NotFoundError):
        other.get_run(created["id"])


def test_server_down_is_a_network_error_after_retries(fast_retries):
    with PrismClient("http://127.0.0.1:9", GOOD) as client, pytest.raises(NetworkError) as err:
        client.list_runs()
    assert "cannot connect" in str(err.value) and "5 tries" in str(err.value)


def test_upload_and_download_with_checksums(prism, client, run_folder, tmp_path):
    run = client.create_run(_payload(run_folder))
    archive = pack_directory(run_folder("accuracy_both_c4"), tmp_path / "a.tar.gz", arcname="r")
    url = client.run_upload_url(run["id"])["upload_url"]
    stored = client.upload_file(url, archive.path, size=archive.size)
    assert stored["archive_sha256"] == archive.sha256

    download = client.run_download_url(run["id"])["download_url"]
    size, sha = client.download_file(
        download,
        tmp_path / "back.tar.gz",
        expected_size=archive.size,
        expected_sha256=archive.sha256,
    )
    assert (size, sha) == (archive.size, archive.sha256)
    assert hashlib.sha256((tmp_path / "back.tar.gz").read_bytes()).hexdigest() == archive.sha256

    with pytest.raises(ChecksumError, match="corrupt"):
        client.download_file(download, tmp_path / "bad.tar.gz", expected_sha256="0" * 64)
    assert not (tmp_path / "bad.tar.gz").exists()
    assert not (tmp_path / "bad.tar.gz.part").exists()


def test_upload_survives_a_connection_cut_mid_body(
    prism, client, run_folder, tmp_path, fast_retries
):
    run = client.create_run(_payload(run_folder))
    archive = pack_directory(
        run_folder("http500_every_10th_c8"), tmp_path / "a.tar.gz", arcname="r"
    )
    prism.add_fault(method="PUT", path="^/storage/runs/", action="cut", after_bytes=50_000)
    url = client.run_upload_url(run["id"])["upload_url"]
    stored = client.upload_file(url, archive.path, size=archive.size)
    assert stored["archive_sha256"] == archive.sha256
    assert len(fast_retries) == 1


def test_storage_403_is_not_reported_as_a_bad_token(prism, client, run_folder, tmp_path):
    run = client.create_run(_payload(run_folder))
    archive = pack_directory(run_folder("llama2-70b_c1"), tmp_path / "a.tar.gz", arcname="r")
    prism.add_fault(
        method="PUT", path="^/storage/", action="status", status=403, detail="signature expired"
    )
    url = client.run_upload_url(run["id"])["upload_url"]
    with pytest.raises(StorageError) as caught:
        client.upload_file(url, archive.path, size=archive.size)
    assert not isinstance(caught.value, AuthError)
    assert "expired" in str(caught.value) and "token" not in str(caught.value)


def test_really_expired_signed_url(prism_factory, run_folder, tmp_path):
    server = prism_factory(signed_url_ttl=1)
    with PrismClient(server.url, server.new_token("u")) as client:
        run = client.create_run(_payload(run_folder))
        url = client.run_upload_url(run["id"])["upload_url"]
        archive = pack_directory(run_folder("llama2-70b_c1"), tmp_path / "a.tar.gz", arcname="r")
        time.sleep(2.1)  # let the URL expire for real
        with pytest.raises(StorageError, match="403"):
            client.upload_file(url, archive.path, size=archive.size)


def test_api_key_goes_to_the_api_only_never_to_storage(prism, client, run_folder, tmp_path):
    sent: list[tuple[str, str, bool]] = []
    client._http.event_hooks["request"].append(
        lambda request: sent.append(
            (request.method, request.url.path, "x-api-key" in request.headers)
        )
    )
    run = client.create_run(_payload(run_folder))
    archive = pack_directory(run_folder("llama2-70b_c1"), tmp_path / "a.tar.gz", arcname="r")
    client.upload_file(
        client.run_upload_url(run["id"])["upload_url"], archive.path, size=archive.size
    )
    client.download_file(client.run_download_url(run["id"])["download_url"], tmp_path / "b")
    storage = [s for s in sent if s[1].startswith("/storage/")]
    api = [s for s in sent if not s[1].startswith("/storage/")]
    assert [m for m, _, _ in storage] == ["PUT", "GET"]
    assert not any(has_key for _, _, has_key in storage)
    assert api and all(has_key for _, _, has_key in api)
