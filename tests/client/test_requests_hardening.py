"""What the client sends: ids checked before any request, paginated lists, HTTP 426."""

from __future__ import annotations

import pytest

from endpoints_submission_cli.errors import ServerError
from endpoints_submission_cli.prism import PrismClient

TOKEN = "mlc_" + "T3stT0kenAbcdefgh1234"


@pytest.mark.parametrize(
    "args",
    [
        ["runs", "delete", "--run-id", ".."],
        ["runs", "get", "--run-id", ""],
        ["runs", "get", "--run-id", "a/b"],
        ["runs", "pin", "--run-id", "."],
        ["submissions", "get", "--submission-id", "../runs"],
        ["submissions", "withdraw", "--submission-id", ""],
        [
            "submissions",
            "create",
            "--division",
            "standardized",
            "--availability",
            "available",
            "--run-ids",
            "ok-1,..",
            "--no-pr",
        ],
        ["submissions", "add-run", "--submission-id", "s-1", "--run-id", "../x", "--no-pr"],
    ],
)
def test_a_bad_id_is_refused_before_any_request(stub, run_cli, args):
    result = run_cli("--api-url", stub.url, *args, "--token", TOKEN)
    assert result.exit_code == 2, result.output
    assert "is not a valid id" in result.stderr
    assert "Traceback" not in result.stderr
    assert stub.requests == []


def _paged(items: list[dict], page_of: dict[str, int]):
    """A route answering GET /runs page by page (``limit`` honoured, cursors are offsets)."""

    def route(method, path, query):
        limit = int(query["limit"][0])
        start = int(query.get("cursor", ["0"])[0])
        page_of.setdefault("limit", limit)
        chunk = items[start : start + limit]
        more = start + limit < len(items)
        return 200, {"items": chunk, "next": str(start + limit) if more else None}

    return route


def test_lists_follow_next_cursors_with_a_limit(stub):
    items = [{"id": f"run-{i:05d}"} for i in range(2345)]
    seen: dict[str, int] = {}
    stub.route = _paged(items, seen)
    with PrismClient(stub.url, TOKEN) as client:
        listed = client.list_runs()
    assert [r["id"] for r in listed] == [r["id"] for r in items]
    assert seen["limit"] == 1000
    assert len(stub.requests) == 3
    assert stub.requests[1]["query"]["cursor"] == ["1000"]


def test_runs_list_command_shows_every_page(stub, run_cli):
    items = [{"id": f"run-{i:05d}", "model": "m"} for i in range(1500)]
    stub.route = _paged(items, {})
    result = run_cli("--api-url", stub.url, "runs", "list", "--json", "--token", TOKEN)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count('"run-') == 1500


def test_a_bare_list_is_the_whole_list(stub):
    stub.route = lambda m, p, q: (200, [{"id": "a"}, {"id": "b"}])
    with PrismClient(stub.url, TOKEN) as client:
        assert [s["id"] for s in client.list_submissions()] == ["a", "b"]
    assert len(stub.requests) == 1


def test_a_cursor_that_repeats_is_an_error_not_an_endless_loop(stub):
    stub.route = lambda m, p, q: (200, {"items": [{"id": "a"}], "next": "same"})
    with PrismClient(stub.url, TOKEN) as client, pytest.raises(ServerError, match="cursor"):
        client.list_runs()
    assert len(stub.requests) == 2


def test_http_426_is_the_servers_detail_on_one_line_exit_1(prism, run_cli):
    prism.add_fault(
        method="GET",
        path="^/runs$",
        action="status",
        status=426,
        detail="endpoints-submission-cli 0.1 is no longer accepted;\nupgrade to 1.0",
    )
    result = run_cli("--api-url", prism.url, "runs", "list", "--token", prism.token)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: this client version is too old: endpoints-submission-cli 0.1 is no longer "
        "accepted; upgrade to 1.0"
    ]


def test_runs_post_carries_an_idempotency_key_and_its_retry_repeats_it(stub):
    from endpoints_submission_cli.registration import create_record

    posts: list[dict] = []

    def route(method, path, query):
        if method == "GET":
            return 200, {"items": [], "next": None}
        posts.append(stub.requests[-1])
        return (503, {"detail": "busy"}) if len(posts) == 1 else (201, {"id": "run-1"})

    stub.route = route
    payload = {"started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T01:00:00Z"}
    with PrismClient(stub.url, TOKEN) as client:
        assert create_record(client, payload)["id"] == "run-1"
    keys = [p["headers"].get("Idempotency-Key") for p in posts]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert TOKEN not in keys[0]


def test_a_409_in_progress_for_a_keyed_post_is_asked_again_with_the_same_key(stub):
    answers = [
        (409, {"detail": "still being processed"}, {"Retry-After": "0"}),
        (201, {"id": "sub-1"}),
    ]
    stub.route = lambda method, path, query: answers.pop(0)
    with PrismClient(stub.url, TOKEN) as client:
        assert client.create_submission({"run_ids": []}, idempotency_key="k-1")["id"] == "sub-1"
    assert [r["headers"].get("Idempotency-Key") for r in stub.requests] == ["k-1", "k-1"]


def test_a_409_without_a_key_is_a_plain_conflict_not_retried(stub):
    from endpoints_submission_cli.errors import ConflictError

    stub.route = lambda m, p, q: (409, {"detail": "nope"}, {"Retry-After": "0"})
    with PrismClient(stub.url, TOKEN) as client, pytest.raises(ConflictError) as caught:
        client.create_submission({"run_ids": []})
    assert not caught.value.outcome_unknown
    assert len(stub.requests) == 1
