"""Helpers for the prism-server tests: an API client on the session server, payloads, tarballs."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from prism_server.testing import PrismProcess


def _run_body(**overrides: Any) -> dict:
    """A valid RunCreate, shaped like what `runs create` sends for a real run folder."""
    body = {
        "cli_version": "0.2.0",
        "benchmark_version": "1.0",
        "started_at": "2026-11-01T10:00:00Z",
        "finished_at": "2026-11-01T10:20:00+00:00",
        "system_info": {"system_name": "test-box", "accelerators_per_node": 8},
        "config": {
            "model_params": {"name": "meta-llama/Llama-2-70b-chat-hf"},
            "settings": {
                "load_pattern": {"type": "concurrency", "target_concurrency": 4},
                "runtime": {"scheduler_random_seed": 16159082839903944936},
            },
        },
        "result_summary": {"n_samples_completed": 20, "latency": {"50.0": 1.5}},
    }
    body.update(overrides)
    return body


def _submission_body(run_ids: list[str], **overrides: Any) -> dict:
    body = {
        "cli_version": "0.2.0",
        "division": "standardized",
        "scenario": "cop",
        "availability": "available",
        "run_ids": run_ids,
        "early_publish": False,
        "publication_cycle": "2026-12-C0",
    }
    body.update(overrides)
    return body


def _tar_gz(files: dict[str, bytes], *, extra: list[tarfile.TarInfo] = ()) -> bytes:
    """A .tar.gz in memory with ``files`` (name → content) and extra raw members (links…).

    The same arguments always give the same bytes (gzip's header time is fixed), so a test can
    compare a download with a second build of what it uploaded.
    """
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w") as archive,
    ):
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        for info in extra:
            archive.addfile(info)
    return buffer.getvalue()


@pytest.fixture
def run_body():
    return _run_body


@pytest.fixture
def submission_body():
    return _submission_body


@pytest.fixture
def tar_gz():
    return _tar_gz


CONFIGURED = {
    "signed_url_ttl": 1,
    "public_url": "https://prism.example.test/base/",
    "max_upload_bytes": 100_000,
    "run_expiry_days": 2,
}


@pytest.fixture(scope="session")
def configured_prism(tmp_path_factory) -> Iterator[PrismProcess]:
    """One server with every non-default option of CONFIGURED and no fault injection, shared by
    the tests of those options (a server start costs ~1 s)."""
    process = PrismProcess(
        tmp_path_factory.mktemp("configured-prism"), fault_injection=False, **CONFIGURED
    ).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """A plain client for absolute URLs (signed storage URLs carry no API key).

    ``verify=False`` only skips building a TLS context (~0.2 s per client): every URL in these
    tests is plain http on 127.0.0.1.
    """
    with httpx.Client(timeout=60, verify=False) as client:
        yield client


@pytest.fixture
def api(prism) -> Iterator[httpx.Client]:
    """An httpx client on the session server, authenticated as this test's fresh user."""
    with httpx.Client(
        base_url=prism.url, headers=prism.headers(), timeout=30, verify=False
    ) as client:
        yield client


@pytest.fixture
def make_run(api: httpx.Client):
    def _make(**overrides: Any) -> dict:
        response = api.post("/runs", json=_run_body(**overrides))
        assert response.status_code == 201, response.text
        return response.json()

    return _make


@pytest.fixture
def run_id(make_run) -> str:
    """A new run's id."""
    return make_run()["id"]


@pytest.fixture
def upload_url(api: httpx.Client, run_id: str) -> str:
    """The signed upload URL of ``run_id``'s archive."""
    return api.get(f"/runs/{run_id}/archive/upload-url").json()["upload_url"]


@pytest.fixture
def upload_run_archive(api: httpx.Client, http: httpx.Client):
    """Upload bytes as a run's archive through the signed URL; returns the PUT response."""

    def _upload(run_id: str, content: bytes) -> httpx.Response:
        signed = api.get(f"/runs/{run_id}/archive/upload-url").json()
        return http.put(
            signed["upload_url"],
            content=content,
            headers={"Content-Type": "application/octet-stream"},
        )

    return _upload
