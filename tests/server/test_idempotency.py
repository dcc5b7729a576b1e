"""Idempotency-Key on creating POSTs and paginated lists (the contract client-hardening uses)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from prism_server.store import InProgress, Invalid, Store


def test_a_repeated_key_answers_the_first_run_and_creates_nothing(api, run_body):
    first = api.post("/runs", json=run_body(), headers={"Idempotency-Key": "run-key-1"})
    again = api.post("/runs", json=run_body(), headers={"Idempotency-Key": "run-key-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert [run["id"] for run in api.get("/runs").json()["items"]] == [first.json()["id"]]


def test_the_same_key_with_another_body_is_refused(api, run_body):
    api.post("/runs", json=run_body(), headers={"Idempotency-Key": "k"})
    other = api.post("/runs", json=run_body(cli_version="9.9"), headers={"Idempotency-Key": "k"})
    assert other.status_code == 422
    assert "already used for a different request" in other.json()["detail"]
    assert len(api.get("/runs").json()["items"]) == 1


def test_keys_are_per_user(prism, api, run_body):
    mine = api.post("/runs", json=run_body(), headers={"Idempotency-Key": "shared"}).json()
    with prism.client(token=prism.new_token("someone-else-idem")) as other:
        theirs = other.post("/runs", json=run_body(), headers={"Idempotency-Key": "shared"})
        assert theirs.status_code == 201 and theirs.json()["id"] != mine["id"]


def test_submission_replay_survives_a_restart(fresh_prism, run_body, submission_body):
    key = {"Idempotency-Key": "sub-journal-abc"}
    token = {"X-API-Key": fresh_prism.new_token("u")}
    with httpx.Client(base_url=fresh_prism.url, headers=token, timeout=30) as client:
        run = client.post("/runs", json=run_body()).json()
        first = client.post("/submissions", json=submission_body([run["id"]]), headers=key)
        assert first.status_code == 201
        fresh_prism.stop()
        fresh_prism.start()
        client.base_url = fresh_prism.url
        again = client.post("/submissions", json=submission_body([run["id"]]), headers=key)
        assert again.status_code == 201 and again.json() == first.json()
        assert len(client.get("/submissions").json()["items"]) == 1


def test_a_failed_request_frees_its_key(api, run_body, submission_body):
    """A 422 created nothing, so the same key may be used once the body is fixed."""
    refused = api.post(
        "/submissions", json=submission_body(["no-such-run"]), headers={"Idempotency-Key": "s1"}
    )
    assert refused.status_code == 422
    run = api.post("/runs", json=run_body()).json()
    fixed = api.post(
        "/submissions", json=submission_body([run["id"]]), headers={"Idempotency-Key": "s1"}
    )
    assert fixed.status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_malformed_keys_are_refused(api, run_body, key):
    response = api.post("/runs", json=run_body(), headers={"Idempotency-Key": key.encode()})
    assert response.status_code == 422
    assert "Idempotency-Key header" in response.json()["detail"]
    assert api.get("/runs").json()["items"] == []


def test_parallel_requests_with_one_key_create_one_run(prism, run_body):
    def post(_: int):
        with prism.client() as client:
            return client.post("/runs", json=run_body(), headers={"Idempotency-Key": "race"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(16)))
    assert {response.status_code for response in responses} <= {201, 409}
    for response in responses:
        if response.status_code == 409:
            assert response.headers["Retry-After"] == "1"
            assert "still being processed" in response.json()["detail"]
    created = {response.json()["id"] for response in responses if response.status_code == 201}
    with prism.client() as client:
        listed = [run["id"] for run in client.get("/runs").json()["items"]]
    assert len(listed) == 1 and created == set(listed)


def test_a_key_in_progress_is_a_conflict_and_a_restart_frees_it(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    assert store.claim_idempotency_key("u", "k", "fp") is None
    with pytest.raises(InProgress, match="still being processed"):
        store.claim_idempotency_key("u", "k", "fp")
    with pytest.raises(Invalid, match="different request"):
        store.claim_idempotency_key("u", "k", "other")
    assert store.release_abandoned_idempotency_keys() == 1
    assert store.claim_idempotency_key("u", "k", "fp") is None


# -- pagination ------------------------------------------------------------------------------


def test_pages_follow_next_in_creation_order(api, run_body, submission_body):
    created = [api.post("/runs", json=run_body()).json()["id"] for _ in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/runs", params=params).json()
        seen += [run["id"] for run in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == created and pages == 3
    assert api.get("/runs").json() == {
        "items": api.get("/runs", params={"limit": 7}).json()["items"],
        "next": None,
    }
    subs = [api.post("/submissions", json=submission_body([rid])).json()["id"] for rid in created]
    first = api.get("/submissions", params={"limit": 5}).json()
    rest = api.get("/submissions", params={"cursor": first["next"]}).json()
    assert [s["id"] for s in first["items"] + rest["items"]] == subs and rest["next"] is None


def test_a_deleted_row_does_not_break_the_cursor(api, run_body):
    ids = [api.post("/runs", json=run_body()).json()["id"] for _ in range(4)]
    page = api.get("/runs", params={"limit": 2}).json()
    assert api.delete(f"/runs/{ids[1]}").status_code == 204
    rest = api.get("/runs", params={"limit": 2, "cursor": page["next"]}).json()
    assert [run["id"] for run in rest["items"]] == ids[2:]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10001}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "x" * 2000}, "cursor"),
    ],
)
def test_bad_limit_or_cursor_is_422(api, params, words):
    for path in ("/runs", "/submissions"):
        response = api.get(path, params=params)
        assert response.status_code == 422, response.text
        assert words in response.json()["detail"]


def test_openapi_documents_pages_and_keys(api):
    schema = api.get("/openapi.json").json()
    listing = schema["paths"]["/runs"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"limit", "cursor"}
    assert "next" in schema["components"]["schemas"]["RunPage"]["properties"]
    create = schema["paths"]["/submissions"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
